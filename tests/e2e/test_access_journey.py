"""The access journey in a real browser: the responsible person imports the handler register and
a system access log through the pages, sees the anomalies the rules found, escalates one into a
finding on TEC-07, and finds it among the findings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.core.audit import Actor
from article8.ops.demo import DEMO_LOGINS

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")
PEOPLE = (
    "employee_id,name,department,employed_from,employed_until,aliases\n"
    "E1001,Tanaka Ichiro,Sales,2020-04-01,,tanaka;B-1001\n"
    "E1002,Sato Hanako,HR,2019-04-01,2026-10-31,sato\n"
)
GRANTS = (
    "employee_id,kind,target,actions,valid_from,valid_until\n"
    "E1001,system,crm,view;search;export,2020-04-01,\n"
)
LOG = (
    "timestamp,user,system,action,records,source_ip,result\n"
    "2026-11-24T10:00:00+09:00,tanaka,crm,view,20,10.0.0.1,ok\n"
    "2026-11-24T10:05:00+09:00,tanaka,crm,export,2500,10.0.0.1,ok\n"
    "2026-11-24T11:00:00+09:00,sato,crm,view,5,10.0.0.2,ok\n"
)


def _write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_a_log_is_imported_its_anomalies_seen_and_one_escalated_into_a_finding(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    database = live_server.app.extensions["article8.database"]
    with database.unit_of_work() as session:
        sync_catalogue(
            session, load_catalogue(), Actor(None, "e2e"), now=datetime(2026, 11, 24, tzinfo=UTC)
        )
    nav = page.locator("[data-testid=nav]")

    # The responsible person signs in; their menu is Japanese until they switch.
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", RESPONSIBLE.email)
    page.fill("main form input[name=password]", RESPONSIBLE.password)
    page.click("main form button[type=submit]")
    expect(nav.get_by_role("link", name="異常検知", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="漏えい等事案・規程違反の報告", exact=True)).to_be_visible()
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The register: people, then their authorisations.
    nav.get_by_role("link", name="Register", exact=True).click()
    page.locator("[data-testid=register-import-link]").click()
    for name, content in (("people.csv", PEOPLE), ("grants.csv", GRANTS)):
        form = page.locator("[data-testid=register-import]")
        form.locator("input[type=file]").set_input_files(_write(tmp_path, name, content))
        form.get_by_role("button", name="Import").click()
        expect(page.locator(".alert-success")).to_contain_text("Register imported.")
        if name == "people.csv":
            page.locator("[data-testid=register-import-link]").click()
    expect(page.locator("[data-testid=people-table] tr[data-employee]")).to_have_count(2)

    # The access log.
    nav.get_by_role("link", name="Access logs", exact=True).click()
    page.locator("[data-testid=log-upload-link]").click()
    form = page.locator("[data-testid=log-upload]")
    form.locator("select[name=kind]").select_option("system")
    form.locator("input[type=file]").set_input_files(_write(tmp_path, "crm-1124.csv", LOG))
    form.get_by_role("button", name="Import").click()
    expect(page.locator("[data-outcome=stored]")).to_contain_text("Stored 3 lines of crm-1124.csv")
    found = page.locator("[data-testid=anomalies-found]")
    expect(found).to_contain_text("Bulk export: 1")
    expect(found).to_contain_text("Access after leaving: 1")

    # The anomalies awaiting triage; the bulk export is opened and escalated.
    nav.get_by_role("link", name="Anomalies", exact=True).click()
    table = page.locator("[data-testid=anomaly-table]")
    expect(table.locator("tr[data-rule=leaver_access][data-person=E1002]")).to_have_count(1)
    row = table.locator("tr[data-rule=bulk_export][data-person=E1001]")
    expect(row).to_contain_text("High")
    row.get_by_role("link", name="View").click()
    expect(page.locator("[data-testid=anomaly-events]")).to_contain_text("crm-1124.csv:3")
    escalate = page.locator("[data-testid=escalate-form]")
    expect(escalate.locator("select[name=control]")).to_have_value("TEC-07")
    escalate.locator("textarea").fill("Not a scheduled export; ask sales.")
    escalate.get_by_role("button", name="Escalate").click()
    expect(page).to_have_url(re.compile(r"/findings/\d+$"))
    expect(page.locator(".alert-success")).to_contain_text("escalated into finding")
    expect(page.locator("[data-testid=finding-description]")).to_contain_text("E1001")

    # The finding is listed on the findings page, on TEC-07, graded high.
    nav.get_by_role("link", name="Findings", exact=True).click()
    listed = page.locator("[data-testid=finding-table] tr[data-code=TEC-07]")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Bulk export: E1001 2026-11-24")  # the rule by name
    expect(listed).to_contain_text("High")
