"""Hostile access logs: deep JSON, huge numbers, endless lines, impossible times, control
characters. Each is refused with its line and field, never a traceback, and stores nothing;
``skip_invalid`` sets such lines aside like any other bad line."""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.access.errors import AccessLogError
from article8.access.ingest import import_access_log
from article8.access.models import AccessBatch, AccessEvent, Anomaly
from article8.access.rules import RuleSettings
from article8.core.models import AuditEvent
from tests import bombs
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import count, found, system_log

TOKYO = ZoneInfo("Asia/Tokyo")

DAY = "2026-11-24"  # the clock stands at 10:00 in Tokyo on this day
RANGE = "2000-01-01T00:00:00+09:00 to 2026-11-25T10:00:00+09:00"


def json_line(**fields: object) -> str:
    """One JSON line of a system log, with ``fields`` replacing or adding to a valid event."""
    event = {"timestamp": f"{DAY}T10:00:00+09:00", "user": "a", "system": "crm", "action": "view"}
    return json.dumps(event | fields, ensure_ascii=False) + "\n"


def raw_json_line(**raw: str) -> str:
    """A JSON line with ``raw`` values spliced in as written (numbers, nesting)."""
    line = json_line(**dict.fromkeys(raw, "@"))
    for key, text in raw.items():
        line = line.replace(f'"{key}": "@"', f'"{key}": {text}')
    return line


HOSTILE = [
    pytest.param(
        raw_json_line(user="[" * 100_000 + "]" * 100_000),
        "access.csv: line 1, field user: nests deeper than 32 levels",
        id="json-nested-100000-deep",
    ),
    pytest.param(
        raw_json_line(extra='{"a": ' * 40 + "1" + "}" * 40),
        "access.csv: line 1, field extra: nests deeper than 32 levels",
        id="json-nested-in-an-unused-field",
    ),
    pytest.param(
        raw_json_line(records="9" * 5000),
        "access.csv: line 1, field records: is a number of more than 18 digits: " + "9" * 40 + "…",
        id="json-number-beyond-python-int-conversion",
    ),
    pytest.param(
        raw_json_line(records="1234567890123456789"),
        "access.csv: line 1, field records: is a number of more than 18 digits: "
        "1234567890123456789",
        id="json-number-of-19-digits",
    ),
    pytest.param(
        raw_json_line(ratio="0.12345678901234567890"),
        "access.csv: line 1, field ratio: is a number of more than 18 digits: "
        "0.12345678901234567890",
        id="json-fraction-of-20-digits",
    ),
    pytest.param(
        json_line(user="a" * (1024 * 1024)),
        "access.csv: line 1: is longer than 1048576 bytes (1 MiB); nothing of the file was stored",
        id="json-line-over-1-mib",
    ),
    pytest.param(
        json_line(user="a\u0000b"),
        "access.csv: line 1, field user: contains the control character U+0000 at character 2",
        id="json-escaped-nul",
    ),
    pytest.param(
        json_line().replace('"crm"', '"c\trm"'),
        "access.csv: line 1, field system: contains the control character U+0009 at character 2",
        id="json-raw-tab",
    ),
    pytest.param(
        system_log("2099-01-01T10:00:00+09:00,a,crm,view,1,,ok"),
        f"access.csv: line 2, column timestamp: '2099-01-01T10:00:00+09:00' is outside the "
        f"accepted time range {RANGE}",
        id="far-future",
    ),
    pytest.param(
        system_log("9999-12-31T23:59:59,a,crm,view,1,,ok"),
        f"access.csv: line 2, column timestamp: '9999-12-31T23:59:59' is outside the accepted "
        f"time range {RANGE}",
        id="year-9999",
    ),
    pytest.param(
        system_log("9999-12-31T23:59:59-12:00,a,crm,view,1,,ok"),
        f"access.csv: line 2, column timestamp: '9999-12-31T23:59:59-12:00' is outside the "
        f"accepted time range {RANGE}",
        id="year-10000-in-utc",
    ),
    pytest.param(
        system_log("1999-12-31T23:59:59+09:00,a,crm,view,1,,ok"),
        f"access.csv: line 2, column timestamp: '1999-12-31T23:59:59+09:00' is outside the "
        f"accepted time range {RANGE}",
        id="before-2000",
    ),
    pytest.param(
        system_log("0001-01-01T00:00:00+14:00,a,crm,view,1,,ok"),
        f"access.csv: line 2, column timestamp: '0001-01-01T00:00:00+14:00' is outside the "
        f"accepted time range {RANGE}",
        id="year-1",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a\x00b,crm,view,1,,ok"),
        "access.csv: line 2, column user: contains the control character U+0000 at character 2",
        id="csv-nul",
    ),
    pytest.param(
        system_log(f'{DAY}T10:00:00+09:00,a,"c\nrm",view,1,,ok'),
        "access.csv: line 3, column system: contains the control character U+000A at character 2",
        id="csv-line-break-in-a-quoted-field",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok,\x1b]0;owned\x07"),
        "access.csv: line 2: has 8 values; the header has 7",
        id="csv-extra-value-is-still-a-shape-error",
    ),
]


def refusal(database, clock, content: str, settings: RuleSettings | None = None) -> str:
    """The message an import of ``content`` fails with, in a transaction of its own."""
    with pytest.raises(AccessLogError) as error, database.unit_of_work() as work:
        import_access_log(
            work,
            io.BytesIO(content.encode()),
            filename="access.csv",
            kind="system",
            settings=settings or RuleSettings(timezone=TOKYO),
            actor=SYSTEM_ACTOR,
            now=clock(),
        )
    return str(error.value)


@pytest.mark.parametrize(("content", "message"), HOSTILE)
def test_a_hostile_line_is_refused_with_its_line_and_field_and_stores_nothing(
    database, session, clock, content, message
):
    assert refusal(database, clock, content) == message
    for model in (AccessBatch, AccessEvent, Anomaly, AuditEvent):
        assert count(session, model) == 0


def test_skip_invalid_sets_impossible_times_and_control_characters_aside(session, import_log):
    rejected = []
    text = system_log(
        f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok",
        "2099-01-01T03:00:00+09:00,a,crm,view,1,,ok",
        "9999-12-31T23:59:59+09:00,a,crm,view,1,,ok",
        f"{DAY}T10:02:00+09:00,a\x07,crm,view,1,,ok",
        f"{DAY}T10:03:00+09:00,a,crm,view,1,,ok",
    )
    report = import_log(text, skip_invalid=True, on_reject=rejected.append)
    assert (report.rows, report.rejected) == (2, 3)
    assert [(r.line, r.column) for r in rejected] == [
        (3, "timestamp"),
        (4, "timestamp"),
        (5, "user"),
    ]
    assert rejected[0].problem.startswith("'2099-01-01T03:00:00+09:00' is outside the accepted")
    assert (report.first_date.isoformat(), report.last_date.isoformat()) == (DAY, DAY)
    # The 2099 line would have been off-hours work by an unknown user: no anomaly from it.
    assert {day for _rule, _who, day, _area in found(session)} == {DAY}


def test_the_allowed_clock_skew_is_a_setting(database, import_log, clock):
    one_hour_ahead = system_log("2026-11-24T11:00:00+09:00,a,crm,view,1,,ok")
    refused = refusal(
        database, clock, one_hour_ahead, RuleSettings(timezone=TOKYO, clock_skew_hours=0)
    )
    assert "is outside the accepted time range" in refused
    report = import_log(one_hour_ahead, settings=RuleSettings(timezone=TOKYO, clock_skew_hours=1))
    assert report.rows == 1


def test_the_latest_accepted_time_holds_to_the_second(database, import_log, clock):
    # Lines of one minute share a cached parse: the cache must not let 10:00:30 through on the
    # strength of 10:00:00.
    settings = RuleSettings(timezone=TOKYO, clock_skew_hours=0)
    clock.advance(seconds=15)  # 10:00:15
    late = system_log(
        "2026-11-24T10:00:00+09:00,a,crm,view,1,,ok", "2026-11-24T10:00:30+09:00,a,crm,view,1,,ok"
    )
    assert refusal(database, clock, late, settings).startswith(
        "access.csv: line 3, column timestamp: '2026-11-24T10:00:30"
    )
    report = import_log(
        system_log(
            "2026-11-24T10:00:00+09:00,a,crm,view,1,,ok",
            "2026-11-24T10:00:15+09:00,a,crm,view,1,,ok",
        ),
        settings=settings,
    )
    assert report.rows == 2


def test_a_line_of_a_gibibyte_is_refused_without_reading_it(tmp_path):
    path = bombs.endless_line(tmp_path / "endless.jsonl", gib=1)
    refused = bombs.refuse_in_subprocess("log", path)
    assert refused["message"] == (
        "endless.jsonl: line 1: is longer than 1048576 bytes (1 MiB); nothing of the file was "
        "stored"
    )
    assert refused["grown_mib"] < 100


def test_hostile_lines_are_not_rows_of_the_database(session, import_log):
    # A NUL never reaches a text column (PostgreSQL would refuse it with an error of its own).
    report = import_log(
        system_log(f"{DAY}T10:00:00+09:00,a\x00,crm,view,1,,ok", f"{DAY}T10:01:00+09:00,a,crm,"
                   "view,1,,ok"),
        skip_invalid=True,
    )  # fmt: skip
    assert report.rows == 1
    assert session.scalars(select(AccessEvent.person)).all() == ["a"]
