"""The schedule the tests run: Tokyo's calendar, and the instant the catalogue is loaded."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from article8.controls.inspections.schedule import ScheduleRules
from tests.conftest import START

TOKYO = ZoneInfo("Asia/Tokyo")
RULES = ScheduleRules(timezone=TOKYO)
# The catalogue enters the system on Tuesday 2026-11-24, 10:00 in Tokyo: when the tests' clock
# starts, and when the session's catalogued database synced it (the `synced_catalogue` fixture).
LOADED = START
