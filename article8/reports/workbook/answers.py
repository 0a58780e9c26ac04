"""The checklist answers sheet: every answer given in the inspections of the range, with a link
to the finding a failed answer raised."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from article8.controls.catalogue.models import ChecklistItem, ChecklistRevision
from article8.controls.findings.models import Finding
from article8.controls.inspections.models import ChecklistAnswer
from article8.core.errors import N_
from article8.core.period_labels import period_label
from article8.core.vocabulary import ANSWERS
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Checklist answers")
FINDINGS = N_("Findings")
# Inspections per statement: well under every database's limit of bound parameters.
CHUNK = 500


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per answer, by inspection and question."""
    by_id = {i.id: i for i in context.inspections}
    fy = context.settings.fiscal_year_start
    ids = list(by_id)
    for chunk in range(0, len(ids), CHUNK):
        raised: dict[tuple[int, int], list[int]] = {}
        found: Iterable[Any] = context.session.execute(
            select(Finding.inspection_id, Finding.item_id, Finding.id)
            .where(Finding.inspection_id.in_(ids[chunk : chunk + CHUNK]))
            .order_by(Finding.id)
        )
        for inspection_id, item_id, finding_id in found:
            raised.setdefault((inspection_id, item_id), []).append(finding_id)
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
                context.refs(FINDINGS, raised.get((inspection.id, item.id), [])),
            )


def keys(context: Context) -> Iterator[tuple[int, int]]:
    """The (inspection, checklist item) of each row, in row order."""
    ids = [i.id for i in context.inspections]
    for chunk in range(0, len(ids), CHUNK):
        pairs: Iterable[Any] = context.session.execute(
            select(ChecklistAnswer.inspection_id, ChecklistAnswer.item_id)
            .join(ChecklistItem, ChecklistItem.id == ChecklistAnswer.item_id)
            .where(ChecklistAnswer.inspection_id.in_(ids[chunk : chunk + CHUNK]))
            .order_by(ChecklistAnswer.inspection_id, ChecklistItem.position)
        )
        yield from ((inspection_id, item_id) for inspection_id, item_id in pairs)


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Inspection"), 10, "int"),
        Column(N_("Control"), 10),
        Column(N_("Period"), 20),
        Column(N_("Revision"), 9, "int"),
        Column(N_("No."), 6, "int"),
        Column(N_("Question"), 50),
        Column(N_("Answer"), 10, "status", (ANSWERS,)),
        Column(N_("Comment"), 40),
        Column(FINDINGS, 9, "link"),
    ),
    rows,
    holds=N_("Every answer and comment of those inspections, with the finding a failure raised"),
    scope=N_("Answers of the inspections whose period overlaps the range"),
    keys=keys,
)
