"""The findings sheet: every finding open at some time in the range, one row per corrective
action, with links to its inspection, checklist answer and anomaly."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from article8.access.models import Anomaly
from article8.controls.catalogue.models import ChecklistItem, Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.findings.titles import compose_title
from article8.controls.inspections.models import Inspection
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import ACTION_STATES, FINDING_STATES, SEVERITIES
from article8.reports.queries import action_open_during, finding_open_during
from article8.reports.workbook.table import Column, Context, Ref, TableSheet

TITLE = N_("Findings")
INSPECTIONS, ANSWERS, ANOMALIES = N_("Inspections"), N_("Checklist answers"), N_("Anomalies")
NO_ACTION = (None, None, None, None, None, None, None, None)


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per corrective action (one for a finding without any), by finding and action.

    One statement whatever the number of findings: the control and the people are joined, not
    loaded finding by finding.
    """
    owner, verifier = aliased(User, name="owner"), aliased(User, name="verifier")
    action = CorrectiveAction
    period, tz = context.period, context.timezone
    anomalies: dict[int, list[int]] = {}
    linked: Iterable[Any] = context.session.execute(
        select(Anomaly.finding_id, Anomaly.id)
        .join(Finding, Finding.id == Anomaly.finding_id)
        .where(finding_open_during(period, tz))
        .order_by(Anomaly.id)
    )
    for finding_id, anomaly_id in linked:
        anomalies.setdefault(finding_id, []).append(anomaly_id)
    found = context.session.execute(
        select(
            Finding.id,
            Control.code,
            Finding.severity,
            Finding.title,
            Finding.description,
            Finding.status,
            Finding.created_at,
            action.id,
            action.description,
            owner.display_name,
            action.due_on,
            action.status,
            action.resolved_at,
            verifier.display_name,
            action.verified_at,
            # What the title is composed from, in the reader's language (not the stored text).
            Finding.source,
            Inspection.period_start,
            Inspection.period_end,
            ChecklistItem.position,
            Finding.inspection_id,
            Finding.item_id,
        )
        .join(Control, Control.id == Finding.control_id)
        .outerjoin(Inspection, Inspection.id == Finding.inspection_id)
        .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
        .outerjoin(action, and_(action.finding_id == Finding.id, action_open_during(period, tz)))
        .outerjoin(owner, owner.id == action.owner_id)
        .outerjoin(verifier, verifier.id == action.verified_by_id)
        .where(finding_open_during(period, tz))
        .order_by(Finding.id, action.id)
    )
    for row in found:
        values: tuple[Any, ...] = tuple(row)
        source, start, end, position, inspection_id, item_id = values[15:]
        links = (
            context.ref(INSPECTIONS, inspection_id),
            None
            if item_id is None
            else Ref(position, context.link(ANSWERS, (inspection_id, item_id))),
            context.refs(ANOMALIES, anomalies.get(row.id, [])),
        )
        title = compose_title(
            source=source,
            stored=row.title,
            code=row.code,
            period=(start, end) if start and end else None,
            position=position,
            translate=context.translate,
            fy_start_month=context.settings.fiscal_year_start,
        )
        finding = (*values[:3], title, values[4] or None, *values[5:7], *links)
        action_id, *done = values[7:15]
        if action_id is None:
            yield (*finding, *NO_ACTION)
        else:
            described, owned_by, due_on, status, resolved_at, verified_by, verified_at = done
            yield (
                *finding,
                action_id,
                described,
                owned_by,
                due_on,
                status,
                resolved_at,
                verified_by,
                verified_at,
            )


def keys(context: Context) -> Iterable[int]:
    """The finding of each row, in row order (a finding with several actions has several)."""
    period, tz = context.period, context.timezone
    return context.session.scalars(
        select(Finding.id)
        .outerjoin(
            CorrectiveAction,
            and_(CorrectiveAction.finding_id == Finding.id, action_open_during(period, tz)),
        )
        .where(finding_open_during(period, tz))
        .order_by(Finding.id, CorrectiveAction.id)
    )


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Finding"), 8, "int"),
        Column(N_("Control"), 10),
        Column(N_("Severity"), 10, "status", (SEVERITIES,)),
        Column(N_("Title"), 18),
        Column(N_("Description"), 24),
        Column(N_("Finding status"), 12, "status", (FINDING_STATES,)),
        Column(N_("Opened"), 17, "datetime"),
        Column(N_("Inspection"), 9, "link"),
        Column(N_("Checklist item"), 8, "link"),
        Column(N_("Anomaly"), 8, "link"),
        Column(N_("Action"), 8, "int"),
        Column(N_("Corrective action"), 24),
        Column(N_("Owner"), 12),
        Column(N_("Due"), 12, "date"),
        Column(N_("Action status"), 12, "status", (ACTION_STATES,)),
        Column(N_("Resolved"), 17, "datetime"),
        Column(N_("Verified by"), 12),
        Column(N_("Verified"), 17, "datetime"),
    ),
    rows,
    holds=N_(
        "Every finding with its corrective actions, one row per action, with links to the "
        "inspection, checklist answer and anomaly it came from"
    ),
    scope=N_(
        "Findings open at some time in the range (raised before it ended, not closed before it "
        "began) and their actions open at some time in it; status as at generation"
    ),
    keys=keys,
)
