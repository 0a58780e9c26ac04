"""Fixtures of the request and inquiry registers: the deadline rules in force and a way to file."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from article8.core.calendar import Closures, parse_closed_days
from article8.privacy.requests import services as requests
from article8.privacy.requests.services import Deadlines, RequestInput
from tests.conftest import SYSTEM_ACTOR

TOKYO = ZoneInfo("Asia/Tokyo")
# The default yearly closure (12-29..01-03), as the settings give it.
YEAR_END = Closures(parse_closed_days("12-29..01-03"))
RULES = Deadlines(tz=TOKYO, closures=YEAR_END)


def tokyo(year: int, month: int, day: int, hour: int = 10) -> datetime:
    """A local Tokyo time as an aware instant."""
    return datetime(year, month, day, hour, tzinfo=TOKYO)


@pytest.fixture
def file_request(session, clock):
    """Record a request as the responsible person would; fields a test cares about are named."""

    def make(kind: str = "disclosure", *, actor=SYSTEM_ACTOR, rules=RULES, **fields):
        data = RequestInput(
            kind=kind,
            channel=fields.pop("channel", "mail"),
            received_at=fields.pop("received_at", clock().astimezone(UTC)),
            requester_name=fields.pop("requester_name", "山田 花子"),
            **fields,
        )
        return requests.receive(session, actor, data, now=clock(), deadlines=rules)

    return make
