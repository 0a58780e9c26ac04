"""Retention of access events: whole months older than the retention period are dropped.

An access log is evidence of monitoring (Article 8's technical measures) only for as long as it
is kept; past the retention period (three years unless configured) it is personal data kept for
no purpose. Whole local months go at once: on PostgreSQL a month is a partition, detached and
dropped; on SQLite its rows are deleted. Before anything is dropped an audit event records what
goes: the events per month and a SHA-256 over them, so that a backup taken earlier can be shown
to hold exactly what was dropped.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from article8.access import partitions
from article8.access.errors import RetentionError
from article8.access.models import AccessEvent
from article8.core import audit
from article8.core.audit import Actor

E = AccessEvent
# The columns the digest covers, in this order: every column of an event.
DIGEST_COLUMNS = tuple(E.__table__.columns)
_FETCH = 10_000


@dataclass
class PruneReport:
    """What a prune dropped, or would drop (a dry run): events per month and their digest."""

    before: date
    retention_years: int
    # First day of each month dropped, with its events.
    months: dict[date, int] = field(default_factory=dict)
    # SHA-256 over the dropped events (see event_digest); None for a dry run.
    sha256: str | None = None
    applied: bool = False

    @property
    def events(self) -> int:
        """All the events dropped."""
        return sum(self.months.values())


def retention_limit(today: date, years: int) -> date:
    """The first local date still within the retention period: ``years`` before ``today``."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, in a year without one
        return today.replace(year=today.year - years, day=28)


def prune_access_events(
    session: Session,
    *,
    before: date | None,
    retention_years: int,
    today: date,
    actor: Actor,
    now: datetime,
    apply: bool = False,
) -> PruneReport:
    """Drop (or, unless ``apply``, only count) the whole months of events before ``before``.

    ``before`` defaults to the retention limit and may not be later than it: events within the
    retention period are never dropped. A month is dropped only when all its days are before
    ``before``. With ``apply`` an ``access.prune`` audit event is written first, with the counts
    and the digest, in the same transaction as the drop.
    """
    limit = retention_limit(today, retention_years)
    cutoff = before or limit
    if cutoff > limit:
        raise RetentionError(cutoff, limit, retention_years)
    report = PruneReport(cutoff, retention_years)
    months = _months_before(session, cutoff)
    report.months = months
    if not apply or not months:
        return report
    report.sha256 = event_digest(session, sorted(months))
    audit.record(
        session,
        actor,
        "access.prune",
        now=now,
        object_type="access_event",
        details={
            "before": cutoff,
            "retention_years": retention_years,
            "months": {f"{m:%Y-%m}": n for m, n in sorted(months.items())},
            "events": report.events,
            "sha256": report.sha256,
        },
    )
    connection = session.connection()
    partitioned = partitions.is_partitioned(connection)
    for month in sorted(months):
        if partitioned:
            partitions.drop(connection, month)
        else:
            session.execute(
                delete(E).where(E.local_date >= month, E.local_date < partitions.next_month(month))
            )
    session.flush()
    report.applied = True
    return report


def _months_before(session: Session, cutoff: date) -> dict[date, int]:
    """Every whole month before ``cutoff`` that holds events (or a partition), with its count."""
    # The month is cut from the date as text: YYYY-MM reads the same on both back ends.
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(E.local_date, "YYYY-MM")
    else:
        month = func.substr(E.local_date, 1, 7)
    counts = session.execute(
        select(month.label("month"), func.count().label("events"))
        .where(E.local_date < cutoff)
        .group_by(month)
    )
    found = {_first_day(str(row.month)): int(row.events) for row in counts}
    connection = session.connection()
    if partitions.is_partitioned(connection):
        # An empty partition goes too (a file whose lines were all refused leaves none, but a
        # restore might).
        found.update({m: 0 for m in partitions.months(connection) if m not in found})
    return {m: n for m, n in found.items() if partitions.next_month(m) <= cutoff}


def _first_day(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


def event_digest(session: Session, months: list[date]) -> str:
    """SHA-256 over the events of ``months``: month by month, each ordered by id, one line per
    event, a JSON array of every column (dates and times in ISO 8601, times in UTC)."""
    digest = hashlib.sha256()
    for month in months:
        rows = session.execute(
            select(*DIGEST_COLUMNS)
            .where(E.local_date >= month, E.local_date < partitions.next_month(month))
            .order_by(E.id)
            .execution_options(yield_per=_FETCH)
        )
        for row in rows:
            line = json.dumps(list(row), default=_iso, ensure_ascii=False, separators=(",", ":"))
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def _iso(value: Any) -> str:
    if isinstance(value, date):  # datetimes too: UTCDateTime gives them in UTC
        return value.isoformat()
    raise TypeError(type(value).__name__)
