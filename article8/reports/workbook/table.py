"""What every sheet of the workbook shares: the export's context and writing one table.

A table goes to a write-only worksheet with typed cells and inert text. Every table sheet gets a
frozen, filtered header row; column widths that fit the formatted dates, times, labels and words
(longer text wraps); A4 printing one page wide (landscape when wider than portrait) with the
header repeated on each page; booleans as words; and, in status columns, each code shown as its
label in the workbook's language, filled in the colour of the code's tone. A table longer than
Excel's row limit continues on a next sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.orm import Session

from article8.controls.inspections.models import Inspection
from article8.core.audit import Actor
from article8.core.errors import N_
from article8.core.settings import Settings
from article8.core.vocabulary import Term, Translate, Vocabulary
from article8.core.xlsx import inert, text_cell
from article8.reports.period import Period
from article8.reports.workbook.page import (
    HEADER_ALIGNMENT,
    PLAIN,
    PORTRAIT_WIDTH,
    WRAP,
    Style,
    display_width,
    set_up_page,
    wrapped_height,
)

EXCEL_MAX_ROWS = 1_048_576
YES, NO = N_("Yes"), N_("No")
# The widest formatted value of each kind: openpyxl's formats yyyy-mm-dd and yyyy-mm-dd h:mm:ss.
# A datetime shows to the minute (a styled cell: small sheets); a timestamp to the second in
# openpyxl's default format (a plain value: the audit trail's hundreds of thousands of rows).
MINUTES = "yyyy-mm-dd hh:mm"
KIND_WIDTHS = {"date": 10, "datetime": len(MINUTES), "timestamp": len("yyyy-mm-dd hh:mm:ss")}
PADDING = 2
# Numbers, dates and times never wrap: one more unit so that a wider fallback face still fits.
FIGURE_PADDING = 3
# How wide a Japanese header may make its column before it wraps (between any two characters).
CJK_HEADER = 12
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
    """One column: its header, width and kind (text, int, date, datetime, timestamp, bool,
    status).

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
    style: Style = PLAIN
    max_rows: int = EXCEL_MAX_ROWS
    rows_written: int = 0
    sheets: list[WriteOnlyWorksheet] = field(default_factory=list)

    def labels(self, column: Column) -> dict[str, str]:
        """The shown label of each code of a status column."""
        return {code: self.translate(term.label) for code, term in _terms(column).items()}

    def width(self, column: Column) -> int:
        """The column's width: its formatted values fit (dates and times never show ###); text
        longer than the declared width wraps."""
        if column.kind == "status":
            widest = max(
                (display_width(label) for label in self.labels(column).values()), default=0
            )
        elif column.kind == "bool":
            widest = max(display_width(self.translate(YES)), display_width(self.translate(NO)))
        else:
            widest = KIND_WIDTHS.get(column.kind, 0) + FIGURE_PADDING - PADDING
        # The header wraps at word breaks (its longest word must fit), Japanese anywhere.
        header = max(
            (
                display_width(word) if word.isascii() else min(display_width(word), CJK_HEADER)
                for word in column.header.split()
            ),
            default=0,
        )
        return max(column.width, widest + PADDING, header + PADDING)


def _terms(column: Column) -> dict[str, Term]:
    """The terms of a status column by code (the first vocabulary that has a code wins)."""
    found: dict[str, Term] = {}
    for vocabulary in column.terms:
        for term in vocabulary:
            found.setdefault(term.code, term)
    return found


def _new_sheet(workbook: Workbook, table: Table, widths: Sequence[int]) -> WriteOnlyWorksheet:
    suffix = f" ({len(table.sheets) + 1})" if table.sheets else ""
    title = table.title[: 31 - len(suffix)] + suffix
    ws = workbook.create_sheet(title=title)
    # Widths, panes and page setup must be set before the first row in write-only mode.
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    set_up_page(ws, table.style, title, landscape=sum(widths) > PORTRAIT_WIDTH)
    ws.print_title_rows = "1:1"
    ws.append([_header(ws, table.style, c.header) for c in table.columns])
    table.sheets.append(ws)
    return ws


def _header(ws: WriteOnlyWorksheet, style: Style, text: str) -> Cell:
    cell = text_cell(ws, text)
    cell.font = style.bold
    cell.alignment = HEADER_ALIGNMENT
    return cell


def write_table(workbook: Workbook, table: Table, rows: Iterable[Sequence[Any]]) -> int:
    """Append ``rows`` under the header; return how many were written."""
    widths = [table.width(c) for c in table.columns]
    # Text longer than its column wraps (a styled cell only then: plain strings are faster).
    texts = [(i, widths[i] - PADDING) for i, c in enumerate(table.columns) if c.kind == "text"]
    statuses = {i: table.labels(c) for i, c in enumerate(table.columns) if c.kind == "status"}
    words = {True: table.translate(YES), False: table.translate(NO)}
    booleans = [i for i, c in enumerate(table.columns) if c.kind == "bool"]
    # Excel has no time zones: date-times are shown in the configured zone (headers say which).
    times = [i for i, c in enumerate(table.columns) if c.kind in ("datetime", "timestamp")]
    minutes = {i for i, c in enumerate(table.columns) if c.kind == "datetime"}
    tz = table.timezone
    ws = _new_sheet(workbook, table, widths)
    # One style array for each kind of styled cell, built once: setting a style attribute on
    # every cell of a long sheet would cost more than writing the cell.
    wrapped = _style_of(ws, alignment=WRAP)
    to_the_minute = _style_of(ws, number_format=MINUTES)
    in_sheet = 1
    for row in rows:
        if in_sheet >= table.max_rows:
            _finish(ws, table, in_sheet)
            ws = _new_sheet(workbook, table, widths)
            in_sheet = 1
        values = list(row)
        height = 0.0
        for i, fits in texts:
            value = values[i]
            if value is None:
                continue
            text = value if isinstance(value, str) else str(value)
            if len(text) > fits // 2 and (
                len(text) > fits if text.isascii() else display_width(text) > fits
            ):
                cell = text_cell(ws, text)
                cast(Any, cell)._style = wrapped
                values[i] = cell
                height = max(height, wrapped_height(text, fits))
            else:
                values[i] = inert(ws, text)
        for i in booleans:
            value = values[i]
            if value is not None:
                values[i] = inert(ws, words[bool(value)])
        for i, labels in statuses.items():
            value = values[i]
            if value is not None:
                values[i] = inert(ws, labels.get(value, str(value)))
        for i in times:
            value = values[i]
            if value is not None:
                local = value.astimezone(tz).replace(tzinfo=None)
                if i in minutes:
                    cell = WriteOnlyCell(ws, local)
                    cast(Any, cell)._style = to_the_minute
                    values[i] = cell
                else:
                    values[i] = local
        if height:
            # Neither Excel nor LibreOffice grows a row to its wrapped text on opening. The
            # writer reads a row's attributes from this mapping; a plain dict (not a
            # RowDimension) is cheap, and the entry goes once the row is written.
            index, dims = in_sheet + 1, cast(Any, ws).row_dimensions
            dims[index] = {"ht": f"{height:g}", "customHeight": "1"}
            ws.append(values)
            del dims[index]
        else:
            ws.append(values)
        in_sheet += 1
        table.rows_written += 1
    _finish(ws, table, in_sheet)
    return table.rows_written


def _style_of(ws: WriteOnlyWorksheet, **attributes: Any) -> Any:
    """The style array of a cell with ``attributes``, to share between cells."""
    cell = WriteOnlyCell(ws)
    for name, value in attributes.items():
        setattr(cell, name, value)
    return cast(Any, cell)._style


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
    style: Style = PLAIN

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
        zone = context.timezone.key
        columns = [
            Column(
                _("%(name)s (%(zone)s)") % {"name": _(c.header), "zone": zone}
                if c.kind in ("datetime", "timestamp")
                else _(c.header),
                c.width,
                c.kind,
                c.terms,
            )
            for c in self.columns
        ]
        table = Table(title, columns, context.timezone, _, context.style)
        return {title: write_table(workbook, table, self.rows(context))}
