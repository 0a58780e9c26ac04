"""On time or late: one rule, by the local day of the submission, in every report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from article8.controls.inspections.models import (
    Inspection,
    submitted_on_time,
    submitted_on_time_sql,
)
from article8.core.calendar import local_midnight_utc
from article8.reports.oscal import assessment_results
from article8.reports.period import Period
from article8.reports.posture import dashboard
from article8.reports.workbook import write_workbook
from article8.reports.workbook.page import TITLE_ROWS
from tests.conftest import SYSTEM_ACTOR
from tests.reports.factories import add_control, add_inspection

DUE = date(2026, 4, 10)
# 05:00 on 11 April in Tokyo, still 10 April in UTC.
SUBMITTED = datetime(2026, 4, 10, 20, 0, tzinfo=UTC)
EXPORTED = datetime(2026, 4, 30, 1, 0, tzinfo=UTC)
APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))


@pytest.fixture
def submitted_after_local_midnight(session):
    """An inspection due 10 April, submitted 10 April 20:00 UTC and approved."""
    control = add_control(session, "T1", "organisational")
    return add_inspection(
        session,
        control,
        "2026-03",
        DUE.isoformat(),
        "approved",
        result="pass",
        submitted_at=SUBMITTED,
        reviewed_at=SUBMITTED + timedelta(days=1),
    )


@pytest.mark.parametrize(
    ("settings_env", "verdict", "shown"),
    [
        ({"ARTICLE8_TZ": "Asia/Tokyo"}, "late", "Late"),
        ({"ARTICLE8_TZ": "UTC"}, "on time", "On time"),
    ],
    ids=["tokyo", "utc"],
)
def test_workbook_oscal_and_dashboard_judge_by_the_configured_local_day(
    session, settings, submitted_after_local_midnight, tmp_path, verdict, shown
):
    out = tmp_path / "workbook.xlsx"
    # The workbook holds the inspections whose period (here March) overlaps its range.
    spring = Period(date(2026, 3, 1), APRIL.end)
    write_workbook(
        session, out, settings=settings, period=spring, lang="en", actor=SYSTEM_ACTOR, now=EXPORTED
    )
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Inspections").to_python()
    rows = rows[TITLE_ROWS:]  # the table starts under the sheet's title block
    header = rows[0]
    [row] = [r for r in rows[1:] if r[header.index("Control")] == "T1"]
    assert row[header.index("Timeliness")] == shown  # the vocabulary's label of the code

    results = assessment_results(session, APRIL, tz=settings.timezone, now=EXPORTED)
    [observation] = results["assessment-results"]["results"][0]["observations"]
    props = {p["name"]: p["value"] for p in observation["props"]}
    assert props["timeliness"] == verdict

    board = dashboard(session, today=date(2026, 4, 30), as_of=None, settings=settings)
    expected = (0, 1) if verdict == "late" else (1, 0)
    assert (board.on_time.on_time, board.on_time.late) == expected


def _boundary_cases(tz: ZoneInfo) -> list[tuple[datetime, date]]:
    """Submissions around the local midnight that ends each due date, and the due dates."""
    cases = []
    for due in (date(2026, 4, 10), date(2026, 12, 31), date(2028, 2, 29), date(2026, 7, 15)):
        end = local_midnight_utc(due + timedelta(days=1), tz)
        start = local_midnight_utc(due, tz)
        for moment in (start - timedelta(microseconds=1), start, end - timedelta(seconds=1)):
            cases.append((moment, due))
        for moment in (end - timedelta(microseconds=1), end, end + timedelta(microseconds=1)):
            cases.append((moment, due))
        cases.append((end + timedelta(hours=12), due))
    return cases


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC", "America/New_York"])
def test_the_sql_rule_agrees_with_the_python_rule_around_local_midnight(session, backend, zone):
    if backend == "sqlite" and zone == "America/New_York":
        # SQLite has no time zone rules: it applies one offset (that of the dashboard's day),
        # exact only for zones without daylight saving time, such as Asia/Tokyo.
        pytest.skip("SQLite applies a single UTC offset")
    tz = ZoneInfo(zone)
    cases = _boundary_cases(tz)
    control = add_control(session, "B1", "technical")
    ids = {}
    for n, (moment, due) in enumerate(cases):
        # One inspection per case: distinct periods, one control.
        start = date(2000 + n, 1, 1)
        inspection = add_inspection(
            session,
            control,
            (start, start + timedelta(days=30), start),
            due.isoformat(),
            "submitted",
            submitted_at=moment,
        )
        ids[inspection.id] = submitted_on_time(moment, due, tz)
    dialect = session.get_bind().dialect.name
    in_sql = dict(
        session.execute(
            select(
                Inspection.id,
                submitted_on_time_sql(
                    Inspection.submitted_at, Inspection.due_on, tz, dialect, near=DUE
                ),
            ).where(Inspection.id.in_(ids))
        ).all()
    )
    assert {i: bool(v) for i, v in in_sql.items()} == ids
    # The cases straddle the boundary: some on time, some late.
    assert set(ids.values()) == {True, False}
