"""The checklist answers sheet: every answer given in the inspections due in the period."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.controls.catalogue.models import ChecklistItem, ChecklistRevision
from article8.controls.inspections.models import ChecklistAnswer
from article8.core.errors import N_
from article8.core.period_labels import period_label
from article8.core.vocabulary import ANSWERS
from article8.reports.workbook.table import Column, Context, TableSheet

# Inspections per statement: well under every database's limit of bound parameters.
CHUNK = 500


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per answer, by inspection and question."""
    by_id = {i.id: i for i in context.inspections}
    fy = context.settings.fiscal_year_start
    ids = list(by_id)
    for chunk in range(0, len(ids), CHUNK):
        for answer, item, number in context.session.execute(
            select(ChecklistAnswer, ChecklistItem, ChecklistRevision.number)
            .join(ChecklistItem, ChecklistItem.id == ChecklistAnswer.item_id)
            .join(ChecklistRevision, ChecklistRevision.id == ChecklistItem.revision_id)
            .where(ChecklistAnswer.inspection_id.in_(ids[chunk : chunk + CHUNK]))
            .order_by(ChecklistAnswer.inspection_id, ChecklistItem.position)
        ):
            inspection = by_id[answer.inspection_id]
            yield (
                inspection.id,
                inspection.control.code,
                period_label(inspection.period_start, inspection.period_end, context.translate, fy),
                number,
                item.position,
                item.text(context.lang),
                answer.answer,
                answer.comment,
            )


SHEET = TableSheet(
    N_("Checklist answers"),
    (
        Column(N_("Inspection"), 10, "int"),
        Column(N_("Control"), 10),
        Column(N_("Period"), 12),
        Column(N_("Revision"), 9, "int"),
        Column(N_("No."), 6, "int"),
        Column(N_("Question"), 50),
        Column(N_("Answer"), 10, "status", (ANSWERS,)),
        Column(N_("Comment"), 40),
    ),
    rows,
)
