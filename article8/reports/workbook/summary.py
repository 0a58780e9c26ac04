"""The summary: inspections due in the period by category and outcome, with a stacked chart."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from article8.core.vocabulary import CATEGORIES
from article8.reports.queries import timeliness_code
from article8.reports.workbook.table import Column, Context, Table, write_table

OUTCOMES = ("total", "pass", "fail", "missed", "overdue")


def by_category(context: Context) -> dict[str, dict[str, int]]:
    """Per category (in the catalogue's order): inspections due, and how they came out."""
    counts = {code: dict.fromkeys(OUTCOMES, 0) for code in CATEGORIES.codes}
    for inspection in context.inspections:
        row = counts.setdefault(inspection.control.category, dict.fromkeys(OUTCOMES, 0))
        row["total"] += 1
        state = timeliness_code(inspection, today=context.today, tz=context.timezone)
        if inspection.status == "approved":
            row["pass" if inspection.result == "pass" else "fail"] += 1
        elif state in ("missed", "overdue"):
            row[state] += 1
    return counts


class Summary:
    """The second sheet; its rows are recorded as ``summary``."""

    def write(self, workbook: Workbook, context: Context) -> dict[str, int]:
        """Add the summary table and its chart."""
        _ = context.translate
        table = Table(
            _("Summary"),
            [
                Column(_("Category"), 26),
                Column(_("Inspections"), 12, "int"),
                Column(_("Approved, passed"), 14, "int"),
                Column(_("Approved, failed"), 14, "int"),
                Column(_("Missed"), 10, "int"),
                Column(_("Overdue"), 10, "int"),
            ],
            context.timezone,
            _,
            context.style,
        )
        rows = write_table(
            workbook,
            table,
            (
                (CATEGORIES.translated(code, _), *(n[outcome] for outcome in OUTCOMES))
                for code, n in by_category(context).items()
            ),
        )
        # A write-only sheet borrows add_chart from Worksheet; openpyxl's stubs do not say so.
        ws: Any = table.sheets[0]
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = _("Inspections by category")
        chart.add_data(
            Reference(ws, min_col=3, max_col=6, min_row=1, max_row=rows + 1),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
        chart.width, chart.height = 22, 10
        ws.add_chart(chart, "H2")
        return {"summary": rows}


SHEET = Summary()
