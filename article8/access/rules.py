"""The anomaly rules: set-based SQL over access events, one anomaly per rule, person and day.

Each rule is one ``INSERT … SELECT … GROUP BY`` that upserts on (rule, person_key, local_date,
area): running the rules again updates counts and times, keeps the triage status and never
duplicates. Bursts and entries without an exit use window functions (LEAD, MAX OVER ROWS). Every
rule works per local date, so a run over some dates is complete for those dates.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    delete,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session, aliased

from article8.access.models import (
    ALL_ACTIONS,
    LIST_SEPARATOR,
    AccessEvent,
    Anomaly,
    Handler,
    HandlerAuthorisation,
)
from article8.core.calendar import DEFAULT_CLOSED_DAYS, AnnualClosure, parse_closed_days
from article8.core.closures import company_closures
from article8.core.db import UTCDateTime
from article8.core.settings import Settings

# Every rule and its severity, in the order the issue numbers them.
RULES = {
    "unauthorised_access": "high",
    "leaver_access": "high",
    "off_hours": "medium",
    "bulk_export": "high",
    "failed_login_burst": "medium",
    "restricted_area_entry": "high",
    "denied_badge_burst": "medium",
    "entry_without_exit": "low",
}
AREA_RULES = ("restricted_area_entry", "entry_without_exit")
# The kinds of event each rule looks at.
RULE_KINDS = {
    "unauthorised_access": ("system",),
    "leaver_access": ("system", "entry"),
    "off_hours": ("system",),
    "bulk_export": ("system",),
    "failed_login_burst": ("system",),
    "restricted_area_entry": ("entry",),
    "denied_badge_burst": ("entry",),
    "entry_without_exit": ("entry",),
}
_COLUMNS = (
    "rule", "severity", "person_key", "handler_id", "local_date", "area", "event_count",
    "first_seen", "last_seen", "status", "run_token", "created_at", "updated_at",
)  # fmt: skip
E = AccessEvent


@dataclass(frozen=True)
class RuleSettings:
    """The installation's time zone (no default), the rules' thresholds and the clock skew an import
    allows; the issue's defaults."""

    timezone: ZoneInfo
    business_hours: tuple[time, time] = (time(8, 0), time(20, 0))
    # The yearly closures; the one-off closures are read from the database on each run.
    closed_days: tuple[AnnualClosure, ...] = parse_closed_days(DEFAULT_CLOSED_DAYS)
    bulk_export_records: int = 1000
    bulk_export_daily_records: int = 5000
    failed_login_count: int = 5
    failed_login_window_minutes: int = 10
    denied_badge_count: int = 3
    denied_badge_window_minutes: int = 10
    # Not a rule: how far past the server's clock an imported event may be (clocks drift).
    clock_skew_hours: int = 24

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleSettings:
        """The installation's thresholds, time zone and business hours."""
        return cls(
            timezone=settings.timezone,
            business_hours=settings.business_hours,
            closed_days=settings.closed_days,
            bulk_export_records=settings.rule_bulk_export_records,
            bulk_export_daily_records=settings.rule_bulk_export_daily,
            failed_login_count=settings.rule_failed_login_burst,
            failed_login_window_minutes=settings.rule_burst_minutes,
            denied_badge_count=settings.rule_denied_badge_burst,
            denied_badge_window_minutes=settings.rule_burst_minutes,
            clock_skew_hours=settings.clock_skew_hours,
        )

    @classmethod
    def of(cls, settings: Settings | RuleSettings) -> RuleSettings:
        """``settings`` itself, or the rule settings of an installation's Settings."""
        if isinstance(settings, RuleSettings):
            return settings
        return cls.from_settings(settings)

    @property
    def business_minutes(self) -> tuple[int, int]:
        """Business hours as local minutes of the day, start inclusive, end exclusive."""
        start, end = self.business_hours
        return start.hour * 60 + start.minute, end.hour * 60 + end.minute


@dataclass
class RuleReport:
    """What a run found: anomalies per rule within its dates, and withdrawn stale ones."""

    found: dict[str, int] = field(default_factory=dict)
    withdrawn: int = 0

    @property
    def total(self) -> int:
        """All anomalies within the run's dates."""
        return sum(self.found.values())


DateFilter = Callable[[Any], ColumnElement[bool]]


def run_rules(
    session: Session,
    settings: Settings | RuleSettings,
    *,
    dates: tuple[date, date] | None = None,
    days: Collection[date] | None = None,
    now: datetime,
) -> RuleReport:
    """Run every rule over the local dates ``dates`` (from, to; inclusive) or ``days``, or all.

    Untriaged (``new``) anomalies within those dates that the rules no longer find, say because
    the exit arrived in a later file or the register now authorises the access, are withdrawn.
    """
    if days is not None and not days:
        return RuleReport()
    within = _date_filter(dates, days)
    rules = RuleSettings.of(settings)
    closed = _closed_dates(session, rules, dates, days)
    token = secrets.token_hex(16)
    for rule, query in _queries(rules, within, closed).items():
        _upsert(session, rule, query, token, now)
    # A DELETE answers with a CursorResult (its rowcount); Session.execute is typed for any result.
    withdrawn = cast(
        "CursorResult[Any]",
        session.execute(
            delete(Anomaly)
            .where(within(Anomaly.local_date), Anomaly.status == "new", Anomaly.run_token != token)
            # Loaded anomalies still hold the old token: ask the database which rows went.
            .execution_options(synchronize_session="fetch")
        ),
    ).rowcount
    counts = session.execute(
        select(Anomaly.rule, func.count()).where(within(Anomaly.local_date)).group_by(Anomaly.rule)
    )
    session.flush()
    return RuleReport({rule: n for rule, n in counts}, withdrawn or 0)


def _date_filter(dates: tuple[date, date] | None, days: Collection[date] | None) -> DateFilter:
    if days is not None:
        chosen = sorted(set(days))
        return lambda column: column.in_(chosen)
    if dates is not None:
        first, last = dates
        return lambda column: column.between(first, last)
    return lambda column: true()


def _closed_dates(
    session: Session,
    rules: RuleSettings,
    dates: tuple[date, date] | None,
    days: Collection[date] | None,
) -> list[date]:
    # Closures are applied here, not stored with the events: an administrator may add or remove
    # one after the logs were imported, and the next run must see it. The stored business_day
    # says only weekday and public holiday, facts that never change.
    closures = company_closures(session, rules.closed_days)
    if days is not None:
        return sorted(day for day in set(days) if closures.covers(day))
    if dates is None:
        first, last = session.execute(select(func.min(E.local_date), func.max(E.local_date))).one()
        if first is None:
            return []
        dates = (first, last)
    return closures.between(*dates)


def _upsert(session: Session, rule: str, query: Select[Any], token: str, now: datetime) -> None:
    found = query.subquery()
    source = select(
        literal(rule, String),
        literal(RULES[rule], String),
        found.c.person_key,
        found.c.handler_id,
        found.c.local_date,
        found.c.area,
        found.c.event_count,
        found.c.first_seen,
        found.c.last_seen,
        literal("new", String),
        literal(token, String),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    ).where(true())  # SQLite needs a WHERE before ON CONFLICT to parse INSERT … SELECT
    insert = (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert
    statement = insert(Anomaly).from_select(list(_COLUMNS), source)
    excluded = statement.excluded
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["rule", "person_key", "local_date", "area"],
            # The triage fields (status, reason, who, when, finding) are left as they are.
            set_={
                "handler_id": excluded.handler_id,
                "event_count": excluded.event_count,
                "first_seen": excluded.first_seen,
                "last_seen": excluded.last_seen,
                "run_token": excluded.run_token,
                "updated_at": excluded.updated_at,
            },
        )
    )


def _queries(
    rules: RuleSettings, within: DateFilter, closed: Collection[date]
) -> dict[str, Select[Any]]:
    system = and_(E.kind == "system", within(E.local_date))
    entry = and_(E.kind == "entry", within(E.local_date))
    start, end = rules.business_minutes
    return {
        "unauthorised_access": _grouped(
            system, E.result == "ok", ~exists().where(_authorised("system", E.system, E.action))
        ),
        "leaver_access": _grouped(
            within(E.local_date),
            exists().where(
                Handler.id == E.handler_id,
                Handler.employed_until.is_not(None),
                E.local_date > Handler.employed_until,
            ),
        ),
        "off_hours": _grouped(
            system,
            E.result == "ok",
            E.action != "login_failed",
            or_(
                E.business_day.is_(False),
                E.local_date.in_(closed),
                E.local_minute < start,
                E.local_minute >= end,
            ),
        ),
        "bulk_export": _bulk_export(system, rules),
        "failed_login_burst": _bursts(
            and_(system, E.action == "login_failed"),
            rules.failed_login_count,
            rules.failed_login_window_minutes * 60,
        ),
        "restricted_area_entry": _grouped(
            entry,
            E.direction == "in",
            E.result == "granted",
            ~exists().where(_authorised("area", E.area, None)),
            by_area=True,
        ),
        "denied_badge_burst": _bursts(
            and_(entry, E.result == "denied"),
            rules.denied_badge_count,
            rules.denied_badge_window_minutes * 60,
        ),
        "entry_without_exit": _entry_without_exit(entry),
    }


def _grouped(*conditions: ColumnElement[bool], by_area: bool = False) -> Select[*tuple[Any, ...]]:
    """The events matching ``conditions``, grouped per person and local date (and area)."""
    area = E.area if by_area else literal("", String)
    query = select(
        E.person_key,
        func.max(E.handler_id).label("handler_id"),
        E.local_date,
        area.label("area"),
        func.count().label("event_count"),
        func.min(E.occurred_at).label("first_seen"),
        func.max(E.occurred_at).label("last_seen"),
    ).where(*conditions)
    return query.group_by(E.person_key, E.local_date, *([E.area] if by_area else []))


def _authorised(kind: str, target: Any, action: Any) -> ColumnElement[bool]:
    """An authorisation of the event's person for ``target``, valid on the event's local date."""
    grant = aliased(HandlerAuthorisation)
    conditions = [
        grant.handler_id == E.handler_id,
        grant.kind == kind,
        grant.target == target,
        grant.valid_from <= E.local_date,
        or_(grant.valid_until.is_(None), grant.valid_until >= E.local_date),
    ]
    if action is not None:
        # actions is "*" or "view;search": match ";view;search;" against "%;<action>;%".
        sep = literal(LIST_SEPARATOR, String)
        pattern = literal("%" + LIST_SEPARATOR, String) + action + sep + literal("%", String)
        listed = (sep + grant.actions + sep).like(pattern)
        conditions.append(or_(grant.actions == ALL_ACTIONS, listed))
    return and_(*conditions)


def _bulk_export(system: ColumnElement[bool], rules: RuleSettings) -> Select[Any]:
    """Exports of ≥ N records, or a day's exports summing to ≥ M: then every export counts."""
    large = E.records >= rules.bulk_export_records
    daily = func.sum(E.records) >= rules.bulk_export_daily_records
    return (
        select(
            E.person_key,
            func.max(E.handler_id).label("handler_id"),
            E.local_date,
            literal("", String).label("area"),
            case((daily, func.count()), else_=func.sum(case((large, 1), else_=0))).label(
                "event_count"
            ),
            case(
                (daily, func.min(E.occurred_at)), else_=func.min(case((large, E.occurred_at)))
            ).label("first_seen"),
            case(
                (daily, func.max(E.occurred_at)), else_=func.max(case((large, E.occurred_at)))
            ).label("last_seen"),
        )
        .where(system, E.action == "export", E.result == "ok")
        .group_by(E.person_key, E.local_date)
        .having(or_(daily, func.max(E.records) >= rules.bulk_export_records))
    )


def _bursts(events: ColumnElement[bool], count: int, window_seconds: int) -> Select[Any]:
    """``count`` or more matching events of one person within ``window_seconds`` on one date.

    An event is involved when some run of ``count`` consecutive events containing it spans less
    than the window: LEAD finds the runs that start at each event, and a MAX over the preceding
    ``count - 1`` rows marks every event inside one.
    """
    span = count - 1
    order = (E.epoch, E.id)
    starts = case(
        (
            func.lead(E.epoch, literal_column(str(int(span)))).over(
                partition_by=(E.person_key, E.local_date), order_by=order
            )
            - E.epoch
            < window_seconds,
            1,
        ),
        else_=0,
    )
    marked = (
        select(
            E.id,
            E.epoch,
            E.person_key,
            E.handler_id,
            E.local_date,
            E.occurred_at,
            starts.label("starts"),
        )
        .where(events)
        .subquery()
    )
    involved = func.max(marked.c.starts).over(
        partition_by=(marked.c.person_key, marked.c.local_date),
        order_by=(marked.c.epoch, marked.c.id),
        rows=(-span, 0),
    )
    spread = select(marked, involved.label("involved")).subquery()
    return (
        select(
            spread.c.person_key,
            func.max(spread.c.handler_id).label("handler_id"),
            spread.c.local_date,
            literal("", String).label("area"),
            func.count().label("event_count"),
            func.min(spread.c.occurred_at).label("first_seen"),
            func.max(spread.c.occurred_at).label("last_seen"),
        )
        .where(spread.c.involved == 1)
        .group_by(spread.c.person_key, spread.c.local_date)
    )


def _entry_without_exit(entry: ColumnElement[bool]) -> Select[Any]:
    """Granted entries followed by another granted entry, or by no granted exit, that day."""
    following = func.lead(E.direction).over(
        partition_by=(E.person_key, E.local_date, E.area), order_by=(E.epoch, E.id)
    )
    passages = (
        select(
            E.person_key,
            E.handler_id,
            E.local_date,
            E.area,
            E.occurred_at,
            E.direction,
            following.label("next_direction"),
        )
        .where(entry, E.result == "granted")
        .subquery()
    )
    p = passages.c
    return (
        select(
            p.person_key,
            func.max(p.handler_id).label("handler_id"),
            p.local_date,
            p.area,
            func.count().label("event_count"),
            func.min(p.occurred_at).label("first_seen"),
            func.max(p.occurred_at).label("last_seen"),
        )
        .where(p.direction == "in", or_(p.next_direction.is_(None), p.next_direction == "in"))
        .group_by(p.person_key, p.local_date, p.area)
    )
