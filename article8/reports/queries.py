"""The read side the audit workbook and the OSCAL exports share.

Both speak of the same things (the catalogue in force, the inspections due in a period, how each
met its due date), so both ask for them here; neither imports the other.
"""

from __future__ import annotations

import hashlib
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.models import ChecklistRevision, Control
from article8.controls.inspections.models import Inspection, timeliness
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


def timeliness_code(inspection: Inspection, *, today: date, tz: ZoneInfo) -> str:
    """How ``inspection`` met its due date, as a code of the ``TIMELINESS`` vocabulary."""
    state = timeliness(inspection, today=today, tz=tz)
    return TIMELINESS_CODES.get(state, state)
