"""The read side of the register and the access checks: lists, filters, the anomalies JSON."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from article8.access.models import (
    AccessBatch,
    AccessEvent,
    Anomaly,
    Handler,
    HandlerAlias,
    HandlerAuthorisation,
)
from article8.access.rules import AREA_RULES, RULE_KINDS


@dataclass(frozen=True)
class AnomalyFilter:
    """Criteria for anomaly lists; empty fields do not filter. Dates are local and inclusive."""

    date_from: date | None = None
    date_to: date | None = None
    rule: str | None = None
    status: str | None = None
    # An employee id, or a name as a log wrote it.
    person: str | None = None
    severity: str | None = None


def filtered(criteria: AnomalyFilter) -> Select[Anomaly]:
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
    if criteria.severity:
        query = query.where(Anomaly.severity == criteria.severity)
    if criteria.person:
        query = query.where(
            Anomaly.person_key.in_((f"p:{criteria.person}", f"u:{criteria.person}"))
        )
    return query.order_by(Anomaly.local_date, Anomaly.rule, Anomaly.person_key, Anomaly.area)


def anomalies(
    session: Session, criteria: AnomalyFilter, *, limit: int | None = None
) -> list[Anomaly]:
    """The anomalies matching ``criteria`` (the first ``limit`` of them)."""
    query = filtered(criteria).options(joinedload(Anomaly.handler)).limit(limit)
    return list(session.scalars(query))


def counts_by_rule(session: Session, criteria: AnomalyFilter) -> dict[str, int]:
    """How many anomalies match ``criteria`` under each rule (ignoring its rule criterion)."""
    matching = filtered(replace(criteria, rule=None)).order_by(None).subquery()
    rows = session.execute(
        select(matching.c.rule, func.count().label("n")).group_by(matching.c.rule)
    )
    return {row.rule: row.n for row in rows}


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


def people(
    session: Session,
    *,
    search: str | None = None,
    employment: str | None = None,
    today: date | None = None,
) -> list[Handler]:
    """The register by employee id, with aliases and authorisations.

    ``search`` matches the employee id, name, department or an alias; ``employment`` is
    ``employed`` (on ``today``) or ``left`` (before ``today``).
    """
    query = select(Handler).options(
        selectinload(Handler.aliases), selectinload(Handler.authorisations)
    )
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(Handler.employee_id).like(pattern),
                func.lower(Handler.name).like(pattern),
                func.lower(Handler.department).like(pattern),
                Handler.aliases.any(func.lower(HandlerAlias.alias).like(pattern)),
            )
        )
    if employment in ("employed", "left") and today is not None:
        left = and_(Handler.employed_until.is_not(None), Handler.employed_until < today)
        query = query.where(left if employment == "left" else not_(left))
    return list(session.scalars(query.order_by(Handler.employee_id)))


def person(session: Session, handler_id: int) -> Handler | None:
    """One person with aliases and authorisations."""
    return session.scalar(
        select(Handler)
        .where(Handler.id == handler_id)
        .options(selectinload(Handler.aliases), selectinload(Handler.authorisations))
    )


def register_systems(session: Session) -> list[str]:
    """The personal-data systems of the handler register: every system authorisation's target.

    The request register (issue 16) links requests to these by name.
    """
    return list(
        session.scalars(
            select(HandlerAuthorisation.target)
            .where(HandlerAuthorisation.kind == "system")
            .distinct()
            .order_by(HandlerAuthorisation.target)
        )
    )
