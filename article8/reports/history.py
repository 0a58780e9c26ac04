"""State at a past instant, as SQL expressions: the dashboard's "as of" reconstruction.

Every figure of the dashboard is computed from the selectables and predicates here, so the live
page and the page "as of" a past instant run the same queries; only these building blocks differ.

What is exact and what is approximated (``as_of`` given):

- Inspections: exact. Every change of state is an ``inspection.*`` event in the audit trail; the
  state at ``as_of`` is the one set by the inspection's latest such event at or before it (by
  chain sequence). An inspection created after ``as_of`` did not exist. The result of a submitted
  or approved inspection is in its submit and approve events; the submission time is the latest
  submit event at or before ``as_of``. Two approximations: an inspection created as "scheduled or
  open" counts as open once its opening day has come, even if the scheduler opened it late; an
  inspection with no state event at all (written by other means) keeps the state it has now.
- Controls: those created at or before ``as_of`` that are active now (activation changes are
  not replayed).
- Evidence: exact. An item was current from its upload until it was withdrawn or a newer version
  of its series was uploaded; its validity dates never change.
- Findings: open at ``as_of`` when created by then and either still open now or last changed
  after ``as_of``; severity is today's.
- Corrective actions: open at ``as_of`` when created by then and not resolved by then (an action
  reopened after ``as_of`` counts as open).
- Anomalies: awaiting triage at ``as_of`` when found by then and still new now or last triaged
  after it (a decision revised after ``as_of`` hides an earlier one). Anomalies a later rules
  run withdrew are no longer known.
- Incidents: open at ``as_of`` when reported by then and not closed by then; a PPC report counts
  as made on its recorded date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from article8.access.models import Anomaly
from article8.controls.catalogue.models import Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.incidents.models import Incident
from article8.controls.inspections.models import Inspection
from article8.core.models import AuditEvent
from article8.evidence.models import EvidenceItem
from article8.reports.period import Moment

# The audit actions that move an inspection from one state to another, and the state they set.
STATE_ACTIONS = {
    "inspection.open": "open",
    "inspection.start": "in_progress",
    "inspection.submit": "submitted",
    "inspection.return": "returned",
    "inspection.approve": "approved",
    "inspection.missed": "missed",
}
CREATE_ACTION = "inspection.create"


def inspection_states(moment: Moment) -> CTE:
    """Every inspection that existed at the moment, with its state, result and submission time.

    Columns: id, control_id, period_start, period_end, period_label, opens_on, due_on, status,
    result, submitted_at.
    """
    i = Inspection
    keys = (i.id, i.control_id, i.period_start, i.period_end, i.period_label, i.opens_on, i.due_on)
    if moment.as_of is None:
        return select(*keys, i.status, i.result, i.submitted_at).cte("inspection_state")
    as_of = moment.as_of
    events = (
        select(
            AuditEvent.object_id.label("object_id"),
            func.max(AuditEvent.seq).label("last_seq"),
            func.max(
                case((AuditEvent.action == "inspection.submit", AuditEvent.occurred_at))
            ).label("submitted_at"),
        )
        .where(
            AuditEvent.object_type == "inspection",
            AuditEvent.action.in_((CREATE_ACTION, *STATE_ACTIONS)),
            AuditEvent.occurred_at <= as_of,
        )
        .group_by(AuditEvent.object_id)
        .subquery("inspection_events")
    )
    last = aliased(AuditEvent, name="last_event")
    created = case(
        (event_detail(last.details, "status", moment.dialect) == "missed", "missed"),
        (i.opens_on <= moment.today, "open"),
        else_="scheduled",
    )
    status = case(
        (last.action == CREATE_ACTION, created),
        *((last.action == action, state) for action, state in STATE_ACTIONS.items()),
        # No recorded change at all: the row as it is now.
        else_=i.status,
    )
    graded = last.action.in_(("inspection.submit", "inspection.approve"))
    result = case(
        (and_(graded, event_detail(last.details, "result", moment.dialect) == "fail"), "fail"),
        (graded, "pass"),
        (last.action.is_(None), i.result),
        else_=None,
    )
    submitted_at = func.coalesce(
        events.c.submitted_at, case((i.submitted_at <= as_of, i.submitted_at))
    )
    return (
        select(
            *keys,
            status.label("status"),
            result.label("result"),
            submitted_at.label("submitted_at"),
        )
        .outerjoin(events, events.c.object_id == cast(i.id, String))
        .outerjoin(last, last.seq == events.c.last_seq)
        .where(i.created_at <= as_of)
        .cte("inspection_state")
    )


def event_detail(details: Any, key: str, dialect: str) -> ColumnElement[Any]:
    """The text of the top-level ``key`` of an audit event's JSON details (NULL when absent).

    An exact test, unlike a LIKE on the text: the same words inside a nested value or another
    key do not match. SQLite reads the text with its JSON functions; PostgreSQL casts it.
    """
    if dialect == "postgresql":
        return cast(details, postgresql.JSON)[key].astext
    return func.json_extract(details, f"$.{key}")


def control_active(moment: Moment) -> ColumnElement[bool]:
    """Controls in the programme at the moment."""
    if moment.as_of is None:
        return Control.active.is_(True)
    return and_(Control.active.is_(True), Control.created_at <= moment.as_of)


def evidence_current(moment: Moment, item: Any = EvidenceItem) -> ColumnElement[bool]:
    """Evidence that was the current version (neither superseded nor withdrawn) at the moment."""
    if moment.as_of is None:
        return item.status == "current"  # type: ignore[no-any-return]
    as_of = moment.as_of
    newer = aliased(EvidenceItem, name="newer_version")
    superseded = exists().where(
        newer.series_id == item.series_id,
        newer.version > item.version,
        newer.uploaded_at <= as_of,
    )
    return and_(
        item.uploaded_at <= as_of,
        or_(item.withdrawn_at.is_(None), item.withdrawn_at > as_of),
        ~superseded,
    )


def finding_open(moment: Moment) -> ColumnElement[bool]:
    """Findings still being worked on at the moment."""
    unsettled = Finding.status.in_(("open", "in_progress"))
    if moment.as_of is None:
        return unsettled
    return and_(
        Finding.created_at <= moment.as_of, or_(unsettled, Finding.updated_at > moment.as_of)
    )


def action_open(moment: Moment) -> ColumnElement[bool]:
    """Corrective actions not yet resolved at the moment."""
    if moment.as_of is None:
        return CorrectiveAction.status.in_(("open", "in_progress"))
    settled = or_(
        and_(
            CorrectiveAction.status.in_(("resolved", "verified")),
            CorrectiveAction.resolved_at <= moment.as_of,
        ),
        and_(
            CorrectiveAction.status == "cancelled",
            CorrectiveAction.cancelled_at <= moment.as_of,
        ),
    )
    return and_(CorrectiveAction.created_at <= moment.as_of, ~settled)


def anomaly_new(moment: Moment) -> ColumnElement[bool]:
    """Anomalies nobody had triaged yet at the moment."""
    if moment.as_of is None:
        return Anomaly.status == "new"
    return and_(
        Anomaly.created_at <= moment.as_of,
        or_(Anomaly.status == "new", Anomaly.triaged_at > moment.as_of),
    )


def incident_open(moment: Moment) -> ColumnElement[bool]:
    """Incidents reported and not yet closed at the moment."""
    if moment.as_of is None:
        return Incident.status != "closed"
    return and_(
        Incident.reported_at <= moment.as_of,
        or_(Incident.status != "closed", Incident.closed_at > moment.as_of),
    )


def reported_by(day: date | None, moment: Moment) -> bool:
    """Whether a PPC report made on ``day`` had been made by the moment's day."""
    return day is not None and day <= moment.today
