"""Exactly one inspection per control and period: idempotent, catching up, race-free."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from article8.controls.catalogue.models import Control
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import generate_inspections, run_schedule
from article8.core.audit import SYSTEM
from article8.core.closures import add_closure
from article8.core.db import make_engine
from article8.core.models import AuditEvent
from tests.cli_runner import article8
from tests.support.processes import process_env
from tests.support.schedule import LOADED, RULES


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced when it entered the system (LOADED)."""


def by_frequency(session) -> Counter:
    rows = session.execute(
        select(Control.frequency, Inspection.status).join(
            Control, Control.id == Inspection.control_id
        )
    )
    return Counter(rows)


def test_the_first_run_creates_one_inspection_per_control(session, catalogue):
    report = run_schedule(session, RULES, now=LOADED)
    assert len(report.created) == 41 and not report.created_missed
    statuses = Counter(session.scalars(select(Inspection.status)))
    # On 24 November only the monthly inspections (November opens on the 16th) are open.
    monthly = session.scalar(
        select(func.count()).select_from(Control).where(Control.frequency == "monthly")
    )
    assert statuses == {"open": monthly, "scheduled": 41 - monthly}


def test_running_again_creates_nothing(session, catalogue):
    run_schedule(session, RULES, now=LOADED)
    again = generate_inspections(session, RULES, now=LOADED)
    assert again.created == [] and again.created_missed == []
    assert session.scalar(select(func.count()).select_from(Inspection)) == 41


def test_the_database_refuses_a_second_inspection_for_a_period(session, catalogue):
    run_schedule(session, RULES, now=LOADED)
    existing = session.scalars(select(Inspection)).first()
    duplicate = Inspection(
        control_id=existing.control_id,
        period_start=existing.period_start,
        period_end=existing.period_end,
        period_label="dup",
        opens_on=existing.opens_on,
        due_on=existing.due_on,
        status="open",
        created_at=LOADED,
        updated_at=LOADED,
    )
    savepoint = session.begin_nested()
    session.add(duplicate)
    with pytest.raises(IntegrityError):
        session.flush()
    savepoint.rollback()


def test_catch_up_after_a_year_of_downtime(session, catalogue):
    run_schedule(session, RULES, now=LOADED)
    # Nothing runs for a year; the next run is on 2027-11-24 (Wednesday, a holiday the day before).
    report = run_schedule(session, RULES, now=datetime(2027, 11, 24, 1, 0, tzinfo=UTC))
    counts = by_frequency(session)
    monthly = session.scalar(
        select(func.count()).select_from(Control).where(Control.frequency == "monthly")
    )
    quarterly = session.scalar(
        select(func.count()).select_from(Control).where(Control.frequency == "quarterly")
    )
    semiannual = session.scalar(
        select(func.count()).select_from(Control).where(Control.frequency == "semiannual")
    )
    annual = 41 - monthly - quarterly - semiannual
    # Monthly: Nov 2026 … Nov 2027 = 13 periods; all but November 2027 (opened on the 16th)
    # were due before the 24th.
    assert counts[("monthly", "open")] == monthly
    assert counts[("monthly", "missed")] == 12 * monthly
    # Quarterly: FY2026 Q3 (Oct–Dec 2026) … FY2027 Q3 (Oct–Dec 2027) = 5; the last not yet open.
    assert counts[("quarterly", "missed")] == 4 * quarterly
    assert counts[("quarterly", "scheduled")] == quarterly
    # Half-years: FY2026 H2 … FY2027 H2 = 3 periods; FY2027 H2 (Oct 2027–Mar 2028) is current.
    assert counts[("semiannual", "missed")] == 2 * semiannual
    assert counts[("semiannual", "scheduled")] == semiannual
    # Years: FY2026 (Apr 2026–Mar 2027, missed) and FY2027 (current).
    assert counts[("annual", "missed")] == annual
    assert counts[("annual", "scheduled")] == annual
    assert len(report.created_missed) == (11 * monthly + 3 * quarterly + semiannual)
    # The ones created a year ago and never done were marked missed, not opened first.
    assert len(report.missed) == 41 and report.opened == []


def test_periods_are_counted_from_when_a_control_entered_the_catalogue(session, catalogue):
    session.execute(update(Control).values(created_at=datetime(2027, 2, 1, tzinfo=UTC)))
    run_schedule(session, RULES, now=datetime(2027, 2, 10, tzinfo=UTC))
    starts = set(session.scalars(select(Inspection.period_start)))
    # The period of each frequency that contains 1 February 2027, and nothing earlier.
    assert starts == {date(2027, 2, 1), date(2027, 1, 1), date(2026, 10, 1), date(2026, 4, 1)}


def test_inactive_controls_get_no_inspections(session, catalogue):
    session.execute(update(Control).where(Control.code == "ORG-04").values(active=False))
    run_schedule(session, RULES, now=LOADED)
    assert session.scalar(select(func.count()).select_from(Inspection)) == 40


def test_two_processes_racing_create_no_duplicates(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    at = "2027-11-24T10:00:00+09:00"
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "article8.cli", "scheduler", "tick", "--at", at],
            env=process_env(fresh_database_url, tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [racer.communicate(timeout=120) for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), results
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            per_period = conn.execute(
                select(Inspection.control_id, Inspection.period_start, func.count())
                .group_by(Inspection.control_id, Inspection.period_start)
                .having(func.count() > 1)
            ).all()
            total = conn.scalar(select(func.count()).select_from(Inspection))
    finally:
        engine.dispose()
    assert per_period == []
    import json

    created = sum(
        json.loads(out)["created"] + json.loads(out)["created_missed"] for out, _ in results
    )
    assert created == total > 40


# --- company closures ------------------------------------------------------------------------


def due_dates(session, frequency: str) -> set[date]:
    return set(
        session.scalars(
            select(Inspection.due_on)
            .join(Control, Control.id == Inspection.control_id)
            .where(Control.frequency == frequency)
        )
    )


def test_a_one_off_closure_moves_new_due_dates_to_the_next_business_day(session, catalogue):
    # November's monthly inspections are due 2026-11-30 + 10 = Thursday 10 December; the
    # company is closed that day, so they are due on Friday 11 December.
    add_closure(session, SYSTEM, day=date(2026, 12, 10), reason="office move", now=LOADED)
    run_schedule(session, RULES, now=LOADED)
    assert due_dates(session, "monthly") == {date(2026, 12, 11)}
    # FY2026 Q3 ends 31 December: + 10 = Sunday 10 January, 成人の日 on the 11th → the 12th.
    assert due_dates(session, "quarterly") == {date(2027, 1, 12)}


def test_no_due_date_lands_in_the_year_end_closure(session, catalogue):
    # 2026-11-30 + 31 days = Thursday 31 December, closed (12-29..01-03): Monday 4 January.
    run_schedule(session, replace(RULES, grace_days=31), now=LOADED)
    assert due_dates(session, "monthly") == {date(2027, 1, 4)}
    run_schedule(session, replace(RULES, grace_days=31, closed_days=()), now=LOADED)
    assert due_dates(session, "monthly") == {date(2027, 1, 4)}  # set once, not moved back


def test_the_year_end_closure_is_the_default_and_a_setting_can_remove_it(session, catalogue):
    run_schedule(session, replace(RULES, grace_days=31, closed_days=()), now=LOADED)
    assert due_dates(session, "monthly") == {date(2026, 12, 31)}


def test_a_closure_added_later_moves_the_pending_due_dates_on_it(session, catalogue):
    first = run_schedule(session, RULES, now=LOADED)
    monthly = {
        inspection.id
        for inspection in session.scalars(
            select(Inspection).join(Control).where(Control.frequency == "monthly")
        )
    }
    assert due_dates(session, "monthly") == {date(2026, 12, 10)} and first.moved == []
    add_closure(session, SYSTEM, day=date(2026, 12, 10), reason="office move", now=LOADED)
    report = run_schedule(session, RULES, now=LOADED)
    assert set(report.moved) == monthly
    assert due_dates(session, "monthly") == {date(2026, 12, 11)}
    moved = session.scalars(select(AuditEvent).where(AuditEvent.action == "inspection.due_moved"))
    assert {(e.object_id, e.details) for e in moved} == {
        (str(i), '{"after":"2026-12-11","before":"2026-12-10"}') for i in monthly
    }
    assert run_schedule(session, RULES, now=LOADED).moved == []
