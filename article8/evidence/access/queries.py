"""The read side of the register and the access checks: lists, filters, the anomalies JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from article8.evidence.access.models import AccessBatch, AccessEvent, Anomaly, Handler
from article8.evidence.access.rules import AREA_RULES, RULE_KINDS


@dataclass(frozen=True)
class AnomalyFilter:
    """Criteria for anomaly lists; empty fields do not filter. Dates are local and inclusive."""

    date_from: date | None = None
    date_to: date | None = None
    rule: str | None = None
    status: str | None = None
    # An employee id, or a name as a log wrote it.
    person: str | None = None


def filtered(criteria: AnomalyFilter) -> Select[tuple[Anomaly]]:
    """A select of anomalies matching ``criteria``, by date, rule, person and area."""
    query = select(Anomaly)
    if criteria.date_from:
        query = query.where(Anomaly.local_date >= criteria.date_from)
    if criteria.date_to:
        query = query.where(Anomaly.local_date <= criteria.date_to)
    if criteria.rule:
        query = query.where(Anomaly.rule == criteria.rule)
    if criteria.status:
        query = query.where(Anomaly.status == criteria.status)
    if criteria.person:
        query = query.where(
            Anomaly.person_key.in_((f"p:{criteria.person}", f"u:{criteria.person}"))
        )
    return query.order_by(Anomaly.local_date, Anomaly.rule, Anomaly.person_key, Anomaly.area)


def anomalies(session: Session, criteria: AnomalyFilter) -> list[Anomaly]:
    """The anomalies matching ``criteria``."""
    return list(session.scalars(filtered(criteria)))


def as_json(anomaly: Anomaly, tz: ZoneInfo) -> dict[str, Any]:
    """The shape `article8 access anomalies --format json` prints (times local, with offset)."""
    return {
        "rule": anomaly.rule,
        "person": anomaly.person,
        "date": anomaly.local_date.isoformat(),
        "area": anomaly.area if anomaly.rule in AREA_RULES else None,
        "count": anomaly.event_count,
        "first_seen": anomaly.first_seen.astimezone(tz).isoformat(),
        "last_seen": anomaly.last_seen.astimezone(tz).isoformat(),
        "severity": anomaly.severity,
        "status": anomaly.status,
    }


def count_new(session: Session) -> int:
    """Anomalies nobody has triaged yet (for the dashboard)."""
    return session.scalar(select(func.count()).where(Anomaly.status == "new")) or 0


def anomaly_events(session: Session, anomaly: Anomaly, *, limit: int = 500) -> list[AccessEvent]:
    """The person's events on the anomaly's date (and area), in time order, for triage."""
    query = select(AccessEvent).where(
        AccessEvent.kind.in_(RULE_KINDS[anomaly.rule]),
        AccessEvent.local_date == anomaly.local_date,
        AccessEvent.person_key == anomaly.person_key,
    )
    if anomaly.rule in AREA_RULES:
        query = query.where(AccessEvent.area == anomaly.area)
    return list(session.scalars(query.order_by(AccessEvent.epoch, AccessEvent.id).limit(limit)))


def batches(session: Session, *, limit: int = 100) -> list[AccessBatch]:
    """The most recent imports first."""
    return list(session.scalars(select(AccessBatch).order_by(AccessBatch.id.desc()).limit(limit)))


def people(session: Session) -> list[Handler]:
    """The whole register by employee id, with aliases and authorisations."""
    return list(
        session.scalars(
            select(Handler)
            .options(selectinload(Handler.aliases), selectinload(Handler.authorisations))
            .order_by(Handler.employee_id)
        )
    )
