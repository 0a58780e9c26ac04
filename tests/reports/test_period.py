"""Reporting periods: whole local days, in UTC from the midnight that starts them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from article8.reports.period import Period, end_of_local_day

TOKYO = ZoneInfo("Asia/Tokyo")


def test_a_period_runs_from_local_midnight_to_the_midnight_after_its_last_day():
    april = Period(date(2026, 4, 1), date(2026, 4, 30))
    assert april.starts_at(TOKYO) == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert april.ends_at(TOKYO) == datetime(2026, 4, 30, 15, 0, tzinfo=UTC)
    assert april.label == "2026-04-01 – 2026-04-30"


def test_the_default_period_is_the_fiscal_year_so_far():
    assert Period.fiscal_year_to_date(date(2027, 2, 10), 4) == Period(
        date(2026, 4, 1), date(2027, 2, 10)
    )
    assert Period.fiscal_year_to_date(date(2026, 4, 1), 4) == Period(
        date(2026, 4, 1), date(2026, 4, 1)
    )
    assert Period.fiscal_year_to_date(date(2026, 12, 31), 1).start == date(2026, 1, 1)


def test_the_month_before_crosses_the_year():
    assert Period.month_before(date(2027, 1, 5)) == Period(date(2026, 12, 1), date(2026, 12, 31))
    assert Period.month_before(date(2028, 3, 1)) == Period(date(2028, 2, 1), date(2028, 2, 29))


def test_as_of_a_day_is_its_last_instant():
    last = end_of_local_day(date(2026, 11, 17), TOKYO)
    assert last == datetime(2026, 11, 17, 14, 59, 59, 999999, tzinfo=UTC)
