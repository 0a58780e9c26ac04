"""The read side the audit workbook and the OSCAL exports share.

Both speak of the same things (the catalogue in force, the inspections of a period, how each
met its due date), so both ask for them here; neither imports the other.

The workbook's scoping rule (stated on its cover and index) is written here once:

- inspections whose period overlaps the range (:func:`overlapping`);
- findings, corrective actions, anomalies and incidents open at any time in the range
  (:func:`finding_open_during` and its siblings): a record settled before the range starts is
  out, one raised after it ends is out;
- evidence in force at some time in the range, and any item linked to an inspection of it;
- counts as at the end of the range (the "as of" predicates of :mod:`article8.reports.history`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from article8.access.models import Anomaly
from article8.controls.catalogue.models import ChecklistRevision, Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.incidents.models import Incident
from article8.controls.inspections.models import Inspection, timeliness
from article8.evidence.models import EvidenceItem
from article8.reports.period import Period

# ``timeliness()`` says "on time" and "open" (not yet due); the vocabulary's codes for those.
TIMELINESS_CODES = {"on time": "on_time", "open": "not_due"}


def catalogue_fingerprint(session: Session) -> tuple[int, str]:
    """The catalogue in force: how many active controls, and a digest of them and their
    checklist revisions."""
    rows = session.execute(
        select(Control.code, func.max(ChecklistRevision.number))
        .join(ChecklistRevision, ChecklistRevision.control_id == Control.id)
        .where(Control.active.is_(True))
        .group_by(Control.code)
        .order_by(Control.code)
    ).all()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def catalogue_version(session: Session) -> str:
    """The catalogue's fingerprint as OSCAL's metadata version (``39 controls · 64a568d8918c``)."""
    count, digest = catalogue_fingerprint(session)
    return f"{count} controls · {digest}"


def due_in(period: Period) -> ColumnElement[bool]:
    """Inspections whose due date falls in ``period``."""
    return Inspection.due_on.between(period.start, period.end)


def inspections_due(session: Session, period: Period) -> list[Inspection]:
    """The inspections due in ``period`` by due date and control, with their control and people."""
    return list(
        session.scalars(
            select(Inspection)
            .join(Control, Control.id == Inspection.control_id)
            .options(
                selectinload(Inspection.control),
                selectinload(Inspection.assignee),
                selectinload(Inspection.performed_by),
                selectinload(Inspection.reviewed_by),
            )
            .where(due_in(period))
            .order_by(Inspection.due_on, Control.code)
        )
    )


def overlapping(period: Period) -> ColumnElement[bool]:
    """Inspections whose period overlaps ``period`` (this month's are in from its first day)."""
    return and_(Inspection.period_start <= period.end, Inspection.period_end >= period.start)


def inspections_in(session: Session, period: Period) -> list[Inspection]:
    """The inspections whose period overlaps ``period``, by due date and control, with their
    control and people."""
    return list(
        session.scalars(
            select(Inspection)
            .join(Control, Control.id == Inspection.control_id)
            .options(
                selectinload(Inspection.control),
                selectinload(Inspection.assignee),
                selectinload(Inspection.performed_by),
                selectinload(Inspection.reviewed_by),
            )
            .where(overlapping(period))
            .order_by(Inspection.due_on, Control.code, Inspection.id)
        )
    )


# A finding or an action is settled (no longer open) from its last change on, as the "as of"
# view reads it (history.finding_open): the model keeps no separate closing time.
def finding_open_during(period: Period, tz: ZoneInfo) -> ColumnElement[bool]:
    """Findings open at some time in ``period``: raised before it ended and not settled before
    it started."""
    return and_(
        Finding.created_at < period.ends_at(tz),
        or_(
            Finding.status.in_(("open", "in_progress")), Finding.updated_at >= period.starts_at(tz)
        ),
    )


def action_open_during(period: Period, tz: ZoneInfo) -> ColumnElement[bool]:
    """Corrective actions open at some time in ``period`` (created before it ended, and neither
    resolved nor cancelled before it started)."""
    start = period.starts_at(tz)
    settled_before = or_(
        and_(
            CorrectiveAction.status.in_(("resolved", "verified")),
            CorrectiveAction.resolved_at < start,
        ),
        and_(CorrectiveAction.status == "cancelled", CorrectiveAction.cancelled_at < start),
    )
    return and_(CorrectiveAction.created_at < period.ends_at(tz), ~settled_before)


def anomaly_in(period: Period, tz: ZoneInfo) -> ColumnElement[bool]:
    """Anomalies on the period's days, and any awaiting triage at some time in it."""
    awaiting = and_(
        Anomaly.created_at < period.ends_at(tz),
        or_(Anomaly.status == "new", Anomaly.triaged_at >= period.starts_at(tz)),
    )
    return or_(Anomaly.local_date.between(period.start, period.end), awaiting)


def incident_open_during(period: Period, tz: ZoneInfo) -> ColumnElement[bool]:
    """Incidents known before the period ended and not closed before it started."""
    return and_(
        Incident.aware_at < period.ends_at(tz),
        or_(Incident.closed_at.is_(None), Incident.closed_at >= period.starts_at(tz)),
    )


def evidence_in(period: Period, tz: ZoneInfo) -> ColumnElement[bool]:
    """Evidence in force at some time in ``period`` (collected by its last day, valid on or
    after its first, neither withdrawn nor superseded before it started), and every item linked
    to an inspection of the period."""
    start = period.starts_at(tz)
    newer = aliased(EvidenceItem, name="newer_version")
    superseded_before = exists().where(
        newer.series_id == EvidenceItem.series_id,
        newer.version > EvidenceItem.version,
        newer.uploaded_at < start,
    )
    in_force = and_(
        EvidenceItem.collected_on <= period.end,
        EvidenceItem.uploaded_at < period.ends_at(tz),
        or_(EvidenceItem.valid_until.is_(None), EvidenceItem.valid_until >= period.start),
        or_(EvidenceItem.withdrawn_at.is_(None), EvidenceItem.withdrawn_at >= start),
        ~superseded_before,
    )
    linked = EvidenceItem.inspection_id.in_(select(Inspection.id).where(overlapping(period)))
    return or_(in_force, linked)


def timeliness_code(inspection: Inspection, *, today: date, tz: ZoneInfo) -> str:
    """How ``inspection`` met its due date, as a code of the ``TIMELINESS`` vocabulary."""
    state = timeliness(inspection, today=today, tz=tz)
    return TIMELINESS_CODES.get(state, state)
