"""The monthly summary of requests and inquiries: the month's figures, stored as evidence with its
SHA-256 for the periodic inspection to cite; also from the command line."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

from sqlalchemy import select

from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from article8.privacy.requests import services as requests
from article8.reports.privacy_summary import render, store_summary, summarise
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR
from tests.privacy.conftest import tokyo

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_the_month_in_figures_stored_as_evidence(
    session, settings, file_request, synced_catalogue, tmp_path
):
    on_time = file_request("correction", received_at=tokyo(2026, 11, 2).astimezone(UTC))
    late = file_request("correction", received_at=tokyo(2026, 11, 4).astimezone(UTC))
    file_request("disclosure", received_at=tokyo(2026, 11, 20).astimezone(UTC))
    file_request("disclosure", received_at=tokyo(2026, 10, 31).astimezone(UTC))  # not November
    for found, responded in ((on_time, date(2026, 11, 6)), (late, date(2026, 11, 25))):
        found.state, found.responded_on, found.decision = "responded", responded, "full"
    session.flush()
    summary = summarise(session, date(2026, 11, 15), settings=settings)
    assert (summary.first, summary.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert summary.requests_by_kind == {"correction": 2, "disclosure": 1}
    assert (summary.responded, summary.responded_by_target, summary.past_statutory_marker) == (
        2,
        1,
        1,
    )
    assert sorted(summary.days_taken) == [4, 21] and summary.open_at_end == 1
    text = render(summary, lang="en", organisation="Example K.K.", now=NOW, tz=settings.timezone)
    assert "Generated: 2026-12-01 10:00 JST" in text
    assert "Requests from individuals received: 3" in text
    assert "after two weeks from receipt (Art. 39): 1" in text

    item = store_summary(
        session,
        LocalBlobStore(tmp_path / "evidence"),
        SYSTEM_ACTOR,
        date(2026, 11, 1),
        settings=settings,
        lang="en",
        now=NOW,
    )
    assert item.original_name == "requests-summary-2026-11.txt"
    assert [c.code for c in item.controls] == [requests.REQUESTS_CONTROL]
    stored = (tmp_path / "evidence").rglob(item.sha256)
    assert hashlib.sha256(next(stored).read_bytes()).hexdigest() == item.sha256
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.monthly_summary"))
    assert event is not None and item.sha256 in event.details


def test_the_summary_from_the_command_line(fresh_database_url, tmp_path):
    shown = article8(
        fresh_database_url, tmp_path, "requests", "summary", "--month", "2026-11", "--lang", "en"
    )
    assert shown.returncode == 0, shown.stderr
    assert "Requests from individuals received: 0" in shown.stdout
    bad = article8(fresh_database_url, tmp_path, "requests", "summary", "--month", "11/2026")
    assert bad.returncode == 2 and "--month: expected YYYY-MM" in bad.stderr
