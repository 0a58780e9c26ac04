"""Spreadsheet cells stay inert text whatever a user typed (OWASP CSV/formula injection)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from article8.core.xlsx import (
    MAX_CELL_TEXT,
    TRUNCATED,
    atomic_output,
    header_cell,
    safe_text,
    save_workbook,
    text_cell,
    unescape_text,
)

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "\n=1",
]
# "#N/A" and "#REF!" would become error cells if the string type were not forced.
HARMLESS = ["plain text", "個人データ", "it's fine", "1+1", " =1 after a space", "#N/A", "#REF!"]
CONTROL_CHARACTERS = "a\x00b\x07c\x0bd\x1fe"
LONG = "x" * 40_000
CORPUS = [*DANGEROUS, *HARMLESS, CONTROL_CHARACTERS, LONG]


def _as_stored(text: str) -> str:
    # With lxml (a dependency) openpyxl writes a carriage return as &#13;, so it survives.
    return text


@pytest.fixture
def corpus_file(tmp_path: Path) -> Path:
    """The corpus written one value a row with a write-only workbook, under a bold header."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("corpus")
    ws.append([header_cell(ws, "value")])
    for value in CORPUS:
        ws.append([text_cell(ws, value)])
    out = tmp_path / "corpus.xlsx"
    save_workbook(workbook, out)
    return out


def test_dangerous_text_gets_a_quote_and_comes_back_unchanged():
    for value in DANGEROUS:
        assert safe_text(value) == "'" + value
        assert unescape_text(safe_text(value)) == value


def test_harmless_text_is_left_alone():
    for value in HARMLESS:
        assert safe_text(value) == value
        assert unescape_text(value) == value


def test_text_that_already_starts_with_a_quote_survives_the_round_trip():
    assert safe_text("'=1") == "''=1"
    assert unescape_text("''=1") == "'=1"
    assert unescape_text("'plain") == "'plain"


def test_characters_excel_rejects_are_removed_before_the_prefix_is_chosen():
    assert safe_text(CONTROL_CHARACTERS) == "abcde"
    assert safe_text("\x01=1") == "'=1"


def test_text_over_the_cell_limit_is_cut_with_a_marker():
    cut = safe_text(LONG)
    assert len(cut) == MAX_CELL_TEXT
    assert cut.endswith(TRUNCATED)
    quoted = safe_text("=" + LONG)
    assert len(quoted) == MAX_CELL_TEXT
    assert quoted.startswith("'=")


def test_calamine_reads_every_value_as_inert_text(corpus_file: Path):
    rows = CalamineWorkbook.from_path(str(corpus_file)).get_sheet_by_name("corpus").to_python()
    assert rows[0] == ["value"]
    values = [row[0] for row in rows[1:]]
    assert values == [_as_stored(safe_text(value)) for value in CORPUS]
    for value, stored in zip(DANGEROUS, values, strict=False):
        assert stored.startswith("'"), value
        assert unescape_text(stored) == _as_stored(value)
    assert len(values[-1]) == MAX_CELL_TEXT


def test_openpyxl_sees_strings_never_formulas(corpus_file: Path):
    workbook = load_workbook(corpus_file)  # not data_only: a formula would show as one
    ws = workbook["corpus"]
    assert ws["A1"].font.bold
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == [_as_stored(safe_text(v)) for v in CORPUS]
    for cell in cells:
        assert cell.data_type == "s", cell.value
    workbook.close()


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path):
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_output(out) as handle:
        handle.write(b"half a workbook")
        raise RuntimeError("the export failed half-way")
    assert out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


@hypothesis_settings(database=None, max_examples=300)
@given(st.text(max_size=60))
def test_safe_text_never_starts_a_formula_and_unescape_inverts_it(value: str):
    stored = safe_text(value)
    assert not stored or stored[0] not in "=+-@\t\r\n"
    legal = "".join(ch for ch in value if ch in "\t\r\n" or ord(ch) >= 0x20)
    assert unescape_text(stored) == legal
