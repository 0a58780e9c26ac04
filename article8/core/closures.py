"""One-off company closures: kept by an administrator, read by everything that counts business days.

The yearly closures are a setting (``ARTICLE8_CLOSED_DAYS``); :func:`company_closures` joins them
with the one-off days of the database into the :class:`~article8.core.calendar.Closures` that due
dates and the off-hours rule use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.core.calendar import AnnualClosure, Closures
from article8.core.errors import N_, NotFound, ValidationError
from article8.core.models import Closure

REASON_MAX = 200


def company_closures(session: Session, annual: Iterable[AnnualClosure]) -> Closures:
    """The yearly closures ``annual`` together with every one-off closure in the database."""
    return Closures(tuple(annual), frozenset(session.scalars(select(Closure.day))))


def list_closures(session: Session) -> list[Closure]:
    """Every one-off closure, the latest day first."""
    return list(session.scalars(select(Closure).order_by(Closure.day.desc())))


def add_closure(
    session: Session, actor: Actor, *, day: date, reason: str, now: datetime
) -> Closure:
    """Close the company on ``day`` (one day, not a range); audited."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(N_("Say why the company is closed that day."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(
            N_("The reason is longer than %(max)d characters."), field="reason", max=REASON_MAX
        )
    if session.scalar(select(Closure.id).where(Closure.day == day)) is not None:
        raise ValidationError(N_("%(day)s is already a closure."), field="day", day=day.isoformat())
    closure = Closure(day=day, reason=reason, created_by_id=actor.id, created_at=now)
    session.add(closure)
    session.flush()
    audit.record(
        session,
        actor,
        "closure.add",
        now=now,
        object_type="closure",
        object_id=closure.id,
        details={"day": day.isoformat(), "reason": reason},
    )
    return closure


def remove_closure(session: Session, actor: Actor, closure_id: int, *, now: datetime) -> None:
    """Open the company again on a one-off closure's day; audited."""
    closure = session.get(Closure, closure_id)
    if closure is None:
        raise NotFound(N_("No such closure."))
    details = {"day": closure.day.isoformat(), "reason": closure.reason}
    session.delete(closure)
    session.flush()
    audit.record(
        session,
        actor,
        "closure.remove",
        now=now,
        object_type="closure",
        object_id=closure_id,
        details=details,
    )
