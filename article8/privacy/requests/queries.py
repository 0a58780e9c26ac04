"""The request register's read side: lists, the API shape, the dashboard's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, literal, select, union_all
from sqlalchemy.orm import Session

from article8.core import roles
from article8.core.audit import Actor
from article8.core.calendar import local_date, local_midnight_utc
from article8.privacy.inquiries.models import OPEN_STATES as INQUIRY_OPEN
from article8.privacy.inquiries.models import Inquiry
from article8.privacy.requests.deadlines import DUE_SOON_DAYS, clock
from article8.privacy.requests.models import OPEN_STATES, PrivacyRequest, privacy_request_system


def request_clock(found: PrivacyRequest, today: date) -> str:
    """done, overdue, due_soon or open, against the internal target."""
    return clock(found.target_on, today, done=not found.is_open)


def inquiry_clock(found: Inquiry, today: date) -> str:
    """The first-reply clock of an inquiry."""
    return clock(found.reply_due_on, today, done=found.first_reply_at is not None)


def sees_all(actor: Actor) -> bool:
    """Whether ``actor`` sees every request (others see only those assigned to them)."""
    return actor.role in (roles.ADMIN, roles.RESPONSIBLE, roles.AUDITOR)


def visible(actor: Actor) -> Select[PrivacyRequest]:
    """Every request ``actor`` may see (an inspector: those assigned to them)."""
    query = select(PrivacyRequest)
    if not sees_all(actor):
        query = query.where(PrivacyRequest.owner_id == actor.id)
    return query


def list_requests(
    session: Session,
    actor: Actor,
    *,
    today: date,
    state: str | None = None,
    overdue: bool = False,
    kind: str | None = None,
) -> list[PrivacyRequest]:
    """Requests newest first, filtered by state, kind, or overdue (open past the target)."""
    query = visible(actor)
    if state:
        query = query.where(PrivacyRequest.state == state)
    if kind:
        query = query.where(PrivacyRequest.kind == kind)
    if overdue:
        query = query.where(PrivacyRequest.state.in_(OPEN_STATES), PrivacyRequest.target_on < today)
    return list(session.scalars(query.order_by(PrivacyRequest.received_at.desc())))


def list_inquiries(
    session: Session,
    *,
    today: date,
    state: str | None = None,
    overdue: bool = False,
    kind: str | None = None,
) -> list[Inquiry]:
    """Inquiries newest first, filtered by state, kind, or overdue (no first reply in time)."""
    query = select(Inquiry)
    if state:
        query = query.where(Inquiry.state == state)
    if kind:
        query = query.where(Inquiry.kind == kind)
    if overdue:
        query = query.where(Inquiry.first_reply_at.is_(None), Inquiry.reply_due_on < today)
    return list(session.scalars(query.order_by(Inquiry.received_at.desc())))


def systems_by_request(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The register systems of each request in ``ids``."""
    found: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(privacy_request_system.c.request_id, privacy_request_system.c.system)
            .where(privacy_request_system.c.request_id.in_(ids))
            .order_by(privacy_request_system.c.system)
        )
        for row in rows:
            found[int(row[0])].append(str(row[1]))
    return found


def converted_requests(session: Session, inquiry_ids: list[int]) -> dict[int, int]:
    """For each inquiry in ``inquiry_ids`` converted into a request, the request's id."""
    if not inquiry_ids:
        return {}
    rows = session.execute(
        select(PrivacyRequest.inquiry_id, PrivacyRequest.id).where(
            PrivacyRequest.inquiry_id.in_(inquiry_ids)
        )
    )
    return {int(row[0]): int(row[1]) for row in rows if row[0] is not None}


def as_json(found: PrivacyRequest, systems: list[str], tz: ZoneInfo) -> dict[str, Any]:
    """The request as the API returns it (dates YYYY-MM-DD, times ISO 8601 with offset)."""
    return {
        "id": found.id,
        "kind": found.kind,
        "channel": found.channel,
        "received_at": found.received_at.astimezone(tz).isoformat(),
        "state": found.state,
        "due": found.target_on.isoformat(),
        "statutory_marker": found.statutory_on.isoformat(),
        "fee_allowed": found.fee_allowed,
        "fee_yen": found.fee_yen,
        "fee_state": found.fee_state,
        "requester": {"name": found.requester_name, "contact": found.requester_contact},
        "agent": (
            {"kind": found.agent_kind, "name": found.agent_name} if found.agent_kind else None
        ),
        "disclosure_method": found.disclosure_method,
        "owner_id": found.owner_id,
        "verification_result": found.verification_result,
        "decision": found.decision,
        "refusal_ground": found.refusal_ground,
        "responded_on": found.responded_on.isoformat() if found.responded_on else None,
        "response_evidence_id": found.response_evidence_id,
        "systems": systems,
        "inquiry_id": found.inquiry_id,
    }


def inquiry_json(found: Inquiry, tz: ZoneInfo, request_id: int | None) -> dict[str, Any]:
    """The inquiry as the API returns it."""
    return {
        "id": found.id,
        "kind": found.kind,
        "channel": found.channel,
        "received_at": found.received_at.astimezone(tz).isoformat(),
        "subject": found.subject,
        "state": found.state,
        "due": found.reply_due_on.isoformat(),
        "first_reply_at": found.first_reply_at.astimezone(tz).isoformat()
        if found.first_reply_at
        else None,
        "closed_at": found.closed_at.astimezone(tz).isoformat() if found.closed_at else None,
        "owner_id": found.owner_id,
        "finding_id": found.finding_id,
        "request_id": request_id,
    }


def days_taken(found: PrivacyRequest, tz: ZoneInfo) -> int | None:
    """Calendar days from receipt to response (None while not responded)."""
    if found.responded_on is None:
        return None
    return (found.responded_on - local_date(found.received_at, tz)).days


@dataclass(frozen=True)
class PrivacyFigures:
    """The dashboard tile: what is open, due soon and overdue, and how fast we respond."""

    open_requests: int
    open_inquiries: int
    due_soon: int
    overdue: int
    median_days: float | None
    responded_12_months: int


def figures(session: Session, *, now: datetime, tz: ZoneInfo) -> PrivacyFigures:
    """The figures of the tile at ``now`` (median over responses in the last 12 months).

    One statement: the open requests, the inquiries and the recent responses as one union.
    """
    today = local_date(now, tz)
    soon = today + timedelta(days=DUE_SOON_DAYS)
    since = today - timedelta(days=365)
    open_requests = select(
        literal("open_request").label("what"),
        PrivacyRequest.target_on.label("due"),
        PrivacyRequest.received_at.label("received_at"),
        PrivacyRequest.responded_on.label("responded_on"),
    ).where(PrivacyRequest.state.in_(OPEN_STATES))
    open_inquiries = select(
        literal("open_inquiry"),
        Inquiry.reply_due_on,
        Inquiry.received_at,
        case((Inquiry.first_reply_at.is_(None), None), else_=Inquiry.reply_due_on),
    ).where(Inquiry.state.in_(INQUIRY_OPEN))
    responded = select(
        literal("responded"),
        PrivacyRequest.target_on,
        PrivacyRequest.received_at,
        PrivacyRequest.responded_on,
    ).where(PrivacyRequest.responded_on.is_not(None), PrivacyRequest.responded_on > since)
    counts = {"open_request": 0, "open_inquiry": 0}
    dues: list[date] = []
    taken: list[int] = []
    rows = cast(
        "list[tuple[str, date, datetime, date | None]]",
        session.execute(union_all(open_requests, open_inquiries, responded)).all(),
    )
    for what, due, received_at, responded_on in rows:
        if what == "responded" and responded_on is not None:
            taken.append((responded_on - local_date(received_at, tz)).days)
            continue
        counts[what] += 1
        # An inquiry's clock stops at its first reply (carried in the last column).
        if what == "open_request" or responded_on is None:
            dues.append(due)
    return PrivacyFigures(
        open_requests=counts["open_request"],
        open_inquiries=counts["open_inquiry"],
        due_soon=sum(1 for d in dues if today <= d <= soon),
        overdue=sum(1 for d in dues if d < today),
        median_days=float(median(taken)) if taken else None,
        responded_12_months=len(taken),
    )


def requests_between(
    session: Session, first: date, last: date, tz: ZoneInfo
) -> list[PrivacyRequest]:
    """Requests received from local day ``first`` to ``last`` inclusive, oldest first."""
    return list(
        session.scalars(
            select(PrivacyRequest)
            .where(
                PrivacyRequest.received_at >= local_midnight_utc(first, tz),
                PrivacyRequest.received_at < local_midnight_utc(last + timedelta(days=1), tz),
            )
            .order_by(PrivacyRequest.received_at, PrivacyRequest.id)
        )
    )


def inquiries_between(session: Session, first: date, last: date, tz: ZoneInfo) -> list[Inquiry]:
    """Inquiries received from local day ``first`` to ``last`` inclusive, oldest first."""
    return list(
        session.scalars(
            select(Inquiry)
            .where(
                Inquiry.received_at >= local_midnight_utc(first, tz),
                Inquiry.received_at < local_midnight_utc(last + timedelta(days=1), tz),
            )
            .order_by(Inquiry.received_at, Inquiry.id)
        )
    )


def requests_responded_between(session: Session, first: date, last: date) -> list[PrivacyRequest]:
    """Requests responded to from ``first`` to ``last`` inclusive, by response day."""
    return list(
        session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.responded_on >= first, PrivacyRequest.responded_on <= last)
            .order_by(PrivacyRequest.responded_on, PrivacyRequest.id)
        )
    )
