"""Builders for the reports' tests: controls and inspections by hand, instants in Tokyo time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from article8.controls.catalogue.models import Control
from article8.controls.inspections.models import Inspection
from article8.reports.posture import dashboard

TODAY = date(2026, 11, 24)  # the clock's day in Tokyo
SETUP = datetime(2025, 11, 1, tzinfo=UTC)


def at(stamp: str) -> datetime:
    """An instant written in Tokyo time."""
    return datetime.fromisoformat(stamp + "+09:00").astimezone(UTC)


def add_control(session, code, category, frequency="monthly", *, active=True) -> Control:
    """A custom control with only what the figures read."""
    control = Control(
        code=code,
        category=category,
        title_en=f"{code} title",
        title_ja=f"{code} 表題",
        description_en="",
        description_ja="",
        frequency=frequency,
        active=active,
        source="custom",
        created_at=SETUP,
        updated_at=SETUP,
    )
    session.add(control)
    session.flush()
    return control


def add_inspection(session, control, period, due, status, **fields) -> Inspection:
    """An inspection of a month ("2026-10") or of explicit (start, end, opens) dates."""
    if isinstance(period, str):
        year, month = map(int, period.split("-"))
        start = date(year, month, 1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        opens, label = end - timedelta(days=14), period
    else:
        start, end, opens = period
        label = f"{start:%Y-%m}+"
    inspection = Inspection(
        control_id=control.id,
        period_start=start,
        period_end=end,
        period_label=label,
        opens_on=opens,
        due_on=date.fromisoformat(due),
        status=status,
        created_at=SETUP,
        updated_at=SETUP,
        **fields,
    )
    session.add(inspection)
    session.flush()
    return inspection


def view(session, settings, as_of=None, today=TODAY):
    """The dashboard on ``today`` (the clock's day), or as of a past instant."""
    return dashboard(session, today=today, as_of=as_of, settings=settings)
