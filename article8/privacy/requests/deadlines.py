"""The clocks of requests and inquiries, computed in one place.

A request reaching the company on local day D:
- the 法39条 marker is D + 14: the person may sue once two weeks have passed since the request
  reached the company (the first day not counted, 民法140条), unless it was refused;
- the internal target is D + N calendar days (N = ``ARTICLE8_REQUEST_TARGET_DAYS``, 14 by
  default), brought forward to the business day before when it falls on a weekend, a holiday or a
  company closure, so the response can go out on a working day before the marker.
An inquiry's first reply is due N business days after the day it was received (5 by default).
The clock keeps running while identity is being verified: "without delay" (遅滞なく) does not
pause for the company's own checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from article8.core.calendar import NO_CLOSURES, Closures, is_business_day, previous_business_day

STATUTORY_DAYS = 14
# Reminders go out this many days before the target (0: on the day); overdue escalates.
REMINDER_DAYS = (7, 3, 1, 0)
DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class RequestDeadlines:
    """The internal target and the 法39条 marker of one request."""

    target: date
    statutory: date


def request_deadlines(
    received_on: date, *, target_days: int = 14, closures: Closures = NO_CLOSURES
) -> RequestDeadlines:
    """The deadlines of a request that reached the company on local day ``received_on``."""
    target = previous_business_day(received_on + timedelta(days=target_days), closures)
    return RequestDeadlines(
        target=max(target, received_on),
        statutory=received_on + timedelta(days=STATUTORY_DAYS),
    )


def add_business_days(start: date, days: int, closures: Closures = NO_CLOSURES) -> date:
    """The ``days``-th business day after ``start`` (``start`` itself not counted)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, closures):
            counted += 1
    return day


def inquiry_reply_due(
    received_on: date, *, business_days: int = 5, closures: Closures = NO_CLOSURES
) -> date:
    """When the first reply to an inquiry received on ``received_on`` is due."""
    return add_business_days(received_on, business_days, closures)


def clock(due: date, today: date, *, done: bool) -> str:
    """A code of PRIVACY_CLOCK: done, overdue, due_soon (within 3 days) or open."""
    if done:
        return "done"
    left = (due - today).days
    if left < 0:
        return "overdue"
    return "due_soon" if left <= DUE_SOON_DAYS else "open"


def reminder_stage(due: date, today: date) -> int | None:
    """The reminder owed on ``today``: the latest of 7/3/1/0 days before ``due`` that has been
    reached (so a missed run still sends it), or None before the first and once overdue."""
    left = (due - today).days
    if left < 0:
        return None
    reached = [days for days in REMINDER_DAYS if days >= left]
    return min(reached) if reached else None
