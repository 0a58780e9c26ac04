"""Turning each control's frequency into inspections: exactly one per control and period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from article8.controls.catalogue.models import Control
from article8.controls.inspections.models import PENDING_STATES, Inspection
from article8.core import audit
from article8.core.audit import Actor
from article8.core.calendar import (
    DEFAULT_CLOSED_DAYS,
    AnnualClosure,
    Closures,
    local_date,
    next_business_day,
    parse_closed_days,
    periods_between,
    window_for,
)
from article8.core.closures import company_closures
from article8.core.settings import Settings

SCHEDULER = Actor(None, "system:scheduler")


@dataclass(frozen=True)
class ScheduleRules:
    """The calendar rules inspections follow."""

    timezone: ZoneInfo
    fy_start_month: int = 4
    lead_days: int = 14
    grace_days: int = 10
    missed_after_days: int = 30
    # The yearly closures; the one-off closures are read from the database on each run.
    closed_days: tuple[AnnualClosure, ...] = parse_closed_days(DEFAULT_CLOSED_DAYS)

    @classmethod
    def from_settings(cls, settings: Settings) -> ScheduleRules:
        """The rules configured for this installation."""
        return cls(
            timezone=settings.timezone,
            fy_start_month=settings.fiscal_year_start,
            lead_days=settings.inspection_lead_days,
            grace_days=settings.inspection_grace_days,
            missed_after_days=settings.missed_after_days,
            closed_days=settings.closed_days,
        )


@dataclass
class ScheduleReport:
    """Inspection ids touched by one run, by what happened to them."""

    created: list[int] = field(default_factory=list)
    created_missed: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)


def _insert(session: Session) -> Any:
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def generate_inspections(
    session: Session, rules: ScheduleRules, *, now: datetime, actor: Actor = SCHEDULER
) -> ScheduleReport:
    """Create every inspection due to exist by ``now``; idempotent and safe to run concurrently.

    Each active control gets one inspection for every period from the one in which it entered
    the catalogue up to the current one. After downtime, periods whose due date has already
    passed are created as ``missed`` rather than skipped, so that the gap stays visible.
    """
    today = local_date(now, rules.timezone)
    closures = company_closures(session, rules.closed_days)
    rows = []
    for control in session.execute(
        select(Control.id, Control.frequency, Control.owner_id, Control.created_at).where(
            Control.active.is_(True)
        )
    ):
        first = local_date(control.created_at, rules.timezone)
        for period in periods_between(control.frequency, first, today, rules.fy_start_month):
            window = window_for(
                period, lead_days=rules.lead_days, grace_days=rules.grace_days, closures=closures
            )
            if window.due_on < today:
                status = "missed"
            elif window.opens_on <= today:
                status = "open"
            else:
                status = "scheduled"
            rows.append(
                {
                    "control_id": control.id,
                    "period_start": period.start,
                    "period_end": period.end,
                    "period_label": period.label,
                    "opens_on": window.opens_on,
                    "due_on": window.due_on,
                    "status": status,
                    "assignee_id": control.owner_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    report = ScheduleReport()
    if not rows:
        return report
    # ON CONFLICT DO NOTHING on the (control, period) key: a second scheduler, a cron tick or a
    # retry racing this one inserts nothing twice; RETURNING names only what this run created.
    statement = (
        _insert(session)(Inspection)
        .on_conflict_do_nothing(index_elements=["control_id", "period_start"])
        .returning(Inspection.id, Inspection.status)
    )
    for chunk in range(0, len(rows), 500):
        for created in session.execute(statement, rows[chunk : chunk + 500]):
            (report.created_missed if created.status == "missed" else report.created).append(
                created.id
            )
    for inspection_id in sorted(report.created + report.created_missed):
        audit.record(
            session,
            actor,
            "inspection.create",
            now=now,
            object_type="inspection",
            object_id=inspection_id,
            details={
                "status": "missed"
                if inspection_id in report.created_missed
                else "scheduled_or_open"
            },
        )
    return report


def open_due_inspections(
    session: Session, rules: ScheduleRules, *, now: datetime, actor: Actor = SCHEDULER
) -> list[int]:
    """Open scheduled inspections whose opening day has come."""
    today = local_date(now, rules.timezone)
    opened = list(
        session.scalars(
            update(Inspection)
            .where(Inspection.status == "scheduled", Inspection.opens_on <= today)
            .values(status="open", updated_at=now)
            .returning(Inspection.id)
        )
    )
    for inspection_id in sorted(opened):
        audit.record(
            session,
            actor,
            "inspection.open",
            now=now,
            object_type="inspection",
            object_id=inspection_id,
        )
    return opened


def mark_missed(
    session: Session, rules: ScheduleRules, *, now: datetime, actor: Actor = SCHEDULER
) -> list[int]:
    """Mark as missed the inspections still not submitted ``missed_after_days`` past due."""
    cutoff = local_date(now, rules.timezone) - timedelta(days=rules.missed_after_days)
    missed = list(
        session.scalars(
            update(Inspection)
            .where(Inspection.status.in_(PENDING_STATES), Inspection.due_on < cutoff)
            .values(status="missed", updated_at=now)
            .returning(Inspection.id)
        )
    )
    for inspection_id in sorted(missed):
        audit.record(
            session,
            actor,
            "inspection.missed",
            now=now,
            object_type="inspection",
            object_id=inspection_id,
            details={"missed_after_days": rules.missed_after_days},
        )
    return missed


def move_due_dates_off_closures(
    session: Session, rules: ScheduleRules, *, now: datetime, actor: Actor = SCHEDULER
) -> list[int]:
    """Move the due date of every pending inspection due today or later that falls on a day
    closed since it was set (a closure added afterwards) to the next business day."""
    today = local_date(now, rules.timezone)
    closures: Closures = company_closures(session, rules.closed_days)
    pending = session.execute(
        select(Inspection.id, Inspection.due_on).where(
            Inspection.status.in_(PENDING_STATES), Inspection.due_on >= today
        )
    ).all()
    moved = []
    for inspection_id, due_on in sorted(pending):
        new_due = next_business_day(due_on, closures)
        if new_due == due_on:
            continue
        session.execute(
            update(Inspection)
            .where(Inspection.id == inspection_id)
            .values(due_on=new_due, updated_at=now)
        )
        audit.record(
            session,
            actor,
            "inspection.due_moved",
            now=now,
            object_type="inspection",
            object_id=inspection_id,
            details={"before": due_on.isoformat(), "after": new_due.isoformat()},
        )
        moved.append(inspection_id)
    return moved


def run_schedule(session: Session, rules: ScheduleRules, *, now: datetime) -> ScheduleReport:
    """Create, open and mark missed: everything the calendar asks for at ``now``."""
    report = generate_inspections(session, rules, now=now)
    report.moved = move_due_dates_off_closures(session, rules, now=now)
    # Missed first: an inspection long past due is marked missed, not opened and then missed.
    report.missed = mark_missed(session, rules, now=now)
    report.opened = open_due_inspections(session, rules, now=now)
    session.flush()
    return report


def today_in(rules: ScheduleRules, now: datetime) -> date:
    """The local calendar day at ``now``."""
    return local_date(now, rules.timezone)
