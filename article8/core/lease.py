"""The leader lease: one process holds it (the scheduler); another stands by until it lapses."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite

from article8.core.db import Database
from article8.core.models import SchedulerLease

LEADER = "scheduler"
TTL = timedelta(seconds=45)


def try_acquire(database: Database, holder: str, *, now: datetime, ttl: timedelta = TTL) -> bool:
    """Take or renew the lease for ``holder``; False while another holder's lease is live."""
    with database.unit_of_work() as session:
        insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
        session.execute(
            insert(SchedulerLease)
            .values(
                name=LEADER, holder=holder, acquired_at=now, heartbeat_at=now, expires_at=now + ttl
            )
            .on_conflict_do_nothing(index_elements=["name"])
        )
        # One conditional UPDATE: atomic on both back ends, so two contenders cannot both win.
        won = session.execute(
            update(SchedulerLease)
            .where(
                SchedulerLease.name == LEADER,
                or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
            )
            .values(holder=holder, heartbeat_at=now, expires_at=now + ttl)
            .returning(SchedulerLease.holder)
        ).first()
        return won is not None


def release(database: Database, holder: str, *, now: datetime) -> None:
    """Give the lease up at shutdown so that a standby takes over at once."""
    with database.unit_of_work() as session:
        session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == LEADER, SchedulerLease.holder == holder)
            .values(expires_at=now)
        )


def heartbeat_age(database: Database, *, now: datetime) -> float | None:
    """Seconds since the leader last renewed its lease; None when no scheduler ever ran."""
    with database.session() as session:
        lease = session.get(SchedulerLease, LEADER)
        return None if lease is None else (now - lease.heartbeat_at).total_seconds()
