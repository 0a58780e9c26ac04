"""Spreadsheet cells that stay inert text, and atomic saving: shared by every XLSX export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Font

from article8.core.files import atomic_output

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

MAX_CELL_TEXT = 32_767  # Excel's limit on the characters of one cell
TRUNCATED = "…[truncated]"
# OWASP "CSV injection": a cell starting with one of = + - @ TAB CR LF may run as a formula once
# the sheet is opened or re-saved as CSV. Such text gets a leading "'". Text that already starts
# with quotes before one of them gets one more, so unescape_text is an exact inverse.
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r\n]")
_QUOTED = re.compile(r"'+[=+\-@\t\r\n]")
_BOLD = Font(bold=True)


_RISKY_FIRST = frozenset("=+-@\t\r\n'")


def safe_text(value: str) -> str:
    """``value`` as text Excel accepts and never evaluates: no control characters, no formula."""
    # Fast path for the common case (exports write millions of cells): nothing to change.
    if (
        value[:1] not in _RISKY_FIRST
        and len(value) <= MAX_CELL_TEXT
        and ILLEGAL_CHARACTERS_RE.search(value) is None
    ):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    prefix = "'" if _NEEDS_QUOTE.match(text) else ""
    if len(prefix) + len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - len(prefix) - len(TRUNCATED)] + TRUNCATED
    return prefix + text


def unescape_text(value: str) -> str:
    """The text :func:`safe_text` was given, for reading our own exports back."""
    return value[1:] if _QUOTED.match(value) else value


# Strings openpyxl would store as error cells rather than text.
_ERROR_LITERALS = frozenset(ERROR_CODES)


def inert(ws: WriteOnlyWorksheet, value: str) -> str | Cell:
    """``value`` ready to append: a plain safe string, or a forced-text cell where needed.

    After :func:`safe_text` no string starts with "=", so openpyxl keeps it as text; only the
    error literals (#N/A, #REF! …) need a cell of their own. Plain strings keep ``append`` on its
    fast path (it reuses one cell object; a pre-built cell costs it an exception per cell).
    """
    text = safe_text(value)
    return text_cell(ws, text) if text in _ERROR_LITERALS else text


def text_cell(ws: WriteOnlyWorksheet, value: str) -> Cell:
    """A write-only cell holding ``value`` as inert text."""
    cell = WriteOnlyCell(ws, safe_text(value))
    # openpyxl turns any string starting with "=" into a formula; a forced string type stays text.
    cell.data_type = "s"
    return cell


def header_cell(ws: WriteOnlyWorksheet, value: str) -> Cell:
    """A bold text cell for a header row."""
    cell = text_cell(ws, value)
    cell.font = _BOLD
    return cell


def save_workbook(workbook: Workbook, out: Path) -> None:
    """Save ``workbook`` to ``out`` atomically (a write-only workbook can be saved once)."""
    with atomic_output(out) as handle:
        workbook.save(handle)
