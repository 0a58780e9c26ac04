"""The audit trail segment of the package: the period's events and the one link before them.

Each line of ``audit-trail.jsonl`` is one event carrying exactly what the chain hashes (the keys
of :func:`article8.core.audit.event_hash`, the details as the very text that was hashed) plus
its previous hash and its hash, so that ``verify.py`` recomputes every link without article8.
The segment runs without a gap from the event before the period's first to the period's last:
an event stamped outside the period but sequenced inside it is carried too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.core.audit import CHAIN_COLUMNS, HASHED_TIME, canonical_json, hashed_fields
from article8.core.models import AuditEvent
from article8.reports.period import Period

FILE = "audit-trail.jsonl"


@dataclass(frozen=True)
class Segment:
    """The sequence numbers the package carries: ``first`` is the link before the period's
    first event (or that event itself when it opens the chain); None when the period has none."""

    first: int | None = None
    last: int | None = None
    first_in_period: int | None = None


def segment(session: Session, period: Period, tz: ZoneInfo) -> Segment:
    """The range of sequence numbers to carry for ``period``."""
    low, high = session.execute(
        select(func.min(AuditEvent.seq), func.max(AuditEvent.seq)).where(
            AuditEvent.occurred_at >= period.starts_at(tz),
            AuditEvent.occurred_at < period.ends_at(tz),
        )
    ).one()
    if low is None:
        return Segment()
    return Segment(first=max(low - 1, 1), last=high, first_in_period=low)


def event_line(row: Any) -> str:
    """One event as a JSON line: the hashed fields under their hashed names, then the links."""
    occurred_at = row.occurred_at.astimezone(UTC).strftime(HASHED_TIME)
    return canonical_json(
        {**hashed_fields(row, occurred_at), "prev_hash": row.prev_hash, "hash": row.hash}
    )


def lines(session: Session, carried: Segment) -> Iterator[str]:
    """The segment's events as JSON lines, by sequence; memory stays flat however long."""
    if carried.first is None or carried.last is None:
        return
    found = session.execute(
        select(*CHAIN_COLUMNS)
        .where(AuditEvent.seq.between(carried.first, carried.last))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=5000)
    )
    with found:
        for row in found:
            yield event_line(row) + "\n"
