"""Periods on the fiscal calendar and due dates on Japanese business days and company closures."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from article8.core.calendar import (
    DEFAULT_CLOSED_DAYS,
    AnnualClosure,
    Closures,
    is_business_day,
    next_business_day,
    parse_closed_days,
    period_containing,
    periods_between,
    previous_business_day,
    window_for,
)

YEAR_END = Closures(parse_closed_days(DEFAULT_CLOSED_DAYS))


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


def test_a_due_date_on_new_years_day_moves_to_the_first_business_day_after_it():
    december = period_containing("monthly", date(2026, 12, 5))
    window = window_for(december, lead_days=14, grace_days=1)  # 2026-12-31 + 1 = 2027-01-01
    # 元日 (Friday), then Saturday 2 and Sunday 3 January: Monday 4 January.
    assert window.due_on == date(2027, 1, 4)
    assert window.opens_on == date(2026, 12, 17)


def test_a_due_date_never_lands_in_the_year_end_closure():
    november = period_containing("monthly", date(2026, 11, 5))
    # 2026-11-30 + 31 = Thursday 2026-12-31: a weekday and no public holiday, so only the
    # closure 12-29..01-03 moves it, past 元日 and the weekend, to Monday 4 January.
    assert window_for(november, grace_days=31).due_on == date(2026, 12, 31)
    assert window_for(november, grace_days=31, closures=YEAR_END).due_on == date(2027, 1, 4)


def test_a_one_off_closure_moves_a_due_date_to_the_next_business_day():
    november = period_containing("monthly", date(2026, 11, 5))
    # 2026-11-30 + 10 = Thursday 10 December; the company is closed that day and the next.
    closures = Closures(dates=frozenset({date(2026, 12, 10), date(2026, 12, 11)}))
    assert window_for(november).due_on == date(2026, 12, 10)
    assert window_for(november, closures=closures).due_on == date(2026, 12, 14)  # Monday


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2026, 12, 28), False),
        (date(2026, 12, 29), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), True),
        (date(2027, 1, 3), True),
        (date(2027, 1, 4), False),
        (date(2027, 6, 30), False),
    ],
)
def test_the_year_end_closure_wraps_over_the_new_year(day, closed):
    assert YEAR_END.covers(day) is closed


def test_a_closure_within_one_year_and_a_single_day():
    obon = AnnualClosure((8, 13), (8, 16))
    assert [obon.covers(date(2027, 8, d)) for d in (12, 13, 16, 17)] == [False, True, True, False]
    (founding,) = parse_closed_days("10-01")
    assert founding.covers(date(2027, 10, 1)) and not founding.covers(date(2027, 10, 2))


def test_closed_days_between_two_dates():
    closures = Closures(YEAR_END.annual, frozenset({date(2027, 2, 1)}))
    assert closures.between(date(2026, 12, 25), date(2027, 2, 1)) == [
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
        date(2027, 2, 1),
    ]


def test_the_last_day_of_the_year_is_a_business_day_only_without_the_closure():
    assert is_business_day(date(2026, 12, 31))
    assert not is_business_day(date(2026, 12, 31), YEAR_END)
    assert next_business_day(date(2026, 12, 29), YEAR_END) == date(2027, 1, 4)
    assert next_business_day(date(2026, 12, 28), YEAR_END) == date(2026, 12, 28)


def test_a_due_date_on_a_holiday_monday_moves_back_over_the_weekend():
    # 2027-01-11 is 成人の日; Saturday 9th and Sunday 10th are skipped too.
    assert previous_business_day(date(2027, 1, 11)) == date(2027, 1, 8)


def test_the_default_window_opens_two_weeks_early_and_is_due_ten_days_late():
    q3 = period_containing("quarterly", date(2026, 11, 24))
    window = window_for(q3)
    assert window.opens_on == date(2026, 12, 17)
    # Sunday 10 January, then 成人の日 on Monday 11 January: Tuesday 12 January.
    assert window.due_on == date(2027, 1, 12)
