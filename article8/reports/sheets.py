"""Writing one table to a write-only worksheet: typed cells, inert text, Excel niceties.

Every sheet gets a frozen, filtered header row, column widths, landscape printing with the header
repeated on each page, and conditional colours for status columns. A table longer than Excel's
row limit continues on a second sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from article8.core.xlsx import header_cell, inert

EXCEL_MAX_ROWS = 1_048_576
STATUS_COLOURS = {
    "approved": "C6EFCE",
    "pass": "C6EFCE",
    "verified": "C6EFCE",
    "current": "C6EFCE",
    "on time": "C6EFCE",
    "ok": "C6EFCE",
    "closed": "C6EFCE",
    "fail": "FFC7CE",
    "missed": "FFC7CE",
    "late": "FFEB9C",
    "overdue": "FFC7CE",
    "expired": "FFC7CE",
    "high": "FFC7CE",
    "withdrawn": "D9D9D9",
    "medium": "FFEB9C",
    "open": "DDEBF7",
    "in_progress": "DDEBF7",
    "submitted": "FFEB9C",
    "returned": "FFEB9C",
}


@dataclass(frozen=True)
class Column:
    """One column: its header, width and kind (text, int, date, datetime, bool, status)."""

    header: str
    width: int = 14
    kind: str = "text"


@dataclass
class Table:
    """A sheet's columns and how to turn values into cells."""

    title: str
    columns: Sequence[Column]
    timezone: ZoneInfo
    # Status codes shown as words in the workbook's language (the colours follow the words).
    labels: dict[str, str] = field(default_factory=dict)
    max_rows: int = EXCEL_MAX_ROWS
    rows_written: int = 0
    sheets: list[WriteOnlyWorksheet] = field(default_factory=list)


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
    statuses = [i for i, c in enumerate(table.columns) if c.kind == "status"]
    # Excel has no time zones: date-times are shown in the configured zone (headers say which).
    times = [i for i, c in enumerate(table.columns) if c.kind == "datetime"]
    labels, tz = table.labels, table.timezone
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
        for i in statuses:
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


def _finish(ws: WriteOnlyWorksheet, table: Table, rows: int) -> None:
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A1:{last}{max(rows, 1)}"
    for index, column in enumerate(table.columns, 1):
        letter = get_column_letter(index)
        if column.kind == "status" and rows > 1:
            target = f"{letter}2:{letter}{rows}"
            for value, colour in STATUS_COLOURS.items():
                ws.conditional_formatting.add(
                    target,
                    CellIsRule(
                        operator="equal",
                        formula=[f'"{value}"'],
                        fill=PatternFill("solid", start_color=colour, end_color=colour),
                    ),
                )
