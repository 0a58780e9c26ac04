"""Retention: `access prune` drops whole months of events past the retention period, audited."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from article8.access import partitions
from article8.access.errors import RetentionError
from article8.access.models import AccessBatch, AccessEvent
from article8.access.retention import event_digest, prune_access_events, retention_limit
from article8.core.audit import details_of
from article8.core.models import AuditEvent
from tests.cli_runner import invoke
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import count, system_log

TODAY = date(2026, 11, 24)  # the test clock's local date
OLD_LOG = system_log(
    "2023-09-15T10:00:00+09:00,ghost,crm,view,1,,ok",
    "2023-10-31T23:30:00+09:00,ghost,crm,view,2,,ok",
    "2023-10-01T00:10:00+09:00,ghost,crm,view,3,,ok",
    # 2023-11-20 is before the limit (2023-11-24), but November 2023 is not wholly before it.
    "2023-11-20T10:00:00+09:00,ghost,crm,view,4,,ok",
    "2026-11-24T09:00:00+09:00,ghost,crm,view,5,,ok",
)


def prunes(session):
    return len(list(session.scalars(select(AuditEvent).where(AuditEvent.action == "access.prune"))))


def local_dates(session):
    session.expire_all()
    return sorted(session.scalars(select(AccessEvent.local_date)))


def prune(session, clock, **options):
    return prune_access_events(
        session,
        before=options.pop("before", None),
        retention_years=options.pop("retention_years", 3),
        today=TODAY,
        actor=SYSTEM_ACTOR,
        now=clock(),
        **options,
    )


def test_the_retention_limit_is_as_many_years_back_even_from_29_february():
    assert retention_limit(TODAY, 3) == date(2023, 11, 24)
    assert retention_limit(date(2028, 2, 29), 3) == date(2025, 2, 28)


def test_a_dry_run_counts_the_whole_months_past_retention_and_drops_nothing(
    session, clock, import_log
):
    import_log(OLD_LOG)
    report = prune(session, clock)
    assert report.months == {date(2023, 9, 1): 1, date(2023, 10, 1): 2}
    assert (report.events, report.applied, report.sha256) == (3, False, None)
    assert len(local_dates(session)) == 5
    assert prunes(session) == 0


def test_apply_records_counts_and_digest_then_drops_the_months(session, clock, import_log):
    import_log(OLD_LOG)
    expected = event_digest(session, [date(2023, 9, 1), date(2023, 10, 1)])
    report = prune(session, clock, apply=True)
    assert report.applied and report.sha256 == expected and len(expected) == 64
    assert local_dates(session) == [date(2023, 11, 20), date(2026, 11, 24)]
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "access.prune"))
    assert details_of(event) == {
        "before": "2023-11-24",
        "retention_years": 3,
        "months": {"2023-09": 1, "2023-10": 2},
        "events": 3,
        "sha256": expected,
    }
    # The batch stays: it records that the file was imported (and keeps a re-import a no-op).
    assert count(session, AccessBatch) == 1
    again = prune(session, clock, apply=True)
    assert again.months == {} and prunes(session) == 1


def test_the_digest_covers_every_column_of_every_dropped_event(session, clock, import_log):
    import_log(OLD_LOG)
    months = [date(2023, 9, 1), date(2023, 10, 1)]
    before = event_digest(session, months)
    session.execute(
        AccessEvent.__table__.update().where(AccessEvent.records == 2).values(source_ip="10.0.0.9")
    )
    assert event_digest(session, months) != before


def test_before_may_be_earlier_than_the_limit_but_never_later(session, clock, import_log):
    import_log(OLD_LOG)
    assert prune(session, clock, before=date(2023, 10, 15)).months == {date(2023, 9, 1): 1}
    with pytest.raises(RetentionError, match="within the retention period of 3 years"):
        prune(session, clock, before=date(2024, 1, 1), apply=True)
    longer = prune(session, clock, retention_years=5)
    assert longer.months == {} and len(local_dates(session)) == 5


def test_on_postgresql_each_month_is_a_partition_that_prune_drops(
    backend, session, clock, import_log
):
    if backend != "postgresql":
        pytest.skip("SQLite keeps one plain table")
    import_log(OLD_LOG)
    connection = session.connection()
    assert partitions.is_partitioned(connection)
    months = {date(2023, 9, 1), date(2023, 10, 1), date(2023, 11, 1), date(2026, 11, 1)}
    assert months <= partitions.months(connection)
    prune(session, clock, apply=True)
    left = partitions.months(connection)
    assert date(2023, 9, 1) not in left and date(2023, 10, 1) not in left
    assert {date(2023, 11, 1), date(2026, 11, 1)} <= left


def test_the_command_is_a_dry_run_unless_told_to_apply(app, session, import_log):
    import_log(OLD_LOG)
    dry = invoke(app, "access", "prune")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == (
        "would drop 3 access events of 2023-09 (1), 2023-10 (2); --apply drops them\n"
    )
    assert len(local_dates(session)) == 5
    applied = invoke(app, "access", "prune", "--apply", "--format", "json")
    assert applied.exit_code == 0, applied.output
    shown = json.loads(applied.stdout)
    assert shown["months"] == {"2023-09": 1, "2023-10": 2} and shown["applied"] is True
    assert shown["before"] == "2023-11-24" and len(shown["sha256"]) == 64
    assert len(local_dates(session)) == 2
    nothing = invoke(app, "access", "prune", "--apply")
    assert nothing.stdout == "no whole month of access events before 2023-11-24; nothing to drop\n"


def test_the_command_refuses_a_date_within_retention_and_a_date_it_cannot_read(app, import_log):
    import_log(OLD_LOG)
    inside = invoke(app, "access", "prune", "--before", "2025-01-01", "--apply")
    assert inside.exit_code == 1
    assert inside.stderr == (
        "article8: --before 2025-01-01 is within the retention period of 3 years: events from "
        "2023-11-24 on must be kept (ARTICLE8_ACCESS_RETENTION_YEARS)\n"
    )
    garbled = invoke(app, "access", "prune", "--before", "last year")
    assert garbled.exit_code == 2
    assert "--before: 'last year' is not a date (YYYY-MM-DD)" in garbled.stderr
