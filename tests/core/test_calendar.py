"""Periods on the fiscal calendar and due dates on Japanese business days."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from article8.core.calendar import (
    is_business_day,
    period_containing,
    periods_between,
    previous_business_day,
    window_for,
)


@pytest.mark.parametrize(
    ("frequency", "day", "start", "end", "label"),
    [
        ("monthly", date(2026, 2, 1), date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
        ("monthly", date(2028, 2, 29), date(2028, 2, 1), date(2028, 2, 29), "2028-02"),
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
        ("quarterly", date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), "FY2026 Q1"),
        ("quarterly", date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30), "FY2026 Q1"),
        ("quarterly", date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30), "FY2026 Q2"),
        ("quarterly", date(2027, 1, 1), date(2027, 1, 1), date(2027, 3, 31), "FY2026 Q4"),
        ("quarterly", date(2027, 3, 31), date(2027, 1, 1), date(2027, 3, 31), "FY2026 Q4"),
        ("semiannual", date(2026, 9, 30), date(2026, 4, 1), date(2026, 9, 30), "FY2026 H1"),
        ("semiannual", date(2026, 10, 1), date(2026, 10, 1), date(2027, 3, 31), "FY2026 H2"),
        ("annual", date(2026, 3, 31), date(2025, 4, 1), date(2026, 3, 31), "FY2025"),
        ("annual", date(2026, 4, 1), date(2026, 4, 1), date(2027, 3, 31), "FY2026"),
    ],
)
def test_period_boundaries_follow_an_april_fiscal_year(frequency, day, start, end, label):
    period = period_containing(frequency, day, 4)
    assert (period.start, period.end, period.label) == (start, end, label)


def test_a_january_fiscal_year_is_the_calendar_year():
    assert period_containing("quarterly", date(2026, 3, 31), 1).label == "FY2026 Q1"
    assert period_containing("annual", date(2026, 12, 31), 1).end == date(2026, 12, 31)
    half = period_containing("semiannual", date(2026, 7, 1), 1)
    assert (half.start, half.end, half.label) == (date(2026, 7, 1), date(2026, 12, 31), "FY2026 H2")


@pytest.mark.parametrize(
    ("frequency", "count"), [("monthly", 12), ("quarterly", 4), ("semiannual", 2), ("annual", 1)]
)
def test_a_fiscal_year_holds_the_right_number_of_periods(frequency, count):
    periods = list(periods_between(frequency, date(2026, 4, 1), date(2027, 3, 31), 4))
    assert len(periods) == count
    assert periods[0].start == date(2026, 4, 1) and periods[-1].end == date(2027, 3, 31)
    for before, after in itertools.pairwise(periods):
        assert (after.start - before.end).days == 1


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (date(2027, 1, 1), False),  # 元日
        (date(2026, 12, 31), True),  # Thursday, not a public holiday
        (date(2027, 1, 11), False),  # 成人の日 (second Monday of January)
        (date(2026, 11, 23), False),  # 勤労感謝の日 (Monday)
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 24), True),
    ],
)
def test_business_days_skip_weekends_and_japanese_public_holidays(day, business):
    assert is_business_day(day) is business


def test_a_due_date_on_new_years_day_moves_to_the_last_business_day_of_the_year():
    december = period_containing("monthly", date(2026, 12, 5))
    window = window_for(december, lead_days=14, grace_days=1)  # 2026-12-31 + 1 = 2027-01-01
    assert window.due_on == date(2026, 12, 31)
    assert window.opens_on == date(2026, 12, 17)


def test_a_due_date_on_a_holiday_monday_moves_back_over_the_weekend():
    # 2027-01-11 is 成人の日; Saturday 9th and Sunday 10th are skipped too.
    assert previous_business_day(date(2027, 1, 11)) == date(2027, 1, 8)


def test_the_default_window_opens_two_weeks_early_and_is_due_ten_days_late():
    q3 = period_containing("quarterly", date(2026, 11, 24))
    window = window_for(q3)
    assert window.opens_on == date(2026, 12, 17)
    assert window.due_on == date(2027, 1, 8)  # Sunday 10 January → Friday 8 January
