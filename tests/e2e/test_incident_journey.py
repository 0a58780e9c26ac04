"""The leak-report journey in a real browser: a member of staff reports a misdirected e-mail; the
responsible person confirms when the company became aware, records the facts and the assessment,
writes the report items, records the 速報, generates the report document, records the 確報 and
the notification of the individuals, and closes the incident."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.core.audit import Actor
from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

INSPECTOR = next(login for login in DEMO_LOGINS if login.role == "inspector")
RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")


def _sign_in(page: Page, base: str, login: DemoLogin) -> None:
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _sign_out(page: Page) -> None:
    page.context.clear_cookies()


def test_a_staff_report_becomes_a_filed_final_report(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    with live_server.app.extensions["article8.database"].unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=datetime.now(UTC))
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()

    # A member of staff reports it from the navigation.
    _sign_in(page, base, INSPECTOR)
    page.get_by_role("link", name="Report an incident", exact=True).click()
    expect(page.locator("h1")).to_have_text(
        "Report a personal-data incident or rule breach (near misses included)"
    )
    form = page.locator("[data-testid=report-form]")
    form.locator("input[name=title]").fill("Order list e-mailed to the wrong customer")
    form.locator("textarea[name=description]").fill("An export of 120 orders went to a customer.")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=incident-title]")).to_have_text(
        "Order list e-mailed to the wrong customer"
    )
    incident_url = page.url
    _sign_out(page)

    # The responsible person confirms the awareness and records the facts.
    _sign_in(page, base, RESPONSIBLE)
    page.goto(incident_url)
    expect(page.locator("[data-missing=aware_at]")).to_be_visible()
    record = page.locator("[data-testid=record-form]")
    record.get_by_label("Leak").check()
    record.locator("select[name=certainty]").select_option("occurred")
    record.locator("select[name=media]").select_option("electronic")
    record.locator("select[name=personal_data]").select_option("yes")
    record.locator("input[name=individuals]").fill("120")
    record.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=aware-at]")).to_contain_text("Confirmed")

    assess = page.locator("[data-testid=assess-form]")
    assess.locator("[data-question=sensitive] input[value=yes]").check()
    assess.locator("[data-question=financial] input[value=no]").check()
    assess.locator("[data-question=unlawful] input[value=no]").check()
    assess.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=deadlines] [data-deadline=preliminary]")).to_be_visible()
    expect(page.locator("[data-testid=calendar-days]")).to_contain_text("calendar days")

    items = page.locator("[data-testid=items-form]")
    items.locator("textarea[name=summary]").fill("注文一覧を別の顧客へ誤送信した。")
    items.locator("textarea[name=data_items]").fill("氏名、住所、購入履歴（病院向け商品を含む）")
    items.locator("textarea[name=cause]").fill("宛先の選択誤り")
    items.locator("button[type=submit]").click()
    expect(page.locator("[data-item=summary]")).to_contain_text("注文一覧を別の顧客へ誤送信した。")

    # 速報 to the PPC, then the document, then 確報 and the notification.
    filing = page.locator("[data-testid=ppc-report-form]")
    filing.locator("select[name=kind]").select_option("preliminary")
    filing.locator("input[name=receipt_number]").fill("PPC-0001")
    filing.locator("button[type=submit]").click()
    expect(page.locator("[data-filing=preliminary]")).to_contain_text("PPC-0001")

    page.locator("[data-testid=documents] button[type=submit]").click()
    expect(page.locator("[data-document='1']")).to_contain_text(re.compile("SHA-256 [0-9a-f]{64}"))

    filing = page.locator("[data-testid=ppc-report-form]")
    filing.locator("select[name=kind]").select_option("final")
    filing.locator("button[type=submit]").click()
    expect(page.locator("[data-filing=final]")).to_be_visible()

    notice = page.locator("[data-testid=notification-form]")
    notice.get_by_label("Individuals notified").check()
    notice.locator("input[name=notified_on]").fill(today)
    notice.locator("input[name=method]").fill("E-mail")
    notice.locator("textarea[name=content]").fill("What was sent, to whom, and whom to ask.")
    notice.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=notification]")).to_contain_text("E-mail")

    status = page.locator("[data-testid=status-form]")
    status.locator("select[name=status]").select_option("closed")
    status.locator("textarea[name=resolution]").fill("Reported to the PPC; the mail was deleted.")
    status.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=incident-status]")).to_contain_text("Closed")
