"""Inspection periods on the fiscal calendar, and due dates on Japanese business days.

A business day is a weekday that is neither a Japanese public holiday nor a company closure: the
yearly closures of the settings (``ARTICLE8_CLOSED_DAYS``, by default 12-29..01-03) and the one-off
closures an administrator keeps in the database (:mod:`article8.core.closures`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jpholiday
from sqlalchemy import Date, cast, func
from sqlalchemy.sql.elements import ColumnElement

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of local calendar days that one inspection covers."""

    start: date
    end: date
    label: str


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year(day: date, fy_start_month: int) -> int:
    """The fiscal year containing ``day``, named (as in Japan) by the year it begins in."""
    return day.year if day.month >= fy_start_month else day.year - 1


def period_containing(frequency: str, day: date, fy_start_month: int = 4) -> Period:
    """The period of ``frequency`` that contains ``day``."""
    months = FREQUENCY_MONTHS[frequency]
    if months == 1:
        start = date(day.year, day.month, 1)
        return Period(start, _add_months(start, 1) - timedelta(days=1), f"{day:%Y-%m}")
    fy = fiscal_year(day, fy_start_month)
    fy_start = date(fy, fy_start_month, 1)
    offset = ((day.year - fy_start.year) * 12 + day.month - fy_start.month) // months
    start = _add_months(fy_start, offset * months)
    end = _add_months(start, months) - timedelta(days=1)
    label = {3: f"FY{fy} Q{offset + 1}", 6: f"FY{fy} H{offset + 1}", 12: f"FY{fy}"}[months]
    return Period(start, end, label)


def periods_between(
    frequency: str, first: date, last: date, fy_start_month: int = 4
) -> Iterator[Period]:
    """Every period of ``frequency`` from the one holding ``first`` to the one holding ``last``."""
    period = period_containing(frequency, first, fy_start_month)
    while period.start <= last:
        yield period
        period = period_containing(frequency, period.end + timedelta(days=1), fy_start_month)


MonthDay = tuple[int, int]
# The default yearly closure: the Japanese year-end and New Year holidays (年末年始).
DEFAULT_CLOSED_DAYS = "12-29..01-03"


@dataclass(frozen=True)
class AnnualClosure:
    """Days the company is closed every year, ``first`` to ``last`` inclusive (month, day); the
    range may wrap over the new year (12-29..01-03)."""

    first: MonthDay
    last: MonthDay

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls in this closure."""
        month_day = (day.month, day.day)
        if self.first <= self.last:
            return self.first <= month_day <= self.last
        return month_day >= self.first or month_day <= self.last


@dataclass(frozen=True)
class Closures:
    """The company's closed days: yearly ranges and one-off dates."""

    annual: tuple[AnnualClosure, ...] = ()
    dates: frozenset[date] = frozenset()

    def covers(self, day: date) -> bool:
        """Whether the company is closed on ``day``."""
        return day in self.dates or any(closure.covers(day) for closure in self.annual)

    def between(self, first: date, last: date) -> list[date]:
        """Every closed day from ``first`` to ``last`` inclusive, in order."""
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in days if self.covers(day)]


NO_CLOSURES = Closures()


def parse_closed_days(raw: str) -> tuple[AnnualClosure, ...]:
    """Read a comma-separated list of MM-DD days and MM-DD..MM-DD ranges; raise ValueError."""
    closures = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        first, _, last = item.partition("..")
        closures.append(AnnualClosure(_month_day(first), _month_day(last or first)))
    return tuple(closures)


def _month_day(text: str) -> MonthDay:
    month, dash, day = text.strip().partition("-")
    if not (dash and month.isdigit() and day.isdigit() and len(month) == len(day) == 2):
        raise ValueError(f"'{text.strip()}' is not a day of the form MM-DD, e.g. 12-29")
    try:
        date(2000, int(month), int(day))  # a leap year, so that 02-29 is a day
    except ValueError:
        raise ValueError(f"'{text.strip()}' is not a day of the year") from None
    return int(month), int(day)


def is_business_day(day: date, closures: Closures = NO_CLOSURES) -> bool:
    """Monday to Friday, not a Japanese public holiday (祝日, 振替休日, 国民の休日) and not a
    company closure."""
    return day.weekday() < 5 and not jpholiday.is_holiday(day) and not closures.covers(day)


def previous_business_day(day: date, closures: Closures = NO_CLOSURES) -> date:
    """``day`` itself when it is a business day, else the business day before it."""
    while not is_business_day(day, closures):
        day -= timedelta(days=1)
    return day


def next_business_day(day: date, closures: Closures = NO_CLOSURES) -> date:
    """``day`` itself when it is a business day, else the business day after it."""
    while not is_business_day(day, closures):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class InspectionWindow:
    """When an inspection for a period opens and when it is due."""

    opens_on: date
    due_on: date


def window_for(
    period: Period,
    *,
    lead_days: int = 14,
    grace_days: int = 10,
    closures: Closures = NO_CLOSURES,
) -> InspectionWindow:
    """Opens ``lead_days`` before the period ends; due ``grace_days`` after, moved on to the next
    business day when that day is a weekend, a holiday or a closure (never earlier: the grace
    promised is kept)."""
    return InspectionWindow(
        opens_on=period.end - timedelta(days=lead_days),
        due_on=next_business_day(period.end + timedelta(days=grace_days), closures),
    )


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar day of ``instant`` in ``tz``."""
    return instant.astimezone(tz).date()


def local_midnight_utc(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which local ``day`` begins."""
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def local_day_sql(column: Any, tz: ZoneInfo, dialect: str, *, near: date) -> ColumnElement[Any]:
    """:func:`local_date` of a stored UTC instant, in SQL.

    PostgreSQL converts with the zone's rules. SQLite has no time zones: the offset in force at
    noon on local day ``near`` is applied, which is exact for zones without daylight saving time
    (such as Asia/Tokyo) and, elsewhere, for instants on the same side of a change as ``near``.
    """
    if dialect == "postgresql":
        return cast(func.timezone(tz.key, column), Date)
    offset = tz.utcoffset(datetime(near.year, near.month, near.day, 12))
    seconds = int(offset.total_seconds()) if offset else 0
    # Whole seconds only: SQLite rounds a time to milliseconds, so 23:59:59.9995 would become
    # the next day. The stored text begins "YYYY-MM-DD HH:MM:SS".
    return func.date(func.substr(column, 1, 19), f"{seconds:+d} seconds")
