"""The inspections sheet: every inspection due in the period, who did what, and when."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from article8.core.errors import N_
from article8.core.period_labels import period_label
from article8.core.vocabulary import INSPECTION_RESULTS, INSPECTION_STATES, TIMELINESS
from article8.reports.queries import timeliness_code
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per inspection due in the period, by due date and control."""
    fy = context.settings.fiscal_year_start
    for i in context.inspections:
        approved = i.status == "approved"
        yield (
            i.id,
            i.control.code,
            period_label(i.period_start, i.period_end, context.translate, fy),
            i.period_start,
            i.period_end,
            i.due_on,
            i.assignee.display_name if i.assignee else "",
            i.performed_by.display_name if i.performed_by else "",
            i.submitted_at,
            i.reviewed_by.display_name if i.reviewed_by and approved else "",
            i.reviewed_at if approved else None,
            i.status,
            i.result or "",
            timeliness_code(i, today=context.today, tz=context.timezone),
        )


SHEET = TableSheet(
    N_("Inspections"),
    (
        Column(N_("Id"), 8, "int"),
        Column(N_("Control"), 10),
        Column(N_("Period"), 12),
        Column(N_("Period start"), 12, "date"),
        Column(N_("Period end"), 12, "date"),
        Column(N_("Due"), 12, "date"),
        Column(N_("Assignee"), 20),
        Column(N_("Performed by"), 20),
        Column(N_("Submitted"), 17, "datetime"),
        Column(N_("Approved by"), 20),
        Column(N_("Approved"), 17, "datetime"),
        Column(N_("Status"), 12, "status", (INSPECTION_STATES,)),
        Column(N_("Result"), 10, "status", (INSPECTION_RESULTS,)),
        Column(N_("Timeliness"), 12, "status", (TIMELINESS,)),
    ),
    rows,
)
