"""The inspections sheet: every inspection whose period overlaps the range, who did what and
when, how its review went, and links to its evidence and findings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, select

from article8.controls.findings.models import Finding
from article8.core.errors import N_
from article8.core.models import AuditEvent
from article8.core.period_labels import period_label
from article8.core.vocabulary import INSPECTION_RESULTS, INSPECTION_STATES, TIMELINESS
from article8.evidence.models import EvidenceItem
from article8.reports.queries import timeliness_code
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Inspections")
EVIDENCE, FINDINGS = N_("Evidence"), N_("Findings")
# Inspections per statement: well under every database's limit of bound parameters.
CHUNK = 500


def _by_inspection(context: Context, column: Any, owner: Any) -> dict[int, list[int]]:
    """The ids in ``column`` of the rows whose ``owner`` is an inspection of the sheet."""
    found: dict[int, list[int]] = {}
    ids = [i.id for i in context.inspections]
    for chunk in range(0, len(ids), CHUNK):
        pairs: Iterable[Any] = context.session.execute(
            select(owner, column).where(owner.in_(ids[chunk : chunk + CHUNK])).order_by(column)
        )
        for inspection_id, record_id in pairs:
            found.setdefault(inspection_id, []).append(record_id)
    return found


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per inspection in scope, by due date and control."""
    fy = context.settings.fiscal_year_start
    evidence = _by_inspection(context, EvidenceItem.id, EvidenceItem.inspection_id)
    findings = _by_inspection(context, Finding.id, Finding.inspection_id)
    # How often each inspection was sent back: its return events in the audit trail.
    returns: dict[str, int] = {}
    ids = [str(i.id) for i in context.inspections]
    for chunk in range(0, len(ids), CHUNK):
        counted: Iterable[Any] = context.session.execute(
            select(AuditEvent.object_id, func.count())
            .where(
                AuditEvent.object_type == "inspection",
                AuditEvent.action == "inspection.return",
                AuditEvent.object_id.in_(ids[chunk : chunk + CHUNK]),
            )
            .group_by(AuditEvent.object_id)
        )
        returns.update((object_id, count) for object_id, count in counted)
    for i in context.inspections:
        reviewed = i.status in ("approved", "returned")
        yield (
            i.id,
            i.control.code,
            period_label(i.period_start, i.period_end, context.translate, fy),
            i.period_start,
            i.period_end,
            i.due_on,
            i.assignee.display_name if i.assignee else None,
            i.performed_by.display_name if i.performed_by else None,
            i.submitted_at,
            i.reviewed_by.display_name if i.reviewed_by and reviewed else None,
            i.reviewed_at if reviewed else None,
            i.review_comment if reviewed else None,
            returns.get(str(i.id)) or None,
            i.status,
            i.result,
            timeliness_code(i, today=context.today, tz=context.timezone),
            context.refs(EVIDENCE, evidence.get(i.id, [])),
            context.refs(FINDINGS, findings.get(i.id, [])),
        )


def keys(context: Context) -> Iterator[int]:
    """The inspection of each row, in row order."""
    return (i.id for i in context.inspections)


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Id"), 8, "int"),
        Column(N_("Control"), 10),
        Column(N_("Period"), 20),
        Column(N_("Period start"), 12, "date"),
        Column(N_("Period end"), 12, "date"),
        Column(N_("Due"), 12, "date"),
        Column(N_("Assignee"), 16),
        Column(N_("Performed by"), 16),
        Column(N_("Submitted"), 17, "datetime"),
        Column(N_("Reviewed by"), 16),
        Column(N_("Reviewed"), 17, "datetime"),
        Column(N_("Review comment"), 24),
        Column(N_("Times returned"), 8, "int"),
        Column(N_("Status"), 12, "status", (INSPECTION_STATES,)),
        Column(N_("Result"), 10, "status", (INSPECTION_RESULTS,)),
        Column(N_("Timeliness"), 12, "status", (TIMELINESS,)),
        Column(EVIDENCE, 10, "link"),
        Column(FINDINGS, 10, "link"),
    ),
    rows,
    holds=N_(
        "Each inspection: who did what and when, its review (comment, times returned), result "
        "and timeliness, with links to its evidence and findings"
    ),
    scope=N_("Inspections whose period overlaps the range; each as it stands at generation"),
    keys=keys,
)
