"""The local-calendar columns of log timestamps, computed once per minute rather than per line."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from article8.access.errors import RowProblem
from article8.core.calendar import is_business_day
from article8.core.errors import N_, Phrase

_MINUTE_CACHE = 200_000
_SECONDS = {f"{s:02d}": s for s in range(60)}
_TAILS = [f"{s:02d}.000000" for s in range(60)]
# What may follow whole seconds for the fast path: an offset or nothing (not a fraction).
_AFTER_SECONDS = frozenset(("", "+", "-", "Z"))
# No access log of this system predates it; the latest time accepted is the caller's.
EARLIEST = datetime(2000, 1, 1)
_SHOWN = 40


class LocalCalendar:
    """The local-calendar columns of instants, computed once per UTC minute and per date."""

    def __init__(self, tz: ZoneInfo, dialect: str, *, latest: datetime) -> None:
        self.tz = tz
        self.sqlite = dialect == "sqlite"
        # Instants outside [2000-01-01 local, latest] are refused: years such as 9999 overflow
        # the local date, and a future instant would raise anomalies that never happened.
        self.first = EARLIEST.replace(tzinfo=tz)
        self.last = latest
        self.earliest, self.latest = int(self.first.timestamp()), int(latest.timestamp())
        self.minutes: dict[int, tuple[Any, ...]] = {}
        self.texts: dict[str, tuple[Any, ...]] = {}
        self.business_days: dict[date, bool] = {}

    @property
    def dates(self) -> set[date]:
        """Every local date seen so far."""
        return set(self.business_days)

    def minute(self, minute: int) -> tuple[Any, ...]:
        """(UTC text prefix, local date, local minute of day, business day) for an epoch minute."""
        utc = datetime.fromtimestamp(minute * 60, UTC)
        local = utc.astimezone(self.tz)
        day = local.date()
        business = self.business_days.get(day)
        if business is None:
            business = self.business_days[day] = is_business_day(day)
        # SQLite keeps UTCDateTime as text in SQLAlchemy's format and dates as ISO text; the
        # values go to the driver as they will be stored, since raw executemany skips SQLAlchemy.
        entry = (
            utc.strftime("%Y-%m-%d %H:%M:") if self.sqlite else None,
            day.isoformat() if self.sqlite else day,
            local.hour * 60 + local.minute,
            int(business) if self.sqlite else business,
        )
        if len(self.minutes) >= _MINUTE_CACHE:
            self.minutes.clear()
        self.minutes[minute] = entry
        return entry

    def columns(self, raw: str) -> tuple[Any, int, Any, int, Any]:
        """(occurred_at, epoch, local date, local minute, business day) of an ISO 8601 text."""
        # A log has many lines per minute: a text that differs from one already parsed only in
        # its whole seconds ("…T10:00:13+09:00") reuses that parse.
        second = _SECONDS.get(raw[17:19])
        if second is not None:
            hit = self.texts.get(raw[:17] + raw[19:])
            if hit is not None:
                base, instant, prefix, day, local_minute, business = hit
                if prefix is None:
                    return (
                        instant.replace(second=second),
                        base + second,
                        day,
                        local_minute,
                        business,
                    )
                return prefix + _TAILS[second], base + second, day, local_minute, business
        return self._parse(raw)

    def _parse(self, raw: str) -> tuple[Any, int, Any, int, Any]:
        try:
            instant = datetime.fromisoformat(raw)
        except ValueError:
            instant = _retry(raw)
        if len(raw) <= 10:
            problem = Phrase(
                N_("expected a date and a time of day, found %(found)s"), found=repr(raw)
            )
            raise RowProblem("timestamp", problem)
        if instant.tzinfo is None:
            # Without an offset, the time is read in the configured zone.
            instant = instant.replace(tzinfo=self.tz)
        epoch = int(instant.timestamp())
        if not self.earliest <= epoch <= self.latest:
            raise RowProblem("timestamp", self._outside(raw))
        minute = epoch // 60
        prefix, day, local_minute, business = self.minutes.get(minute) or self.minute(minute)
        second = epoch - minute * 60
        # A cached minute serves its other seconds unchecked, so only whole accepted minutes.
        if (
            raw[16:17] == ":"
            and raw[17:19] in _SECONDS
            and raw[19:20] in _AFTER_SECONDS
            and epoch - second + 59 <= self.latest
        ):
            if len(self.texts) >= _MINUTE_CACHE:
                self.texts.clear()
            self.texts[raw[:17] + raw[19:]] = (
                epoch - second, instant.replace(second=0), prefix, day, local_minute, business,
            )  # fmt: skip
        if prefix is None:
            return instant, epoch, day, local_minute, business
        occurred = f"{prefix}{second:02d}.{instant.microsecond:06d}"
        return occurred, epoch, day, local_minute, business

    def _outside(self, raw: str) -> Phrase:
        return Phrase(
            N_("%(value)s is outside the accepted time range %(first)s to %(last)s"),
            value=_shown(raw),
            first=self.first.isoformat(),
            last=self.last.astimezone(self.tz).isoformat(timespec="seconds"),
        )


# A date with slashes and a time without an offset: read in the configured zone.
_SLASHED = re.compile(
    r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?"
)


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= _SHOWN else raw[:_SHOWN] + "…")


def _retry(raw: str) -> datetime:
    """``raw`` with blanks around it, or as Excel in Japan writes it (2026/11/02 9:15)."""
    text = raw.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    found = _SLASHED.fullmatch(text)
    try:
        if found is None:
            raise ValueError(text)
        year, month, day, hour, minute, second = (int(part or 0) for part in found.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        shown = _shown(raw) if raw else "nothing"
        problem = Phrase(
            N_("expected an ISO 8601 date-time such as 2026-11-24T10:00:00+09:00, found %(found)s"),
            found=shown,
        )
        raise RowProblem("timestamp", problem) from None
