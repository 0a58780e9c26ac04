"""The catalogue journey in a real browser: the responsible person finds a physical control,
gives it an owner and sees the change on the page and in the control's history."""

from __future__ import annotations

from datetime import UTC, datetime
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
AUDITOR = next(login for login in DEMO_LOGINS if login.role == "auditor")


def test_the_responsible_person_assigns_an_owner_to_a_physical_control(
    page: Page, live_server: LiveServer
) -> None:
    base = live_server.url
    with live_server.app.extensions["article8.database"].unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=datetime.now(UTC))

    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", RESPONSIBLE.email)
    page.fill("main form input[name=password]", RESPONSIBLE.password)
    page.click("main form button[type=submit]")

    # The responsible person's account is in Japanese: the menu and the page say so.
    nav = page.locator("[data-testid=nav]")
    nav.get_by_role("link", name="管理策カタログ", exact=True).click()
    expect(page.locator("h1")).to_have_text("管理策カタログ")
    expect(page.locator("[data-testid=catalogue-table] tbody tr")).to_have_count(
        len(load_catalogue())
    )

    # Filter to the physical measures.
    page.select_option("[data-testid=catalogue-filter] select[name=category]", "physical")
    page.click("[data-testid=catalogue-filter] button[type=submit]")
    rows = page.locator("[data-testid=catalogue-table] tbody tr")
    expect(rows).to_have_count(7)
    expect(page.locator("[data-testid=catalogue-count]")).to_have_text("表示件数: 7件")
    expect(rows.first).to_contain_text("物理的安全管理措置")

    # Open PHY-02 and switch to English for the rest of the visit.
    page.get_by_role("link", name="PHY-02", exact=True).click()
    expect(page.locator("[data-testid=control-title]")).to_contain_text("管理区域への入退室管理")
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[data-testid=control-title]")).to_contain_text(
        "Entry and exit control for management areas"
    )
    expect(page.locator("[data-testid=control-owner]")).to_have_text("No owner")

    # Give it an owner and save.
    settings = page.locator("[data-testid=control-settings]")
    settings.locator("select[name=owner_id]").select_option(label=AUDITOR.name)
    settings.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_have_text("The settings of PHY-02 have been saved.")
    expect(page.locator("[data-testid=control-owner]")).to_have_text(AUDITOR.name)

    # The control's history shows who changed what.
    page.get_by_role("link", name="History").click()
    table = page.locator("[data-testid=audit-table]")
    update = table.locator("tr", has_text="control.update")
    expect(update).to_have_count(1)
    expect(update).to_contain_text(RESPONSIBLE.email)
    expect(update).to_contain_text('"owner_id"')
    expect(table.locator("tr", has_text="control.create")).to_have_count(1)
