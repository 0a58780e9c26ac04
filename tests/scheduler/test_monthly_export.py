"""The monthly audit workbook: stored as evidence on ORG-08 once per local month, however often
and however many processes tick."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime

from sqlalchemy import select

from article8.controls.catalogue.services import sync_catalogue
from article8.core.db import Database
from article8.core.mail import LogMailer
from article8.core.models import AuditEvent
from article8.evidence.blobstore import local_store
from article8.evidence.models import EvidenceItem
from article8.reports.monthly import export_monthly_workbook, previous_month
from article8.scheduler.jobs import tick
from tests.conftest import SYSTEM_ACTOR, settings_for
from tests.support.schedule import LOADED


def at(stamp: str) -> datetime:
    """An instant written in Tokyo time."""
    return datetime.fromisoformat(stamp + "+09:00").astimezone(UTC)


def workbooks(session) -> list[EvidenceItem]:
    session.expire_all()
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.original_name.like("article8-workbook-%"))
            .order_by(EvidenceItem.id)
        )
    )


def test_previous_month_is_the_whole_calendar_month_before():
    period = previous_month(datetime(2027, 1, 1).date())
    assert (period.start.isoformat(), period.end.isoformat()) == ("2026-12-01", "2026-12-31")


def test_the_first_tick_of_a_month_stores_last_months_workbook_on_org08(
    session, database, settings, synced_catalogue
):
    # Just after midnight on 1 December in Tokyo (still 30 November in UTC).
    report = tick(database, settings, LogMailer(), now=at("2026-12-01T00:05"))
    assert report.workbook_exported
    (item,) = workbooks(session)
    assert item.original_name == "article8-workbook-2026-11.xlsx"
    assert item.title == "監査用ブック 2026年11月"  # the month named in Japanese
    assert [c.code for c in item.controls] == ["ORG-08"]
    assert item.uploaded_by_label == "system:scheduler"
    assert item.collected_on.isoformat() == "2026-12-01"
    recorded = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.workbook")
    ).one()
    details = json.loads(recorded.details)
    assert (details["from"], details["to"]) == ("2026-11-01", "2026-11-30")
    # The stored file is the one whose hash the audit trail holds.
    assert item.sha256 == details["sha256"]
    with local_store(settings).open(item.sha256) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == item.sha256


def test_later_ticks_in_the_same_month_do_nothing_and_the_next_month_exports_again(
    session, database, settings, synced_catalogue
):
    assert tick(database, settings, LogMailer(), now=at("2026-12-01T09:00")).workbook_exported
    for day in ("2026-12-01T09:05", "2026-12-15T09:00", "2026-12-31T23:55"):
        assert not tick(database, settings, LogMailer(), now=at(day)).workbook_exported
    assert len(workbooks(session)) == 1
    assert tick(database, settings, LogMailer(), now=at("2027-01-01T00:10")).workbook_exported
    names = [item.original_name for item in workbooks(session)]
    assert names == ["article8-workbook-2026-11.xlsx", "article8-workbook-2026-12.xlsx"]


def test_without_org08_nothing_is_claimed_so_the_export_follows_the_catalogue(
    session, database, settings, shipped_catalogue
):
    assert not tick(database, settings, LogMailer(), now=at("2026-11-02T09:00")).workbook_exported
    assert workbooks(session) == []
    sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=at("2026-11-03T09:00"))
    session.commit()
    assert tick(database, settings, LogMailer(), now=at("2026-11-03T09:05")).workbook_exported
    assert [i.original_name for i in workbooks(session)] == ["article8-workbook-2026-10.xlsx"]


def test_two_processes_racing_export_once(fresh_database_url, tmp_path, shipped_catalogue):
    settings = settings_for(fresh_database_url, tmp_path / "instance")
    database = Database.from_url(fresh_database_url)
    try:
        with database.unit_of_work() as session:
            sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=LOADED)
        start = threading.Barrier(2)
        results: list[object] = []

        def export() -> None:
            start.wait()
            with database.unit_of_work() as session:
                item = export_monthly_workbook(
                    session,
                    local_store(settings),
                    settings=settings,
                    actor=SYSTEM_ACTOR,
                    now=at("2026-12-01T09:00"),
                )
                results.append(item.id if item else None)

        threads = [threading.Thread(target=export) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(results) == 2 and results.count(None) == 1
        with database.session() as session:
            assert len(workbooks(session)) == 1
    finally:
        database.bind.dispose()
