"""Monthly partitions of access_event on PostgreSQL: found, created on demand, dropped whole.

Migration 0015 makes access_event a table partitioned by range of local_date on PostgreSQL; an
import creates the partition of every month its lines reach, inside its own transaction (DDL is
transactional there, so a refused file leaves no partition behind). SQLite keeps a plain table
and none of this applies: ``is_partitioned`` says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, text

TABLE = "access_event"
_NAME = re.compile(r"access_event_p([0-9]{4})([0-9]{2})")


def partition_name(month: date) -> str:
    """The partition that holds the local dates of ``month``: access_event_pYYYYMM."""
    return f"{TABLE}_p{month:%Y%m}"


def is_partition(name: str) -> bool:
    """Whether a table name is one of access_event's monthly partitions."""
    return _NAME.fullmatch(name) is not None


def next_month(month: date) -> date:
    """The first day of the month after ``month``."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def is_partitioned(connection: Connection) -> bool:
    """Whether access_event is a partitioned table here (PostgreSQL after migration 0015)."""
    if connection.dialect.name != "postgresql":
        return False
    found = connection.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:table)"),
        {"table": TABLE},
    )
    return found.first() is not None


def months(connection: Connection) -> set[date]:
    """The months access_event has a partition for (first days)."""
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(:table)"
        ),
        {"table": TABLE},
    )
    found = (_NAME.fullmatch(str(name)) for (name,) in rows)
    return {date(int(m[1]), int(m[2]), 1) for m in found if m is not None}


def create(connection: Connection, wanted: Iterable[date]) -> None:
    """Create the partitions of the months ``wanted`` (first days) that do not exist yet."""
    for month in sorted(wanted):
        # Names and bounds are made from dates here, never from input: safe to spell out.
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
        )


def drop(connection: Connection, month: date) -> None:
    """Detach and drop the partition of ``month``: its events are gone in one statement."""
    name = partition_name(month)
    connection.exec_driver_sql(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
    connection.exec_driver_sql(f"DROP TABLE {name}")


def analyse(connection: Connection, days: Iterable[date]) -> None:
    """Gather statistics on the partitions holding ``days`` (inside the import's transaction).

    Rows a transaction has just written have no statistics until autovacuum, which cannot see
    them before the commit, samples the table; the rules run before that, and without numbers the
    planner may pick a nested loop over millions of events.
    """
    # A skipped line's date may be in a month that has no partition (nor any event).
    for month in sorted({day.replace(day=1) for day in days} & months(connection)):
        connection.exec_driver_sql(f"ANALYZE {partition_name(month)}")
