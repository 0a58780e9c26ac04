"""The dashboard page and the workbook download: roles, links, charts, "as of", the file's hash."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tempfile
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import event, func, select

from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections.schedule import run_schedule
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR
from tests.support.schedule import RULES

SVG = "{http://www.w3.org/2000/svg}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def overdue_programme(session, clock, shipped_catalogue):
    """The catalogue since 1 October; October's monthly inspections are 14 days overdue now."""
    sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=datetime(2026, 10, 1, tzinfo=UTC))
    run_schedule(session, RULES, now=datetime(2026, 10, 20, 1, tzinfo=UTC))
    run_schedule(session, RULES, now=clock())
    session.commit()
    return session.scalar(
        select(func.count()).select_from(Control).where(Control.frequency == "monthly")
    )


def page_of(client, url="/dashboard"):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def href_of(page: str, testid: str) -> str:
    match = re.search(rf'<a href="([^"]+)" data-testid="{re.escape(testid)}">', page)
    assert match, f"no link for {testid}"
    return match.group(1).replace("&amp;", "&")


def text_of(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}">([^<]*)<', page)
    assert match, testid
    return match.group(1).strip()


@pytest.mark.parametrize("role", ["responsible", "admin", "auditor"])
def test_readers_see_the_dashboard_and_only_managers_get_actions(signed_in, role):
    client, _ = signed_in(role)
    page = page_of(client)
    assert "<h1" in page and "Dashboard" in page
    assert ('data-testid="dashboard-actions"' in page) is (role != "auditor")
    assert 'data-testid="workbook-form"' in page  # auditors download workbooks too


def test_inspectors_are_refused(signed_in):
    client, _ = signed_in("inspector")
    assert client.get("/dashboard").status_code == 403
    assert client.get("/exports/workbook").status_code == 403


def test_every_number_links_to_the_list_behind_it(signed_in, overdue_programme):
    client, _ = signed_in("responsible")
    page = page_of(client)
    monthly = overdue_programme
    assert text_of(page, "overdue-total") == str(monthly)
    assert href_of(page, "overdue-total") == "/inspections/?status=overdue"
    assert href_of(page, "overdue-d8_30") == (
        "/inspections/?status=overdue&due_from=2026-10-25&due_to=2026-11-16"
    )
    assert text_of(page, "overdue-d8_30") == str(monthly)
    assert href_of(page, "upcoming") == (
        "/inspections/?status=pending&due_from=2026-11-24&due_to=2026-12-08"
    )
    assert href_of(page, "evidence-expiring") == "/evidence/?freshness=expiring"
    assert href_of(page, "evidence-expired") == "/evidence/?freshness=expired"
    assert href_of(page, "technical-overdue") == "/inspections/?status=overdue&category=technical"
    assert href_of(page, "findings-high-total") == "/findings/?severity=high"
    assert href_of(page, "on-time-rate") == "/inspections/?due_from=2025-12-01&due_to=2026-11-24"
    # Following the overdue count lists exactly those inspections, all overdue.
    listed = page_of(client, href_of(page, "overdue-total"))
    assert listed.count('class="table-danger a8-overdue"') == monthly
    assert listed.count("data-inspection=") == monthly


def test_charts_are_valid_svg_with_titles_and_no_inline_styles(signed_in, overdue_programme):
    client, _ = signed_in("responsible")
    response = client.get("/dashboard")
    page = response.get_data(as_text=True)
    charts = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(charts) == 2
    trend, heat = (ET.fromstring(chart) for chart in charts)  # noqa: S314 - our own markup
    for chart in (trend, heat):
        assert chart.find(f"{SVG}title").text
        assert chart.find(f"{SVG}desc").text
    controls = 41  # 39, ORG-12 for provision records (issue 17), ORG-13 for requests (issue 16)
    cells = [g for g in heat.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None]
    assert len(cells) == controls * 12 + 5  # and the legend
    assert all(g.find(f"{SVG}title").text for g in cells)
    linked = [a.get("href") for a in heat.iter(f"{SVG}a")]
    assert linked and all(re.fullmatch(r"/inspections/\d+", href) for href in linked)
    bars = [a.get("href") for a in trend.iter(f"{SVG}a")]
    assert "/inspections/?status=&due_from=2026-11-01&due_to=2026-11-30" in bars
    # The CSP allows neither style attributes nor inline scripts.
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_as_of_shows_the_page_as_it_stood(signed_in, overdue_programme):
    client, _ = signed_in("responsible")
    before_due = page_of(client, "/dashboard?as_of=2026-11-01")
    assert 'data-testid="as-of-note"' in before_due
    assert "As of the end of 2026-11-01" in before_due
    assert text_of(before_due, "overdue-total") == "0"  # October was not due yet
    live = page_of(client, "/dashboard?as_of=2026-11-24")  # today: the live figures
    assert 'data-testid="as-of-note"' not in live
    assert 'data-testid="as-of-refused"' not in live
    assert text_of(live, "overdue-total") == str(overdue_programme)
    # One date parser for every query string: a bad date is refused (400) with a clear message.
    refused = client.get("/dashboard?as_of=yesterday")
    nonsense = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "as_of: &#39;yesterday&#39; is not a date (YYYY-MM-DD)" in nonsense
    assert "as-of-note" not in nonsense


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "2099-01-01 is in the future: the dashboard can show today or a past day."),
        ("ja", "2099-01-01 は未来の日付です"),
    ],
)
def test_a_future_as_of_day_is_refused_with_a_message(signed_in, overdue_programme, lang, says):
    client, _ = signed_in("responsible", locale=lang)
    page = page_of(client, "/dashboard?as_of=2099-01-01")
    assert says in page.replace("&#39;", "'")
    assert 'data-testid="as-of-refused"' in page
    assert 'data-testid="as-of-note"' not in page  # today's figures, not a reconstruction
    assert text_of(page, "overdue-total") == str(overdue_programme)


def test_an_empty_dashboard_says_what_will_appear_and_when(signed_in):
    client, _ = signed_in("auditor")
    page = page_of(client)
    empty = (
        "posture-empty",
        "trend-empty",
        "heat-map-empty",
        "findings-empty",
        "evidence-gaps-empty",
    )
    for testid in empty:
        assert f'data-testid="{testid}"' in page, testid
    assert 'data-testid="trend-chart"' not in page
    assert "Days past the due date." in page
    assert "Age: days since the finding or the corrective action was recorded." in page


def test_a_dashboard_with_inspections_shows_its_charts_not_the_empty_states(
    signed_in, overdue_programme
):
    client, _ = signed_in("auditor")
    page = page_of(client)
    assert 'data-testid="trend-chart"' in page and 'data-testid="heat-map"' in page
    assert 'data-testid="trend-empty"' not in page and 'data-testid="posture-empty"' not in page


@pytest.mark.parametrize("role", ["responsible", "auditor"])
def test_the_workbook_download_is_the_file_whose_hash_the_audit_trail_holds(
    signed_in, overdue_programme, session, monkeypatch, tmp_path, role
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    client, user = signed_in(role)
    response = client.get("/exports/workbook?from=2026-10-01&to=2026-11-24&lang=en")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    disposition = response.headers["Content-Disposition"]
    assert (
        "attachment" in disposition
        and "article8-workbook-2026-10-01-2026-11-24.xlsx" in disposition
    )
    body = response.get_data()
    response.close()
    recorded = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.workbook")
    ).all()[-1]
    details = json.loads(recorded.details)
    assert recorded.actor_id == user.id
    assert details["sha256"] == hashlib.sha256(body).hexdigest()
    assert (details["from"], details["to"], details["lang"]) == ("2026-10-01", "2026-11-24", "en")
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    assert "Inspections" in book.sheetnames
    book.close()
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary file is gone


def test_a_backwards_period_changes_nothing_and_says_why(signed_in, session):
    client, _ = signed_in("responsible")
    response = client.get("/exports/workbook?from=2026-11-24&to=2026-10-01", follow_redirects=True)
    assert "Choose a period whose end is not before its start" in response.get_data(as_text=True)
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.workbook")
    ).all()


def test_the_navigation_and_home_page_lead_to_the_dashboard(signed_in):
    client, _ = signed_in("auditor")
    home = page_of(client, "/")
    assert 'href="/dashboard"' in home and 'data-testid="home-dashboard"' in home
    inspector, _ = signed_in("inspector")
    assert 'href="/dashboard"' not in page_of(inspector, "/")


def test_a_dashboard_request_takes_at_most_fifteen_statements(
    signed_in, overdue_programme, connection
):
    client, _ = signed_in("responsible")
    client.get("/dashboard")  # warm: nothing is cached between requests but templates
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        # The test's own transaction wraps each request in a savepoint; production has none.
        if not statement.startswith(("SAVEPOINT", "ROLLBACK TO SAVEPOINT", "RELEASE SAVEPOINT")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        page_of(client)
        live = len(statements)
        page_of(client, "/dashboard?as_of=2026-11-01")
    finally:
        event.remove(connection, "before_cursor_execute", count)
    # The live page has one statement each for the privacy registers' tiles (issues 16, 17),
    # which keep no history, so the "as of" page has fewer.
    assert live <= 15 and len(statements) - live <= 13, statements
