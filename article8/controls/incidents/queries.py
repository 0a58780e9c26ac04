"""The read side of incidents: the list with PPC deadlines, and a reporter's own reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from article8.controls.incidents.models import Incident

DUE_SOON_DAYS = 1


@dataclass(frozen=True)
class Deadline:
    """One PPC report of an incident: when it is due and where it stands today."""

    kind: str  # preliminary | final
    due_on: date
    reported_on: date | None
    # done | overdue | due_soon (within a day) | open
    state: str

    def days_overdue(self, today: date) -> int:
        """Days past the due date (0 when not overdue)."""
        return max((today - self.due_on).days, 0) if self.state == "overdue" else 0


def deadlines(incident: Incident, today: date) -> list[Deadline]:
    """The preliminary and final report deadlines of a reportable incident (none otherwise)."""
    rows = []
    for kind, due, done in (
        ("preliminary", incident.preliminary_due_on, incident.preliminary_reported_on),
        ("final", incident.final_due_on, incident.final_reported_on),
    ):
        if due is None:
            continue
        if done is not None:
            state = "done"
        elif today > due:
            state = "overdue"
        elif (due - today).days <= DUE_SOON_DAYS:
            state = "due_soon"
        else:
            state = "open"
        rows.append(Deadline(kind, due, done, state))
    return rows


def is_overdue(incident: Incident, today: date) -> bool:
    """Whether an open incident has a PPC report past its deadline."""
    return incident.status != "closed" and any(
        d.state == "overdue" for d in deadlines(incident, today)
    )


def next_due(incident: Incident) -> date | None:
    """The earliest PPC report still to be made."""
    pending = [
        due
        for due, done in (
            (incident.preliminary_due_on, incident.preliminary_reported_on),
            (incident.final_due_on, incident.final_reported_on),
        )
        if due is not None and done is None
    ]
    return min(pending, default=None)


def incident_list(session: Session, today: date, *, status: str | None = None) -> list[Incident]:
    """Incidents: open ones first, overdue first, then by the next PPC deadline, newest first."""
    query = select(Incident).options(joinedload(Incident.reported_by), joinedload(Incident.control))
    if status:
        query = query.where(Incident.status == status)
    incidents = list(session.scalars(query.order_by(Incident.reported_at.desc(), Incident.id)))
    # Incidents are few; the order needs the deadlines' state, so it is decided here.
    return sorted(
        incidents,
        key=lambda i: (
            i.status == "closed",
            not is_overdue(i, today),
            i.status != "closed" and i.assessed,  # an unassessed report comes before the rest
            next_due(i) or date.max,
        ),
    )


def my_reports(session: Session, user_id: int) -> list[Incident]:
    """What one person has reported, newest first."""
    return list(
        session.scalars(
            select(Incident)
            .where(Incident.reported_by_id == user_id)
            .order_by(Incident.reported_at.desc(), Incident.id.desc())
        )
    )


def count_open(session: Session) -> int:
    """Incidents not yet closed (for the dashboard)."""
    return (
        session.scalar(
            select(func.count()).select_from(Incident).where(Incident.status != "closed")
        )
        or 0
    )
