"""Reminders of the request and inquiry clocks: 7, 3, 1 and 0 days before the target to the
owner and the responsible persons, once each; past the target, an escalation to the responsible
persons and administrators, once.

As with the other reminders, each stage is owed from its day until the next one, so a missed run
still sends it, and the notification key keeps every message to once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import outbox as notify
from article8.core.calendar import local_date
from article8.core.errors import N_
from article8.core.i18n import translator
from article8.core.models import User
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.requests.deadlines import reminder_stage
from article8.privacy.requests.models import OPEN_STATES, PrivacyRequest

REQUEST_SUBJECT = N_("[article8] Request %(id)d from an individual: the response is due on %(due)s")
REQUEST_OVERDUE = N_(
    "[article8] Escalation: request %(id)d from an individual is overdue (%(due)s)"
)
REQUEST_BODY = N_(
    "Request from: %(name)s\nReceived: %(received)s\nInternal target: %(due)s\n"
    "Two weeks after receipt (Art. 39): %(marker)s\n\nOpen the request: %(link)s\n"
)
INQUIRY_SUBJECT = N_("[article8] Inquiry %(id)d: the first reply is due on %(due)s")
INQUIRY_OVERDUE = N_(
    "[article8] Escalation: the first reply to inquiry %(id)d is overdue (%(due)s)"
)
INQUIRY_BODY = N_(
    "Subject: %(subject)s\nReceived: %(received)s\nFirst reply due: %(due)s\n\n%(link)s\n"
)


def _active(session: Session, *roles: str) -> list[User]:
    return list(
        session.scalars(
            select(User).where(User.active.is_(True), User.role.in_(roles)).order_by(User.id)
        )
    )


def _recipients(session: Session, owner_id: int | None, *, overdue: bool) -> list[User]:
    people = {u.id: u for u in _active(session, "responsible")}
    if overdue or not people:
        people.update({u.id: u for u in _active(session, "admin")})
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is not None and owner.active:
            people[owner.id] = owner
    return [people[k] for k in sorted(people)]


def _stage_key(due: date, today: date) -> str | None:
    if today > due:
        return "overdue"
    stage = reminder_stage(due, today)
    return None if stage is None else f"d{stage}"


def queue_privacy_reminders(session: Session, *, tz: ZoneInfo, base_url: str, now: datetime) -> int:
    """Queue every reminder and escalation owed at ``now``, once per recipient; return how many."""
    today = local_date(now, tz)
    queued = 0
    requests: Iterable[PrivacyRequest] = session.scalars(
        select(PrivacyRequest).where(PrivacyRequest.state.in_(OPEN_STATES))
    )
    for found in requests:
        stage = _stage_key(found.target_on, today)
        if stage is None:
            continue
        params = {
            "id": found.id,
            "name": found.requester_name,
            "received": found.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "due": found.target_on.isoformat(),
            "marker": found.statutory_on.isoformat(),
            "link": f"{base_url}/requests/{found.id}",
        }
        for person in _recipients(session, found.owner_id, overdue=stage == "overdue"):
            _ = translator(person.locale)
            subject = REQUEST_OVERDUE if stage == "overdue" else REQUEST_SUBJECT
            queued += notify.queue(
                session,
                key=f"request.{stage}:{found.id}:{person.id}",
                kind="request.overdue" if stage == "overdue" else "request.due",
                recipient=person,
                subject=_(subject, **params),
                body=_(REQUEST_BODY, **params),
                now=now,
                object_type="privacy_request",
                object_id=found.id,
            )
    inquiries: Iterable[Inquiry] = session.scalars(
        select(Inquiry).where(Inquiry.first_reply_at.is_(None), Inquiry.state != "closed")
    )
    for inquiry in inquiries:
        stage = _stage_key(inquiry.reply_due_on, today)
        if stage is None:
            continue
        params = {
            "id": inquiry.id,
            "subject": inquiry.subject,
            "received": inquiry.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "due": inquiry.reply_due_on.isoformat(),
            "link": f"{base_url}/inquiries/{inquiry.id}",
        }
        for person in _recipients(session, inquiry.owner_id, overdue=stage == "overdue"):
            _ = translator(person.locale)
            subject = INQUIRY_OVERDUE if stage == "overdue" else INQUIRY_SUBJECT
            queued += notify.queue(
                session,
                key=f"inquiry.{stage}:{inquiry.id}:{person.id}",
                kind="inquiry.overdue" if stage == "overdue" else "inquiry.due",
                recipient=person,
                subject=_(subject, **params),
                body=_(INQUIRY_BODY, **params),
                now=now,
                object_type="inquiry",
                object_id=inquiry.id,
            )
    return queued
