"""The dashboard journey in a real browser: the responsible person opens the dashboard, follows
the overdue count to the overdue inspections and downloads the audit workbook; an auditor
downloads it too. Each download is the file whose SHA-256 the audit trail holds."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.core.models import AuditEvent
from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")
AUDITOR = next(login for login in DEMO_LOGINS if login.role == "auditor")
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "e2e-dashboard.png"


def _arrange(live_server: LiveServer) -> None:
    """The catalogue arrived 50 days ago and the scheduler last ran then: every monthly
    inspection created that day is past its due date now (and not yet marked missed)."""
    past = datetime.now(UTC) - timedelta(days=50)
    database = live_server.app.extensions["article8.database"]
    with database.unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=past)
        rules = ScheduleRules.from_settings(live_server.app.extensions["article8.settings"])
        run_schedule(session, rules, now=past)


def _recorded_hashes(live_server: LiveServer) -> list[tuple[str, str]]:
    """(actor, SHA-256) of every workbook export in the audit trail."""
    database = live_server.app.extensions["article8.database"]
    with database.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.workbook")
        ).all()
        return [(e.actor_label, json.loads(e.details)["sha256"]) for e in events]


def _sign_in(page: Page, base: str, login: DemoLogin) -> None:
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)
    if login.locale == "ja":
        page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _download_workbook(page: Page) -> str:
    """Download the workbook from the dashboard's form; return the file's SHA-256."""
    form = page.locator("[data-testid=workbook-form]")
    form.locator("select[name=lang]").select_option("en")
    with page.expect_download() as caught:
        form.get_by_role("button", name="Download the workbook").click()
    download = caught.value
    name = r"article8-workbook-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.xlsx"
    assert re.fullmatch(name, download.suggested_filename)
    content = Path(download.path()).read_bytes()
    assert content[:2] == b"PK"  # an XLSX is a zip archive
    return hashlib.sha256(content).hexdigest()


def test_the_responsible_person_follows_overdue_work_and_both_download_the_workbook(
    page: Page, live_server: LiveServer
) -> None:
    base = live_server.url
    _arrange(live_server)
    nav = page.locator("[data-testid=nav]")

    _sign_in(page, base, RESPONSIBLE)
    nav.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("[data-testid=dashboard-actions]")).to_be_visible()
    expect(page.locator("[data-testid=trend-chart]")).to_be_visible()
    expect(page.locator("[data-testid=heat-map]")).to_be_visible()
    overdue = page.locator("[data-testid=overdue-total]")
    count = int(overdue.inner_text())
    assert count >= 8  # at least every monthly control
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The overdue count leads to exactly those inspections, each marked overdue.
    overdue.click()
    expect(page).to_have_url(re.compile(r"/inspections/\?status=overdue$"))
    rows = page.locator("[data-testid=inspection-table] tr[data-inspection]")
    expect(rows).to_have_count(count)
    expect(page.locator("[data-testid=inspection-table] tr.a8-overdue")).to_have_count(count)
    expect(rows.first.locator("[data-testid=days-overdue]")).to_contain_text("days overdue")

    page.go_back()
    expect(page.locator("h1")).to_have_text("Dashboard")
    responsible_hash = _download_workbook(page)
    assert _recorded_hashes(live_server) == [(RESPONSIBLE.email, responsible_hash)]
    page.locator('form[action="/logout"] button').click()
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))

    # The auditor reads the same page without the managers' actions and downloads it too.
    _sign_in(page, base, AUDITOR)
    nav.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator("[data-testid=overdue-total]")).to_have_text(str(count))
    expect(page.locator("[data-testid=dashboard-actions]")).to_have_count(0)
    auditor_hash = _download_workbook(page)
    assert _recorded_hashes(live_server)[-1] == (AUDITOR.email, auditor_hash)
