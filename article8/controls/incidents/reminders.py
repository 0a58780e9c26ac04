"""Reminders of PPC report deadlines to the responsible persons: when due within a day, and overdue.

Like the inspection reminders, each kind has a window rather than a single day, so a missed run
still sends what is due, and the notification key keeps every message to once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from article8.controls.incidents.models import Incident
from article8.controls.incidents.queries import deadlines
from article8.controls.incidents.services import responsible_people
from article8.core import outbox as notify
from article8.core.calendar import local_date
from article8.core.errors import N_
from article8.core.i18n import translator

SUBJECTS = {
    ("preliminary", "due_soon"): N_(
        "[article8] Incident %(id)d: the preliminary report to the PPC is due on %(due)s"
    ),
    ("final", "due_soon"): N_(
        "[article8] Incident %(id)d: the final report to the PPC is due on %(due)s"
    ),
    ("preliminary", "overdue"): N_(
        "[article8] Escalation: incident %(id)d: the preliminary report to the PPC is overdue"
    ),
    ("final", "overdue"): N_(
        "[article8] Escalation: incident %(id)d: the final report to the PPC is overdue"
    ),
}
BODY = N_(
    "Incident: %(title)s\nAware since: %(aware)s\nReport to the PPC due: %(due)s\n\n"
    "Record the report once it is made: %(link)s\n"
)


def queue_incident_reminders(
    session: Session, *, tz: ZoneInfo, base_url: str, now: datetime
) -> int:
    """Queue each PPC deadline reminder due at ``now`` once per recipient; return how many."""
    today = local_date(now, tz)
    managers = responsible_people(session)
    if not managers:
        return 0
    pending = session.scalars(
        select(Incident).where(
            Incident.status != "closed",
            or_(
                (Incident.preliminary_due_on.is_not(None))
                & Incident.preliminary_reported_on.is_(None),
                (Incident.final_due_on.is_not(None)) & Incident.final_reported_on.is_(None),
            ),
        )
    )
    queued = 0
    for incident in pending:
        for deadline in deadlines(incident, today):
            if deadline.state not in ("due_soon", "overdue"):
                continue
            params = {
                "id": incident.id,
                "title": incident.title,
                "aware": incident.aware_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "due": deadline.due_on.isoformat(),
                "link": f"{base_url}/incidents/{incident.id}",
            }
            for person in managers:
                _ = translator(person.locale)
                queued += notify.queue(
                    session,
                    key=f"incident.{deadline.kind}.{deadline.state}:{incident.id}:{person.id}",
                    kind=f"incident.{deadline.state}",
                    recipient=person,
                    subject=_(SUBJECTS[(deadline.kind, deadline.state)], **params),
                    body=_(BODY, **params),
                    now=now,
                    object_type="incident",
                    object_id=incident.id,
                )
    return queued
