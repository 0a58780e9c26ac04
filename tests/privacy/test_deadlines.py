"""The clocks, computed by hand: the 法39条 marker is receipt + 14 days; the internal target is
receipt + N days brought forward to a business day; an inquiry's first reply is due 5 business
days after receipt (weekends, holidays and the year-end closure skipped)."""

from __future__ import annotations

from datetime import date

from article8.core.calendar import Closures, parse_closed_days
from article8.privacy.requests.deadlines import (
    clock,
    inquiry_reply_due,
    reminder_stage,
    request_deadlines,
)

YEAR_END = Closures(parse_closed_days("12-29..01-03"))


def test_friday_before_a_holiday_request_and_inquiry():
    # Friday 2026-07-17; Monday 2026-07-20 is Marine Day (海の日).
    friday = date(2026, 7, 17)
    due = request_deadlines(friday, closures=YEAR_END)
    assert due.statutory == date(2026, 7, 31)
    assert due.target == date(2026, 7, 31)  # a Friday: a business day, kept
    # 5 business days: Tue 21, Wed 22, Thu 23, Fri 24, Mon 27 (Monday 20 is a holiday).
    assert inquiry_reply_due(friday, closures=YEAR_END) == date(2026, 7, 27)


def test_a_target_on_a_holiday_is_brought_forward_never_past_the_marker():
    # Friday 2026-07-10 + 10 days = Monday 2026-07-20, Marine Day: the Friday before.
    due = request_deadlines(date(2026, 7, 10), target_days=10, closures=YEAR_END)
    assert due.target == date(2026, 7, 17)
    assert due.statutory == date(2026, 7, 24)


def test_across_the_year_end():
    # Friday 2026-12-18 + 14 = Friday 2027-01-01 (New Year's Day, in the closure): the target
    # comes forward over 12-29..12-31 to Monday 12-28; the statutory marker stays on 1 January.
    due = request_deadlines(date(2026, 12, 18), closures=YEAR_END)
    assert due.target == date(2026, 12, 28)
    assert due.statutory == date(2027, 1, 1)
    # Inquiry received Friday 2026-12-25: Mon 28 (1), closure to 01-03, Mon 4 (2), Tue 5 (3),
    # Wed 6 (4), Thu 7 (5).
    assert inquiry_reply_due(date(2026, 12, 25), closures=YEAR_END) == date(2027, 1, 7)


def test_a_configured_target():
    due = request_deadlines(date(2026, 11, 24), target_days=7)
    assert due.target == date(2026, 12, 1) and due.statutory == date(2026, 12, 8)


def test_reminder_stages_seven_three_one_and_the_day():
    due = date(2026, 12, 8)
    stages = {day: reminder_stage(due, date(2026, 12, day)) for day in range(1, 9)}
    assert stages == {1: 7, 2: 7, 3: 7, 4: 7, 5: 3, 6: 3, 7: 1, 8: 0}
    assert reminder_stage(due, date(2026, 11, 30)) is None
    assert reminder_stage(due, date(2026, 12, 9)) is None


def test_the_clock_shown_on_lists():
    due = date(2026, 12, 8)
    assert clock(due, date(2026, 12, 1), done=False) == "open"
    assert clock(due, date(2026, 12, 5), done=False) == "due_soon"
    assert clock(due, date(2026, 12, 9), done=False) == "overdue"
    assert clock(due, date(2026, 12, 9), done=True) == "done"
