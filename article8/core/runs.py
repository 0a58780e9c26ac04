"""Daily jobs run once per local day, however many scheduler ticks or processes ask."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from article8.core.models import JobRun


def claim_day(session: Session, name: str, day: date, *, now: datetime) -> bool:
    """Claim job ``name`` for local ``day`` in the caller's transaction; False if already claimed.

    The claim commits with the job's work, so a failed run is retried by the next tick. Two
    processes racing insert the same primary key: PostgreSQL makes the second wait for the
    first's commit and then skip; SQLite transactions already hold the single write lock.
    """
    insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    claimed = session.execute(
        insert(JobRun)
        .values(name=name, run_on=day, started_at=now)
        .on_conflict_do_nothing(index_elements=["name", "run_on"])
        .returning(JobRun.name)
    ).first()
    return claimed is not None
