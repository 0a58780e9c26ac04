"""The schedule the tests run: Tokyo's calendar, and the instant the catalogue is loaded."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from article8.controls.inspections.schedule import ScheduleRules

TOKYO = ZoneInfo("Asia/Tokyo")
RULES = ScheduleRules(timezone=TOKYO)
# The catalogue enters the system on Tuesday 2026-11-24, 10:00 in Tokyo.
LOADED = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
