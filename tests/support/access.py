"""Access logs as the tests write them, and what the rules found."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.access.models import Anomaly

SYSTEM_HEADER = "timestamp,user,system,action,records,source_ip,result"
ENTRY_HEADER = "timestamp,person,area,door,direction,result"
SINCE = date(2020, 4, 1)
TOKYO = ZoneInfo("Asia/Tokyo")


def system_log(*lines: str) -> str:
    """A system-access CSV: the header and ``lines``."""
    return "\n".join((SYSTEM_HEADER, *lines)) + "\n"


def entry_log(*lines: str) -> str:
    """An entry/exit CSV: the header and ``lines``."""
    return "\n".join((ENTRY_HEADER, *lines)) + "\n"


def found(session: Session, rule: str | None = None) -> dict[tuple[str, str, str, str], Anomaly]:
    """Anomalies by (rule, person, local date, area), optionally of one rule only."""
    query = select(Anomaly)
    if rule:
        query = query.where(Anomaly.rule == rule)
    session.expire_all()
    return {(a.rule, a.person, a.local_date.isoformat(), a.area): a for a in session.scalars(query)}


def anomaly_counts(session: Session, rule: str) -> dict[tuple[str, str, str], int]:
    """Event counts of one rule's anomalies by (person, local date, area)."""
    return {
        (person, day, area): a.event_count
        for (_, person, day, area), a in found(session, rule).items()
    }


def count(session: Session, model: type) -> int:
    """Rows of ``model``."""
    return session.scalar(select(func.count()).select_from(model)) or 0
