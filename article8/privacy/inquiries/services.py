"""The inquiry register's write side: receive, assign, first reply, convert, link, close.

An inquiry of kind "request" is converted into the request register; the request keeps the
inquiry it came from. A complaint that shows a control failing may link to a finding. Services
flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.controls.findings.models import Finding
from article8.core import audit, roles, vocabulary
from article8.core.audit import Actor
from article8.core.calendar import local_date
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.core.models import User
from article8.privacy.inquiries.errors import TransitionRefused
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.requests import services as requests
from article8.privacy.requests.deadlines import inquiry_reply_due
from article8.privacy.requests.models import PrivacyRequest
from article8.privacy.requests.services import Deadlines, RequestInput

MAX_SUBJECT = 300
MAX_TEXT = 20000


def get_inquiry(session: Session, inquiry_id: int) -> Inquiry:
    """The inquiry with ``inquiry_id``."""
    found = session.get(Inquiry, inquiry_id)
    if found is None:
        raise NotFound(N_("No such inquiry."))
    return found


def receive(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    channel: str,
    received_at: datetime,
    subject: str,
    details: str = "",
    contact: str = "",
    now: datetime,
    deadlines: Deadlines,
) -> Inquiry:
    """Record an inquiry or complaint; the first reply is due N business days after receipt."""
    _may_manage(actor)
    subject = " ".join(subject.split())
    if kind not in vocabulary.INQUIRY_KINDS:
        raise ValidationError(N_("Unknown kind of inquiry %(kind)s."), field="kind", kind=kind)
    if channel not in vocabulary.CHANNELS:
        raise ValidationError(N_("Unknown channel %(channel)s."), field="channel", channel=channel)
    if received_at.tzinfo is None:
        raise ValueError("received_at must carry its time zone")
    requests.check_receipt(received_at, now=now)
    if not subject:
        raise ValidationError(N_("Give the subject."), field="subject")
    if len(subject) > MAX_SUBJECT or len(details) > MAX_TEXT or len(contact) > 300:
        raise ValidationError(N_("The text is too long."), field="subject")
    found = Inquiry(
        kind=kind,
        channel=channel,
        received_at=received_at,
        subject=subject,
        details=details.strip(),
        contact=contact.strip(),
        state="received",
        reply_due_on=inquiry_reply_due(
            local_date(received_at, deadlines.tz),
            business_days=deadlines.reply_business_days,
            closures=deadlines.closures,
        ),
        outcome="",
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(found)
    session.flush()
    audit.record(
        session,
        actor,
        "inquiry.receive",
        now=now,
        object_type="inquiry",
        object_id=found.id,
        details={"before": None, "after": snapshot(found)},
    )
    return found


def assign(
    session: Session, actor: Actor, found: Inquiry, owner: User | None, *, now: datetime
) -> None:
    """Give the inquiry to a responsible person or administrator to answer."""
    before = _check(actor, found)
    if owner is not None and not (owner.active and roles.has(owner.role, "inquiry.manage")):
        raise ValidationError(
            N_("%(name)s cannot be given inquiries."), field="owner_id", name=owner.display_name
        )
    found.owner_id = owner.id if owner else None
    if found.state == "received" and owner is not None:
        found.state = "in_progress"
    _changed(session, actor, found, "inquiry.assign", before, now)


def check_first_reply(actor: Actor, found: Inquiry, *, replied_at: datetime, now: datetime) -> None:
    """Raise unless the first reply may be recorded (called before a copy is stored)."""
    _check(actor, found)
    if found.first_reply_at is not None:
        raise TransitionRefused(N_("The first reply is already recorded."), field="state")
    if replied_at > now or replied_at < found.received_at:
        raise ValidationError(
            N_("The reply must lie between receipt and now."), field="first_reply_at"
        )


def record_first_reply(
    session: Session,
    actor: Actor,
    found: Inquiry,
    *,
    replied_at: datetime,
    now: datetime,
    evidence_id: int | None = None,
    sha256: str | None = None,
) -> None:
    """Record when the first reply went out, with the copy the edge stored as evidence if any."""
    check_first_reply(actor, found, replied_at=replied_at, now=now)
    before = snapshot(found)
    found.first_reply_at, found.state = replied_at, "responded"
    found.reply_evidence_id, found.reply_sha256 = evidence_id, sha256
    _changed(session, actor, found, "inquiry.first_reply", before, now)


def close(session: Session, actor: Actor, found: Inquiry, *, outcome: str, now: datetime) -> None:
    """Close the inquiry with its outcome (after the first reply, or after conversion)."""
    before = _check(actor, found)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError(N_("Say how the inquiry ended."), field="outcome")
    if found.first_reply_at is None and converted_request(session, found) is None:
        raise TransitionRefused(
            N_("Record the first reply before closing the inquiry."), field="state"
        )
    found.outcome, found.state, found.closed_at = outcome[:MAX_TEXT], "closed", now
    _changed(session, actor, found, "inquiry.close", before, now)


def convert_to_request(
    session: Session,
    actor: Actor,
    found: Inquiry,
    data: RequestInput,
    *,
    now: datetime,
    deadlines: Deadlines,
) -> PrivacyRequest:
    """Open a request in the request register for an inquiry that is one; the link is kept.

    The request's clocks run from when the inquiry was received (it reached the company then).
    """
    before = _check(actor, found)
    if converted_request(session, found) is not None:
        raise TransitionRefused(N_("This inquiry is already a request."), field="state")
    request = requests.receive(
        session,
        actor,
        RequestInput(
            **{
                **data.__dict__,
                "received_at": found.received_at,
                "inquiry_id": found.id,
            }
        ),
        now=now,
        deadlines=deadlines,
    )
    found.kind = "request"
    if found.state == "received":
        found.state = "in_progress"
    _changed(
        session, actor, found, "inquiry.convert", before, now, extra={"request_id": request.id}
    )
    return request


def link_finding(
    session: Session, actor: Actor, found: Inquiry, finding_id: int | None, *, now: datetime
) -> None:
    """Link a complaint to the finding it showed (or remove the link)."""
    before = _check(actor, found)
    if finding_id is not None:
        if found.kind != "complaint":
            raise ValidationError(N_("Only a complaint links to a finding."), field="finding_id")
        if session.get(Finding, finding_id) is None:
            raise ValidationError(N_("No such finding."), field="finding_id")
    found.finding_id = finding_id
    _changed(session, actor, found, "inquiry.link_finding", before, now)


def converted_request(session: Session, found: Inquiry) -> PrivacyRequest | None:
    """The request this inquiry was converted into, if any."""
    return session.scalar(
        select(PrivacyRequest).where(PrivacyRequest.inquiry_id == found.id).limit(1)
    )


def snapshot(found: Inquiry) -> dict[str, Any]:
    """The inquiry's fields as the audit trail records them."""
    return {
        "kind": found.kind,
        "channel": found.channel,
        "received_at": found.received_at.isoformat(),
        "subject": found.subject,
        "state": found.state,
        "owner_id": found.owner_id,
        "reply_due_on": found.reply_due_on.isoformat(),
        "first_reply_at": found.first_reply_at.isoformat() if found.first_reply_at else None,
        "reply_evidence_id": found.reply_evidence_id,
        "reply_sha256": found.reply_sha256,
        "outcome": found.outcome,
        "finding_id": found.finding_id,
    }


def _may_manage(actor: Actor) -> None:
    if not roles.has(actor.role, "inquiry.manage"):
        raise PermissionDenied(N_("Only the responsible person can handle inquiries."))


def _check(actor: Actor, found: Inquiry) -> dict[str, Any]:
    _may_manage(actor)
    if found.state == "closed":
        raise TransitionRefused(N_("This inquiry is closed."), field="state")
    return snapshot(found)


def _changed(
    session: Session,
    actor: Actor,
    found: Inquiry,
    action: str,
    before: dict[str, Any],
    now: datetime,
    *,
    extra: dict[str, Any] | None = None,
) -> None:
    after = snapshot(found)
    if after == before and not extra:
        return
    found.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="inquiry",
        object_id=found.id,
        details={"before": before, "after": after, **(extra or {})},
    )
