"""Sign-ins refused during a lockout: one audit event per lock window, and a count beside it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.core.models import LoginRefusal

REFUSED_ACTION = "auth.login_refused_locked"


def record_refusal(
    session: Session, actor: Actor, *, key: str, locked_until: datetime, now: datetime
) -> int:
    """Count a sign-in refused because ``key`` is locked until ``locked_until``; return the count.

    The first refusal of a lock window is appended to the audit trail; later ones only raise the
    count, so that anonymous retries against a lock cannot grow the trail (flushes; the caller
    commits).
    """
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    statement = insert(LoginRefusal).values(
        key=key, locked_until=locked_until, refusals=1, first_at=now, last_at=now
    )
    # One statement decides who is first: PostgreSQL makes a concurrent insert of the same key
    # wait for the first one's commit and then take the update branch; on SQLite every
    # transaction already holds the write lock. So exactly one caller per window sees 1.
    statement = statement.on_conflict_do_update(
        index_elements=["key", "locked_until"],
        set_={"refusals": LoginRefusal.refusals + 1, "last_at": statement.excluded.last_at},
    ).returning(LoginRefusal.refusals)
    count = int(session.execute(statement).scalar_one())
    if count == 1:
        event = audit.record(
            session,
            actor,
            REFUSED_ACTION,
            now=now,
            details={"key": key.split(":", 1)[0], "locked_until": locked_until},
        )
        session.execute(
            update(LoginRefusal)
            .where(LoginRefusal.key == key, LoginRefusal.locked_until == locked_until)
            .values(audit_seq=event.seq)
        )
    session.flush()
    return count


def refusals_by_event(session: Session, seqs: Iterable[int]) -> dict[int, LoginRefusal]:
    """The refusal counts of the given audit events (those that opened a window), by sequence."""
    wanted = list(seqs)
    if not wanted:
        return {}
    rows = session.scalars(select(LoginRefusal).where(LoginRefusal.audit_seq.in_(wanted)))
    return {row.audit_seq: row for row in rows if row.audit_seq is not None}
