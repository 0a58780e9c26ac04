"""The set-based import on PostgreSQL: the same events as the line-by-line parser, or nothing.

A clean system log goes through COPY and one INSERT … SELECT; a file with any bad line is left to
the parser, which names the line and column (or skips it) as on SQLite. These tests compare the
two paths value for value, and check that partitions appear with the months a file reaches.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from article8.access import partitions
from article8.access.errors import AccessLogError
from article8.access.ingest import import_access_log
from article8.access.localtime import LocalCalendar
from article8.access.logformat import open_log
from article8.access.models import AccessBatch, AccessEvent
from article8.access.rules import RuleSettings
from article8.access.staging import load_staged
from article8.core.db import make_engine
from article8.core.models import AuditEvent
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import TOKYO, count, system_log

COMPARED = [c for c in AccessEvent.__table__.columns if c.name not in ("id", "batch_id")]
# Every form the set-based path takes, and values at the edges of what it accepts.
CLEAN = [
    "2026-11-24T10:00:00+09:00,tanaka,crm,view,5,10.0.0.1,ok",
    "2026-11-24T01:00:00Z,E1,crm,export,1200,,denied",
    "2026-11-24 10:15:30,tanaka,crm,search,,192.0.2.255,",
    "2026-11-24T10:16,ghost,hr,login,0,2001:db8::1,ok",
    "2026-11-24T10:17:01.250000+09:00,ghost,hr,login_failed,,,denied",
    "2026-11-23T15:30:00Z,tanaka,人事,update,2000000000,0.0.0.0,ok",  # the next local day
    "2026-11-23T09:00:00+09:00,田中 花子,crm,delete,007,,ok",  # a holiday
    "2025-12-31T23:59:59-05:00,tanaka,crm,view,1,,ok",
]


@pytest.fixture
def postgresql_only(backend):
    if backend != "postgresql":
        pytest.skip("the set-based path is PostgreSQL's")


def stored(session, batch_id):
    session.expire_all()
    rows = session.execute(
        select(*COMPARED).where(AccessEvent.batch_id == batch_id).order_by(AccessEvent.line)
    )
    return [tuple(row) for row in rows]


def run(session, clock, text, **options):
    data = text.encode() if isinstance(text, str) else text
    return import_access_log(
        session,
        io.BytesIO(data),
        filename="access.csv",
        kind="system",
        settings=RuleSettings(timezone=TOKYO),
        actor=SYSTEM_ACTOR,
        now=clock(),
        **options,
    )


def staged(session, clock, text):
    """What load_staged alone makes of ``text`` (None: left to the parser)."""
    data = io.BytesIO(text.encode())
    source = open_log(data, "access.csv", "system", {})
    batch = AccessBatch(
        kind="system", filename="x", sha256="0" * 64, imported_by_label="t", imported_at=clock()
    )
    session.add(batch)
    session.flush()
    calendar = LocalCalendar(TOKYO, "postgresql", latest=clock() + timedelta(hours=24))
    return load_staged(
        session, data, source, batch_id=batch.id, calendar=calendar, people={"tanaka": (1, "p:E1")}
    )


def test_a_clean_log_stores_the_same_events_either_way(postgresql_only, session, register, clock):
    register.person("E1", "tanaka", name="田中 花子")
    lf = system_log(*CLEAN)
    fast = run(session, clock, lf)
    slow = run(session, clock, lf.replace("\n", "\r\n"), set_based=False)
    assert (fast.rows, slow.rows) == (len(CLEAN), len(CLEAN))
    assert stored(session, fast.batch_id) == stored(session, slow.batch_id)
    assert (fast.first_date, fast.last_date) == (slow.first_date, slow.last_date)
    assert fast.anomalies.found == slow.anomalies.found


def test_a_clean_log_is_taken_by_the_set_based_path(postgresql_only, session, clock):
    report = staged(session, clock, system_log(*CLEAN))
    assert report is not None and report.rows == len(CLEAN)
    # 23:59:59 at UTC-5 is 13:59:59 on New Year's Day in Tokyo.
    assert report.dates == {date(2026, 1, 1), date(2026, 11, 23), date(2026, 11, 24)}


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-24T24:00:00+09:00,a,crm,view,1,,ok",  # PostgreSQL would read the next day
        "2026-11-24T10:00:60+09:00,a,crm,view,1,,ok",
        "2026/11/24 10:00,a,crm,view,1,,ok",  # the parser reads it; this path leaves it
        "2026-11-24T10:00:00+09:00, a,crm,view,1,,ok",
        "2026-11-24T10:00:00+09:00,a\u3000,crm,view,1,,ok",
        "2026-11-24T10:00:00+09:00,a,crm,view,+1,,ok",
        "2026-11-24T10:00:00+09:00,a,crm,view,1,010.0.0.1,ok",
        "2026-11-24T10:00:00+09:00,a,crm,view,1,10.0.0.1/32,ok",
        "2026-11-24T10:00:00+09:00,a,crm,browse,1,,ok",
        "2026-11-24T10:00:00+09:00,a,crm,view,1,,OK",
        "2026-11-24T10:00:00+09:00,a,crm,view,1,,ok,extra",
        "2026-02-30T10:00:00+09:00,a,crm,view,1,,ok",
        "2099-01-01T10:00:00+09:00,a,crm,view,1,,ok",
        "\\.",
        "",
    ],
    ids=[
        "hour-24", "second-60", "slashed", "space", "ideographic-space", "plus-sign",
        "leading-zero-ip", "ip-with-mask", "unknown-action", "result-case", "too-wide",
        "30-february", "future", "copy-end-marker", "blank-line",
    ],
)  # fmt: skip
def test_anything_the_parser_must_judge_is_left_to_it_and_nothing_stays(
    postgresql_only, session, clock, line
):
    text = system_log("2026-11-24T09:00:00+09:00,a,crm,view,1,,ok", line, CLEAN[0])
    assert staged(session, clock, text) is None
    assert count(session, AccessEvent) == 0


def test_a_bad_line_is_named_by_the_parser_after_the_set_based_path_gave_up(
    postgresql_only, database, session, clock
):
    text = system_log(*CLEAN, "2026-11-24T10:00:00+09:00,a,crm,browse,1,,ok")
    with pytest.raises(AccessLogError) as error, database.unit_of_work() as work:
        run(work, clock, text)
    assert str(error.value) == (
        "access.csv: line 10, column action: expected one of login, login_failed, view, search, "
        "export, update, delete, found 'browse'"
    )
    for model in (AccessBatch, AccessEvent, AuditEvent):
        assert count(session, model) == 0


def test_skip_invalid_stores_the_good_lines_when_the_set_based_path_gave_up(
    postgresql_only, session, clock
):
    rejected = []
    text = system_log(*CLEAN, "2026-11-24T10:00:00+09:00,a,crm,browse,1,,ok")
    report = run(session, clock, text, skip_invalid=True, on_reject=rejected.append)
    assert (report.rows, report.rejected) == (len(CLEAN), 1)
    assert [(r.line, r.column) for r in rejected] == [(10, "action")]


def test_a_partition_is_created_for_each_month_a_file_reaches(postgresql_only, session, clock):
    connection = session.connection()
    before = partitions.months(connection)
    run(session, clock, system_log(*CLEAN))
    made = partitions.months(connection) - before
    assert {date(2026, 1, 1), date(2026, 11, 1)} - before <= made
    # A day either side of the dates written is looked at (2025-12-30 … 2026-01-01 for the line
    # of 2025-12-31), but no month without events keeps a partition.
    assert date(2025, 12, 1) not in made


def test_a_refused_file_leaves_no_partition_behind(postgresql_only, database, session, clock):
    text = system_log(
        "2019-03-05T10:00:00+09:00,a,crm,view,1,,ok", "2019-03-05T10:01:00+09:00,a,crm,x,1,,ok"
    )
    with pytest.raises(AccessLogError), database.unit_of_work() as work:
        run(work, clock, text)
    assert date(2019, 3, 1) not in partitions.months(session.connection())


@pytest.mark.parametrize(
    "value", ["a\x07b", "\u0085x", "ok"], ids=["bell", "c1-control", "plain"]
)  # fmt: skip
def test_a_column_article8_does_not_store_is_still_checked_for_control_characters(
    postgresql_only, session, clock, value
):
    text = (
        "timestamp,user,system,action,records,source_ip,result,note\n"
        f"2026-11-24T10:00:00+09:00,a,crm,view,1,,ok,{value}\n"
    )
    result = staged(session, clock, text)
    assert (result is not None) == (value == "ok")


def test_a_skipped_line_in_a_month_without_events_makes_no_partition(
    postgresql_only, session, clock
):
    connection = session.connection()
    text = system_log("2019-05-05T10:00:00+09:00,a,crm,browse,1,,ok", CLEAN[0])
    report = run(session, clock, text, skip_invalid=True)
    assert (report.rows, report.rejected) == (1, 1)
    assert date(2019, 5, 1) not in partitions.months(connection)


def test_the_command_names_bad_lines_of_a_utf8_log_in_japanese_and_english(
    postgresql_only, fresh_database_url, tmp_path
):
    log = tmp_path / "アクセス.csv"
    log.write_text(
        system_log(*CLEAN[:3], "2026-11-24T10:00:00+09:00,a,crm,fly,1,,ok", *CLEAN[3:5]),
        encoding="utf-8",
    )
    args = ("access", "import", str(log), "--kind", "system")
    japanese = article8(fresh_database_url, tmp_path, *args, "--lang", "ja")
    assert japanese.returncode == 1
    assert japanese.stderr.startswith("article8: アクセス.csv の 5行目、列「action」: ")
    english = article8(fresh_database_url, tmp_path, *args, "--lang", "en")
    assert english.stderr.startswith("article8: アクセス.csv: line 5, column action: expected")
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(AccessEvent)) == 0
            assert conn.scalar(select(func.count()).select_from(AccessBatch)) == 0
            assert partitions.months(conn) == set()
    finally:
        engine.dispose()
    fixed = log.read_text(encoding="utf-8").replace(",fly,", ",view,")
    log.write_text(fixed, encoding="utf-8")
    stored = article8(fresh_database_url, tmp_path, *args)
    assert stored.returncode == 0, stored.stderr
    assert "imported 6 system events" in stored.stdout
    again = article8(fresh_database_url, tmp_path, *args)
    assert "was already imported as batch" in again.stdout and "nothing changed" in again.stdout
