"""What every sheet of the workbook shares: the export's context and writing one table.

A table goes to a write-only worksheet with typed cells and inert text. Every table sheet gets a
frozen, filtered header row, column widths, landscape printing with the header repeated on each
page, and, in status columns, each code shown as its label in the workbook's language, filled in
the colour of the code's tone. A table longer than Excel's row limit continues on a next sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from article8.controls.inspections.models import Inspection
from article8.core.audit import Actor
from article8.core.settings import Settings
from article8.core.vocabulary import Term, Translate, Vocabulary
from article8.core.xlsx import header_cell, inert
from article8.reports.period import Period

EXCEL_MAX_ROWS = 1_048_576
# The fill of a status cell, by the tone of its code (neutral codes stay unfilled).
TONE_COLOURS = {
    "success": "C6EFCE",
    "danger": "FFC7CE",
    "warning": "FFEB9C",
    "info": "DDEBF7",
    "primary": "DDEBF7",
    "secondary": "EDEDED",
    "dark": "D9D9D9",
}


def untranslated(message: str) -> str:
    """The message as given (a table without a language)."""
    return message


@dataclass(frozen=True)
class Column:
    """One column: its header, width and kind (text, int, date, datetime, bool, status).

    A status column shows codes of ``terms`` (one or more vocabularies) as their labels.
    """

    header: str
    width: int = 14
    kind: str = "text"
    terms: tuple[Vocabulary, ...] = ()


@dataclass
class Table:
    """A sheet's columns and how to turn values into cells."""

    title: str
    columns: Sequence[Column]
    timezone: ZoneInfo
    # Status codes are shown as their labels in this language (the colours follow the labels).
    translate: Translate = untranslated
    max_rows: int = EXCEL_MAX_ROWS
    rows_written: int = 0
    sheets: list[WriteOnlyWorksheet] = field(default_factory=list)

    def labels(self, column: Column) -> dict[str, str]:
        """The shown label of each code of a status column."""
        return {code: self.translate(term.label) for code, term in _terms(column).items()}


def _terms(column: Column) -> dict[str, Term]:
    """The terms of a status column by code (the first vocabulary that has a code wins)."""
    found: dict[str, Term] = {}
    for vocabulary in column.terms:
        for term in vocabulary:
            found.setdefault(term.code, term)
    return found


def _new_sheet(workbook: Workbook, table: Table) -> WriteOnlyWorksheet:
    suffix = f" ({len(table.sheets) + 1})" if table.sheets else ""
    ws = workbook.create_sheet(title=(table.title[: 31 - len(suffix)] + suffix))
    # Widths and frozen panes must be set before the first row in write-only mode.
    for index, column in enumerate(table.columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.append([header_cell(ws, c.header) for c in table.columns])
    table.sheets.append(ws)
    return ws


def write_table(workbook: Workbook, table: Table, rows: Iterable[Sequence[Any]]) -> int:
    """Append ``rows`` under the header; return how many were written."""
    texts = [i for i, c in enumerate(table.columns) if c.kind == "text"]
    statuses = {i: table.labels(c) for i, c in enumerate(table.columns) if c.kind == "status"}
    # Excel has no time zones: date-times are shown in the configured zone (headers say which).
    times = [i for i, c in enumerate(table.columns) if c.kind == "datetime"]
    tz = table.timezone
    ws = _new_sheet(workbook, table)
    in_sheet = 1
    for row in rows:
        if in_sheet >= table.max_rows:
            _finish(ws, table, in_sheet)
            ws = _new_sheet(workbook, table)
            in_sheet = 1
        values = list(row)
        for i in texts:
            value = values[i]
            if value is not None:
                values[i] = inert(ws, value if isinstance(value, str) else str(value))
        for i, labels in statuses.items():
            value = values[i]
            if value is not None:
                values[i] = inert(ws, labels.get(value, str(value)))
        for i in times:
            value = values[i]
            if value is not None:
                values[i] = value.astimezone(tz).replace(tzinfo=None)
        ws.append(values)
        in_sheet += 1
        table.rows_written += 1
    _finish(ws, table, in_sheet)
    return table.rows_written


def _finish(sheet: WriteOnlyWorksheet, table: Table, rows: int) -> None:
    # A write-only sheet borrows these from Worksheet at run time; openpyxl's stubs omit them.
    ws: Any = sheet
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A1:{last}{max(rows, 1)}"
    for index, column in enumerate(table.columns, 1):
        letter = get_column_letter(index)
        if column.kind != "status" or rows <= 1:
            continue
        target = f"{letter}2:{letter}{rows}"
        for term in _terms(column).values():
            colour = TONE_COLOURS.get(term.tone)
            if colour is None:
                continue
            quoted = table.translate(term.label).replace('"', '""')
            ws.conditional_formatting.add(
                target,
                CellIsRule(
                    operator="equal",
                    formula=[f'"{quoted}"'],
                    fill=PatternFill("solid", start_color=colour, end_color=colour),
                ),
            )


# --- the sheets of the workbook --------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """One export: what every sheet reads, and the inspections due that several sheets share."""

    session: Session
    settings: Settings
    period: Period
    lang: str
    actor: Actor
    now: datetime
    translate: Translate
    inspections: list[Inspection]

    @property
    def timezone(self) -> ZoneInfo:
        """The zone dates and times are shown in."""
        return self.settings.timezone

    @property
    def today(self) -> date:
        """The local day of the export: what is overdue or expired is judged against it."""
        return self.now.astimezone(self.timezone).date()


class Sheet(Protocol):
    """One sheet of the workbook (or, for a long table, a run of sheets)."""

    def write(self, workbook: Workbook, context: Context) -> dict[str, int]:
        """Add the sheet; return rows written by the name the export records them under."""
        ...


@dataclass(frozen=True)
class TableSheet:
    """A sheet that is one table: a title and columns (message ids) and the rows to show."""

    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Context], Iterable[Sequence[Any]]]

    def write(self, workbook: Workbook, context: Context) -> dict[str, int]:
        """Write the table in the export's language; its rows are recorded under its title."""
        _ = context.translate
        title = _(self.title)
        columns = [Column(_(c.header), c.width, c.kind, c.terms) for c in self.columns]
        table = Table(title, columns, context.timezone, _)
        return {title: write_table(workbook, table, self.rows(context))}
