"""Reminders of PPC report deadlines: 7, 3 and 1 days before each deadline and on the day, to the
responsible persons; once a deadline has passed, an escalation to the administrators.

Like the inspection reminders, each reminder has a window rather than a single day (the nearest
step at or above the days left), so a missed run still sends what is due, and the notification
key keeps every message to once.
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
from article8.core.models import User

STEPS = (0, 1, 3, 7)  # days before a deadline on which the responsible persons hear of it
SUBJECTS = {
    ("preliminary", "days"): N_(
        "[article8] Incident %(id)d: the preliminary report (速報) to the PPC is due in "
        "%(left)d days, on %(due)s"
    ),
    ("preliminary", "tomorrow"): N_(
        "[article8] Incident %(id)d: the preliminary report (速報) to the PPC is due tomorrow, "
        "%(due)s"
    ),
    ("preliminary", "today"): N_(
        "[article8] Incident %(id)d: the preliminary report (速報) to the PPC is due today, %(due)s"
    ),
    ("final", "days"): N_(
        "[article8] Incident %(id)d: the final report (確報) to the PPC is due in %(left)d days, "
        "on %(due)s"
    ),
    ("final", "tomorrow"): N_(
        "[article8] Incident %(id)d: the final report (確報) to the PPC is due tomorrow, %(due)s"
    ),
    ("final", "today"): N_(
        "[article8] Incident %(id)d: the final report (確報) to the PPC is due today, %(due)s"
    ),
    ("preliminary", "overdue"): N_(
        "[article8] Escalation: incident %(id)d: the preliminary report to the PPC is overdue"
    ),
    ("final", "overdue"): N_(
        "[article8] Escalation: incident %(id)d: the final report to the PPC is overdue"
    ),
}
BODY = N_(
    "Incident: %(title)s\nAware since: %(aware)s\nReport to the PPC due: %(due)s\n"
    "Days are calendar days counted from the day after the company became aware; weekends, "
    "holidays and the year-end closure count.\n\n"
    "Record the report once it is made: %(link)s\n"
)


def step_for(days_left: int) -> int | None:
    """The reminder step a deadline ``days_left`` away falls in (None: too early)."""
    return next((step for step in STEPS if days_left <= step), None)


def administrators(session: Session) -> list[User]:
    """Who hears of a passed deadline: the active administrators, else the responsible persons."""
    admins = list(
        session.scalars(
            select(User).where(User.active.is_(True), User.role == "admin").order_by(User.id)
        )
    )
    return admins or responsible_people(session)


def queue_incident_reminders(
    session: Session, *, tz: ZoneInfo, base_url: str, now: datetime
) -> int:
    """Queue each PPC deadline reminder due at ``now`` once per recipient; return how many."""
    today = local_date(now, tz)
    managers = responsible_people(session)
    escalate_to = administrators(session)
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
            if deadline.state == "done":
                continue
            left = (deadline.due_on - today).days
            params = {
                "id": incident.id,
                "title": incident.title,
                "aware": incident.aware_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "due": deadline.due_on.isoformat(),
                "left": left,
                "link": f"{base_url}/incidents/{incident.id}",
            }
            if left < 0:
                people, key, kind = escalate_to, "overdue", "incident.overdue"
                subject = SUBJECTS[(deadline.kind, "overdue")]
            else:
                step = step_for(left)
                if step is None:
                    continue
                people, key, kind = managers, f"d{step}", "incident.due"
                when = "today" if left == 0 else "tomorrow" if left == 1 else "days"
                subject = SUBJECTS[(deadline.kind, when)]
            for person in people:
                _ = translator(person.locale)
                queued += notify.queue(
                    session,
                    key=f"incident.{deadline.kind}.{key}:{incident.id}:{person.id}",
                    kind=kind,
                    recipient=person,
                    subject=_(subject, **params),
                    body=_(BODY, **params),
                    now=now,
                    object_type="incident",
                    object_id=incident.id,
                )
    return queued
