"""What every sheet of the workbook shares: the export's context and writing one table.

A table goes to a write-only worksheet with typed cells and inert text. Every table sheet gets a
frozen, filtered header row; column widths that fit the formatted dates, times, labels and words
(longer text wraps); A4 printing one page wide (landscape when wider than portrait) with the
header repeated on each page; booleans as words; and, in status columns, each code shown as its
label in the workbook's language, filled in the colour of the code's tone. A table longer than
Excel's row limit continues on a next sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.hyperlink import Hyperlink
from sqlalchemy.orm import Session

from article8.controls.inspections.models import Inspection
from article8.core.audit import Actor
from article8.core.errors import N_
from article8.core.settings import Settings
from article8.core.vocabulary import Term, Translate, Vocabulary
from article8.core.xlsx import inert, safe_text, text_cell
from article8.reports.period import Period, end_of_local_day
from article8.reports.workbook.page import (
    FONT_SIZE,
    HEADER_ALIGNMENT,
    HEADER_ROW,
    PLAIN,
    PORTRAIT_WIDTH,
    TOP,
    TOP_WRAP,
    Style,
    display_width,
    set_up_page,
    wrapped_height,
    write_title_block,
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


SCOPE = N_("Scope of this sheet: %(scope)s")
LINK_COLOUR = "0563C1"


def untranslated(message: str) -> str:
    """The message as given (a table without a language)."""
    return message


@dataclass(frozen=True)
class Column:
    """One column: its header, width and kind (text, int, date, datetime, timestamp, bool,
    status, link).

    A status column shows codes of ``terms`` (one or more vocabularies) as their labels. A link
    column holds :class:`Ref` values: the id as shown, and where in the workbook it leads.
    """

    header: str
    width: int = 14
    # "raw" is text the product itself makes in a fixed ASCII alphabet (hex hashes, ISO times):
    # written as is, with no formula check and no wrapping (it cannot start a formula).
    kind: str = "text"
    terms: tuple[Vocabulary, ...] = ()


@dataclass(frozen=True)
class Ref:
    """A cell of a link column: the id(s) as shown, and the cell it leads to (``'Sheet'!A12``)
    when the record is in the workbook."""

    value: int | str
    location: str | None = None


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
    # The title block's scope line (translated); None for a bare table without a title block.
    scope: str | None = None
    rows_written: int = 0
    sheets: list[WriteOnlyWorksheet] = field(default_factory=list)

    def labels(self, column: Column) -> dict[str, str]:
        """The shown label of each code of a status column."""
        return {code: self.translate(term.label) for code, term in _terms(column).items()}

    def width(self, column: Column) -> int:
        """The column's width: its formatted values fit (dates and times never show ###); text
        longer than the declared width wraps."""
        if column.kind == "link":
            widest = 0
        elif column.kind == "status":
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
    header = _header_row(table)
    ws.freeze_panes = f"A{header + 1}"
    set_up_page(ws, table.style, title, landscape=sum(widths) > PORTRAIT_WIDTH)
    # Only the header repeats on every printed page; the print header carries the title block's
    # facts on every page.
    ws.print_title_rows = f"{header}:{header}"
    if table.scope is not None:
        write_title_block(ws, table.style, title, table.scope, len(widths), sum(widths))
    ws.append([_header(ws, table.style, c.header) for c in table.columns])
    table.sheets.append(ws)
    return ws


def _header_row(table: Table) -> int:
    """The row of the table's header: under the title block, if any."""
    return 1 if table.scope is None else HEADER_ROW


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
    links = [(i, widths[i] - PADDING) for i, c in enumerate(table.columns) if c.kind == "link"]
    letters = [get_column_letter(i + 1) for i in range(len(table.columns))]
    # Labels and words are made safe once: no per-cell check for the product's own words.
    statuses = {
        i: {code: safe_text(label) for code, label in table.labels(c).items()}
        for i, c in enumerate(table.columns)
        if c.kind == "status"
    }
    words = {True: safe_text(table.translate(YES)), False: safe_text(table.translate(NO))}
    booleans = [i for i, c in enumerate(table.columns) if c.kind == "bool"]
    # Excel has no time zones: date-times are shown in the configured zone (headers say which).
    times = [i for i, c in enumerate(table.columns) if c.kind in ("datetime", "timestamp")]
    minutes = {i for i, c in enumerate(table.columns) if c.kind == "datetime"}
    tz = table.timezone
    ws = _new_sheet(workbook, table, widths)
    # One style array for each kind of styled cell, built once: setting a style attribute on
    # every cell of a long sheet would cost more than writing the cell.
    # Styled cells align to the top: in a row grown for wrapped text, the row reads level.
    wrapped = _style_of(ws, alignment=TOP_WRAP)
    to_the_minute = _style_of(ws, number_format=MINUTES, alignment=TOP)
    linked = _style_of(
        ws,
        font=Font(name=table.style.font_name, sz=FONT_SIZE, color=LINK_COLOUR, u="single"),
        alignment=TOP,
    )
    linked_wrapped = _style_of(
        ws,
        font=Font(name=table.style.font_name, sz=FONT_SIZE, color=LINK_COLOUR, u="single"),
        alignment=TOP_WRAP,
    )
    offset = _header_row(table) - 1
    in_sheet = 1
    for row in rows:
        if in_sheet + offset >= table.max_rows:
            _finish(ws, table, in_sheet)
            ws = _new_sheet(workbook, table, widths)
            in_sheet = 1
        values = list(row)
        height = 0.0
        for i, fits in texts:
            value = values[i]
            if value is None or value == "":
                # An empty cell stays blank (no empty string a formula would count).
                values[i] = None
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
                values[i] = words[bool(value)]
        for i, labels in statuses.items():
            value = values[i]
            if value is None or value == "":
                values[i] = None
            else:
                label = labels.get(value)
                values[i] = label if label is not None else inert(ws, str(value))
        for i, fits in links:
            ref = values[i]
            if isinstance(ref, Ref):
                shown = ref.value if isinstance(ref.value, int) else safe_text(ref.value)
                cell = WriteOnlyCell(ws, shown)
                # A list of ids longer than its column wraps at its commas.
                long = isinstance(shown, str) and len(shown) > fits
                if long:
                    height = max(height, wrapped_height(str(shown), fits))
                if ref.location:
                    cast(Any, cell)._style = linked_wrapped if long else linked
                    coordinate = f"{letters[i]}{in_sheet + offset + 1}"
                    cast(Any, cell)._hyperlink = Hyperlink(ref=coordinate, location=ref.location)
                elif long:
                    cast(Any, cell)._style = wrapped
                values[i] = cell
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
            index, dims = in_sheet + offset + 1, cast(Any, ws).row_dimensions
            dims[index] = {"ht": f"{height:g}", "customHeight": "1"}
            for j, value in enumerate(values):
                if value is not None and not isinstance(value, Cell):
                    cell = WriteOnlyCell(ws, value)
                    cell.alignment = TOP
                    values[j] = cell
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
    header = _header_row(table)
    end = header - 1 + max(rows, 1)
    ws.auto_filter.ref = f"A{header}:{last}{end}"
    for index, column in enumerate(table.columns, 1):
        letter = get_column_letter(index)
        if column.kind != "status" or rows <= 1:
            continue
        target = f"{letter}{header + 1}:{letter}{end}"
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
    """One export: what every sheet reads, the inspections in scope that several sheets share,
    and where each linked record's row is (filled in before the first sheet is written)."""

    session: Session
    settings: Settings
    period: Period
    lang: str
    actor: Actor
    now: datetime
    translate: Translate
    inspections: list[Inspection]
    style: Style = PLAIN
    # The sheets of the workbook, in order (the index lists them).
    sheets: tuple[Sheet, ...] = ()
    # (sheet title message id, record key) -> the record's first row on that sheet.
    rows: dict[tuple[str, Hashable], int] = field(default_factory=dict)
    # What one sheet works out for another (the audit trail's chain check for the cover).
    memo: dict[str, Any] = field(default_factory=dict)
    # Work to finish once every sheet is written (the cover's rows, which show the chain check).
    after: list[Callable[[], None]] = field(default_factory=list)

    def link(self, sheet: str, key: Hashable) -> str | None:
        """Where the record ``key`` is on the sheet titled ``sheet`` (a message id), as a
        hyperlink location (``'Findings'!A12``); None when the workbook does not hold it."""
        row = self.rows.get((sheet, key))
        if row is None:
            return None
        return f"{quote_sheetname(self.translate(sheet))}!A{row}"

    def ref(self, sheet: str, key: Any) -> Ref | None:
        """A link cell to the record ``key`` on ``sheet`` showing its id (None for no record)."""
        if key is None:
            return None
        return Ref(key, self.link(sheet, key))

    def refs(self, sheet: str, keys: Sequence[Any]) -> Ref | None:
        """One cell naming several records ("12, 15"), leading to the first."""
        if not keys:
            return None
        if len(keys) == 1:
            return self.ref(sheet, keys[0])
        return Ref(", ".join(str(k) for k in keys), self.link(sheet, keys[0]))

    @property
    def as_at(self) -> datetime:
        """The instant counts are taken at: the end of the range (UTC), or the generation time
        when the range ends later."""
        return min(end_of_local_day(self.period.end, self.timezone), self.now)

    @property
    def as_at_day(self) -> date:
        """The local day of :attr:`as_at`: what was overdue then is judged against it."""
        return min(self.period.end, self.today)

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
    """A sheet that is one table: a title and columns (message ids) and the rows to show.

    ``holds`` (what the sheet holds) and ``scope`` (which records, in words: the range rule it
    follows) are message ids shown in the index and the title block. ``keys``, when given,
    yields each row's record key in row order, so that other sheets can link to its rows.
    """

    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Context], Iterable[Sequence[Any]]]
    holds: str = ""
    scope: str = ""
    keys: Callable[[Context], Iterable[Hashable]] | None = None

    def locate(self, context: Context) -> None:
        """Record the row of each of this sheet's records in ``context.rows``."""
        if self.keys is None:
            return
        for number, key in enumerate(self.keys(context), HEADER_ROW + 1):
            if number >= EXCEL_MAX_ROWS:
                break  # a continuation sheet: not linked
            context.rows.setdefault((self.title, key), number)

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
        table = Table(
            title,
            columns,
            context.timezone,
            _,
            context.style,
            scope=scope_line(context, self.scope),
        )
        return {title: write_table(workbook, table, self.rows(context))}


def scope_line(context: Context, scope: str) -> str:
    """The title block's scope line: the sheet's scope (a message id) in the edition's language."""
    _ = context.translate
    return _(SCOPE) % {"scope": _(scope) if scope else "-"}
