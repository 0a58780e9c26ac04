"""Importing on PostgreSQL, where access_event is partitioned by month: the same guarantees.

One batch is atomic (a refused file leaves no event, batch or partition behind), bad lines are
named by line and column in the user's language, --skip-invalid stores the rest, the same file
twice is a no-op, and each month a file reaches gets its partition on demand.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from article8.access import partitions
from article8.access.errors import AccessLogError
from article8.access.ingest import import_access_log
from article8.access.models import AccessBatch, AccessEvent
from article8.access.rules import RuleSettings
from article8.core.db import make_engine
from article8.core.models import AuditEvent
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import TOKYO, count, system_log

# Lines over three months, in the forms logs are written in.
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
        pytest.skip("SQLite keeps one plain table (tests/access/test_ingest.py covers it)")


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


def test_a_bad_line_stores_nothing_and_is_named_by_line_and_column(
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


def test_skip_invalid_stores_the_good_lines(postgresql_only, session, clock):
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
    # The line written on 2025-12-31 at UTC-5 is on New Year's Day in Tokyo: no December.
    assert date(2025, 12, 1) not in made


def test_a_refused_file_leaves_no_partition_behind(postgresql_only, database, session, clock):
    text = system_log(
        "2019-03-05T10:00:00+09:00,a,crm,view,1,,ok", "2019-03-05T10:01:00+09:00,a,crm,x,1,,ok"
    )
    with pytest.raises(AccessLogError), database.unit_of_work() as work:
        run(work, clock, text)
    assert date(2019, 3, 1) not in partitions.months(session.connection())


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
