"""What a report covers: a period of local days, or the moment a posture is taken.

A :class:`Period` (the workbook, OSCAL results, the monthly export) is a run of whole local days,
both ends included; in UTC it runs from the local midnight that starts its first day up to, not
including, the local midnight after its last. A :class:`Moment` (the dashboard) is the local day
the figures are judged against and, for a view of the past, the instant "as of" which they are
replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from article8.core.calendar import fiscal_year, local_midnight_utc


@dataclass(frozen=True)
class Period:
    """The local dates a report covers (both included)."""

    start: date
    end: date

    @classmethod
    def fiscal_year_to_date(cls, today: date, fiscal_year_start: int) -> Period:
        """From the first day of the fiscal year holding ``today`` up to ``today``: the default
        range of the exports. The workbook holds every inspection whose period overlaps its
        range, so this month's periods are in from the month's first day."""
        start = date(fiscal_year(today, fiscal_year_start), fiscal_year_start, 1)
        return cls(start, today)

    @classmethod
    def month_before(cls, today: date) -> Period:
        """The calendar month before the one holding ``today``."""
        end = today.replace(day=1) - timedelta(days=1)
        return cls(end.replace(day=1), end)

    def starts_at(self, tz: ZoneInfo) -> datetime:
        """The first instant of the period (UTC): local midnight at its start."""
        return local_midnight_utc(self.start, tz)

    def ends_at(self, tz: ZoneInfo) -> datetime:
        """The first instant after the period (UTC): local midnight after its last day."""
        return local_midnight_utc(self.end + timedelta(days=1), tz)

    @property
    def label(self) -> str:
        """``2026-04-01 – 2027-03-31``, as covers and titles show it."""
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class Moment:
    """The local day the figures are for and, for a past view, the instant to replay."""

    today: date
    as_of: datetime | None
    timezone: ZoneInfo
    dialect: str


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The last instant of local ``day`` (UTC): "as of" a day counts everything during it."""
    return local_midnight_utc(day + timedelta(days=1), tz) - timedelta(microseconds=1)
