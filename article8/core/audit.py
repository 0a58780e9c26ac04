"""The hash-chained, append-only audit trail: record events, verify the chain, query it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select, text
from sqlalchemy.orm import Session

from article8.core.errors import N_
from article8.core.models import AuditEvent, User
from article8.core.vocabulary import Translate

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key for appends ("art8"): one chain head, so one writer at a time.
_CHAIN_LOCK_KEY = 0x61727438


@dataclass(frozen=True)
class Actor:
    """Who does something: a user, or a named process (scheduler, CLI)."""

    id: int | None
    label: str
    client_addr: str | None = None
    # The role the user acts in, for the object-level checks of services that take an Actor
    # (not part of the recorded event); None for processes and anonymous requests.
    role: str | None = None

    @classmethod
    def for_user(cls, user: User, client_addr: str | None = None) -> Actor:
        """``user`` acting in their role (from ``client_addr`` when over the network)."""
        return cls(user.id, user.email, client_addr, user.role)


SYSTEM = Actor(None, "system")


# json.dumps with these options builds a new encoder on every call; one shared encoder gives the
# same text (dumps is JSONEncoder(**options).encode) at a fraction of the cost per event.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
)


def canonical_json(value: Mapping[str, Any]) -> str:
    """Serialise ``value`` the one way the chain hashes it (sorted keys, no spaces, UTF-8 as is,
    anything else as ``str``): ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False, default=str)``."""
    return _CANONICAL.encode(value)


# The event's time as the chain hashes it: UTC, to the microsecond.
HASHED_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
# The columns a reader of the chain needs (everything hashed, and the links), in this order.
CHAIN_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.occurred_at,
    AuditEvent.actor_id,
    AuditEvent.actor_label,
    AuditEvent.action,
    AuditEvent.object_type,
    AuditEvent.object_id,
    AuditEvent.details,
    AuditEvent.client_addr,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the event's canonical serialisation followed by the previous hash."""
    return event_hash_at(event, event.occurred_at.astimezone(UTC).strftime(HASHED_TIME))


def hashed_fields(event: Any, occurred_at: str) -> dict[str, Any]:
    """The fields the chain hashes, under their hashed names (``event`` may be an AuditEvent or
    a row of the same columns; ``occurred_at`` written as ``HASHED_TIME``)."""
    return {
        "seq": event.seq,
        "occurred_at": occurred_at,
        "actor_id": event.actor_id,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
        "client_addr": event.client_addr,
    }


def event_hash_at(event: AuditEvent, occurred_at: str) -> str:
    """:func:`event_hash` with the event's time already written as hashed (``HASHED_TIME``),
    for a reader that shows that text too and need not format it twice."""
    body = canonical_json(hashed_fields(event, occurred_at))
    return hashlib.sha256(body.encode("utf-8") + event.prev_hash.encode("ascii")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    now: datetime,
    object_type: str | None = None,
    object_id: object = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain (flushes; the caller commits)."""
    _lock_chain(session)
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    event = AuditEvent(
        seq=head.seq + 1 if head else 1,
        occurred_at=now.astimezone(UTC),
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=canonical_json(details or {}),
        client_addr=actor.client_addr,
        prev_hash=head.hash if head else GENESIS_HASH,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


def event_count(session: Session) -> int:
    """How many events the trail holds: the head's sequence number (the chain has no gaps), one
    primary-key lookup rather than a count over the whole table."""
    return session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0


def _lock_chain(session: Session) -> None:
    # PostgreSQL: concurrent transactions would read the same head and fork the chain; the
    # transaction-scoped advisory lock serialises appends until commit. SQLite needs nothing:
    # every transaction begins IMMEDIATE and so already holds the database's single write lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found."""

    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        """True when every event checked out."""
        return self.first_bad_seq is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute the whole chain from the genesis; stop at the first broken link."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    events = session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    )
    # Close the (server-side, on PostgreSQL) cursor also when we stop at a broken link.
    with events:
        for event in events:
            problem = None
            if event.seq != expected_seq:
                problem = f"sequence gap: expected {expected_seq}, found {event.seq}"
            elif event.prev_hash != prev_hash:
                problem = "previous-hash link does not match the event before it"
            elif event_hash(event) != event.hash:
                problem = "stored hash does not match the event's content"
            if problem:
                bad = expected_seq if event.seq != expected_seq else event.seq
                return ChainReport(checked, bad, problem, prev_hash)
            checked += 1
            expected_seq, prev_hash = event.seq + 1, event.hash
            session.expunge(event)
    return ChainReport(checked, head_hash=prev_hash)


@dataclass(frozen=True)
class AuditFilter:
    """Criteria for the audit trail pages; empty fields do not filter."""

    actor_id: int | None = None
    action: str | None = None
    # Any of these action prefixes (an area of the product, e.g. ("finding.", "action.")).
    action_prefixes: tuple[str, ...] = ()
    object_type: str | None = None
    object_id: str | None = None
    # Further (type, id) objects whose events belong with the object's (its parts, e.g. a
    # finding's corrective actions); only with object_type and object_id.
    also: tuple[tuple[str, str], ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None


def filtered(criteria: AuditFilter) -> Select[AuditEvent]:
    """A select of events matching ``criteria``, newest first."""
    query = select(AuditEvent)
    if criteria.actor_id is not None:
        query = query.where(AuditEvent.actor_id == criteria.actor_id)
    if criteria.action:
        query = query.where(AuditEvent.action.startswith(criteria.action, autoescape=True))
    if criteria.action_prefixes:
        areas = (AuditEvent.action.startswith(p, autoescape=True) for p in criteria.action_prefixes)
        query = query.where(or_(*areas))
    if criteria.object_type and criteria.object_id and criteria.also:
        objects = ((criteria.object_type, criteria.object_id), *criteria.also)
        query = query.where(
            or_(*(and_(AuditEvent.object_type == t, AuditEvent.object_id == i) for t, i in objects))
        )
    else:
        if criteria.object_type:
            query = query.where(AuditEvent.object_type == criteria.object_type)
        if criteria.object_id:
            query = query.where(AuditEvent.object_id == criteria.object_id)
    if criteria.date_from:
        query = query.where(AuditEvent.occurred_at >= criteria.date_from)
    if criteria.date_to:
        query = query.where(AuditEvent.occurred_at < criteria.date_to)
    return query.order_by(AuditEvent.seq.desc())


def page(
    session: Session, criteria: AuditFilter, *, before_seq: int | None = None, size: int = 100
) -> list[AuditEvent]:
    """One page of matching events, newest first, continuing below ``before_seq``."""
    query = filtered(criteria)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    return list(session.scalars(query.limit(size)))


def actions(session: Session) -> list[str]:
    """The distinct actions recorded so far (for the filter's choices)."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def details_of(event: AuditEvent) -> dict[str, Any]:
    """The event's details as a mapping."""
    return json.loads(event.details)


def local_day_bounds(day: date, tz: Any) -> tuple[datetime, datetime]:
    """The UTC instants at which local calendar ``day`` begins and the next begins."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = datetime.fromordinal(day.toordinal() + 1).replace(tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


# Actor labels that are processes, not users, in the reader's words.
_PROCESSES = {
    "system": N_("System"),
    "system:scheduler": N_("System (scheduler)"),
    "anonymous": N_("Not signed in"),
}
_COMMAND_LINE = N_("Command line (%(user)s)")
_SYSTEM_PROCESS = N_("System (%(process)s)")


def actor_name(label: str, translate: Translate) -> str:
    """An actor label that is not a user in the reader's words (``cli:root`` → command line)."""
    if label in _PROCESSES:
        return translate(_PROCESSES[label])
    if label.startswith("cli:"):
        return translate(_COMMAND_LINE) % {"user": label.removeprefix("cli:")}
    if label.startswith("system:"):
        return translate(_SYSTEM_PROCESS) % {"process": label.removeprefix("system:")}
    return label
