"""The summary: the inspections of the range by category and outcome as at the end of the range,
with a stacked chart."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.core.errors import N_
from article8.core.vocabulary import CATEGORIES
from article8.reports.workbook.as_at import outcomes
from article8.reports.workbook.page import HEADER_ROW
from article8.reports.workbook.table import Column, Context, Table, scope_line, write_table

OUTCOMES = ("total", "pass", "fail", "missed", "overdue")


def by_category(context: Context) -> dict[str, dict[str, int]]:
    """Per category (in the catalogue's order): the inspections of the range, and how they
    stood at its end."""
    counts = {code: dict.fromkeys(OUTCOMES, 0) for code in CATEGORIES.codes}
    categories = dict(context.session.execute(select(Control.id, Control.category)).all())
    for outcome in outcomes(context):
        row = counts.setdefault(categories[outcome.control_id], dict.fromkeys(OUTCOMES, 0))
        row["total"] += 1
        if outcome.status == "approved":
            row["pass" if outcome.result == "pass" else "fail"] += 1
        elif outcome.timeliness in ("missed", "overdue"):
            row[outcome.timeliness] += 1
    return counts


class Summary:
    """The third sheet; its rows are recorded as ``summary``."""

    title = N_("Summary")
    holds = N_("Inspections by category and outcome, with a chart")
    scope = N_("Inspections whose period overlaps the range, as they stood at its end")

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
            scope=scope_line(context, self.scope),
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
        last = HEADER_ROW + rows
        chart.add_data(
            Reference(ws, min_col=3, max_col=6, min_row=HEADER_ROW, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=last))
        chart.width, chart.height = 22, 10
        ws.add_chart(chart, f"A{last + 3}")
        return {"summary": rows}


SHEET = Summary()
