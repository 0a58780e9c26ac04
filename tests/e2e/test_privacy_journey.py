"""The privacy registers in a real browser: the responsible person records a provision to a
foreign recipient (an exempt basis is told no record is required; the consent is demanded), then
registers two versions of the privacy policy with a changed purpose of use, sees the gap in the
published matters as a finding candidate for BP-03, and compares the two versions (issue 17)."""

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
from article8.ops.demo import DEMO_LOGINS
from article8.privacy.provisions.retention import years_after

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")
TEXT_2024 = "第1条 事業者の名称\n第3条 利用目的: 商品の発送\n第8条 安全管理措置\n"
TEXT_2026 = (
    "第1条 事業者の名称\n第3条 利用目的: 商品の発送、アフターサービスのご案内\n第8条 安全管理措置\n"
)
ALL_BUT_TWO = (
    "business",
    "purposes",
    "requests",
    "measures_basic_policy",
    "measures_rules",
    "measures_organisational",
    "measures_physical",
    "measures_technical",
    "complaints",
)


def _register(page: Page, base: str, label: str, effective: str, text: str, **change: str) -> None:
    page.goto(f"{base}/policies/")
    page.locator("[data-testid=policy-new]").click()
    form = page.locator("[data-testid=policy-form]")
    form.locator("input[name=label]").fill(label)
    form.locator("input[name=effective_on]").fill(effective)
    form.locator("input[name=approved_by]").fill("代表取締役 山本")
    form.locator("input[name=published_on]").fill(effective)
    form.locator("input[name=publication_method]").fill("ウェブサイトに掲載")
    form.locator("textarea[name=text]").fill(text)
    for code in ALL_BUT_TWO:
        form.locator(f"input[name=matters][value={code}]").check()
    for name, value in change.items():
        field = form.locator(f"[name='purpose_changes-0-{name}']")
        if name == "relation":
            field.select_option(value)
        else:
            field.fill(value)
    form.get_by_role("button", name="Register this version").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Version {label} has been registered.")


def test_a_provision_and_a_policy_change_are_recorded(page: Page, live_server: LiveServer) -> None:
    base = live_server.url
    database = live_server.app.extensions["article8.database"]
    with database.unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=datetime.now(UTC))
    nav = page.locator("[data-testid=nav]")
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", RESPONSIBLE.email)
    page.fill("main form input[name=password]", RESPONSIBLE.password)
    page.click("main form button[type=submit]")
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # An entrustment needs no record: the page says so instead of asking for one.
    nav.get_by_role("link", name="Provision records", exact=True).click()
    page.locator("[data-testid=provision-new]").click()
    basis = page.locator("[data-testid=basis-form]")
    basis.locator("select[name=direction]").select_option("provision")
    basis.locator("select[name=basis]").select_option("entrustment")
    basis.get_by_role("button", name="Next").click()
    expect(page.locator("[data-testid=no-record-required]")).to_contain_text(
        "No record is required."
    )
    expect(page.locator("select[name=record_form]")).to_have_count(0)

    # A consent-based provision to a foreign recipient: the consent is demanded.
    page.get_by_role("link", name="Choose another").click()
    basis.locator("select[name=direction]").select_option("provision")
    basis.locator("select[name=basis]").select_option("consent")
    basis.get_by_role("button", name="Next").click()
    form = page.locator("[data-testid=provision-form]")
    form.locator("select[name=record_form]").select_option("per_provision")
    form.locator("input[name=party_name]").fill("US Partner Inc.")
    form.locator("textarea[name=individuals_description]").fill("会員（2026年11月分）")
    form.locator("input[name=individuals_count]").fill("42")
    form.locator("textarea[name=data_items]").fill("氏名、メールアドレス")
    form.locator("textarea[name=consent_evidence]").fill("会員登録画面の同意欄")
    form.locator("input[name=foreign_country]").fill("米国")
    form.locator("textarea[name=foreign_information]").fill("米国の制度と提供先の措置を説明")
    form.get_by_role("button", name="Save").click()
    expect(form).to_contain_text("needs the individual's consent (Art. 28)")
    form.locator("input[name=foreign_consent]").check()
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/provisions/\d+$"))
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date()
    kept = years_after(today, 3).isoformat()
    expect(page.locator("[data-testid=retention]")).to_contain_text(kept)
    expect(page.locator("[data-testid=kept-until]")).to_contain_text(f"must be kept until {kept}")
    expect(page.locator("[data-testid=record-details]")).to_contain_text("EXT-03")

    # Two versions of the policy; the second changes a purpose within the reasonable relation.
    _register(page, base, "2024-04", "2024-04-01", TEXT_2024)
    _register(
        page,
        base,
        "2026-04",
        "2026-04-01",
        TEXT_2026,
        purpose="アフターサービスのご案内",
        relation="related",
        reasoning="購入商品の保守の案内は発送の目的から本人が通常予期しうる",
        notified_on="2026-03-15",
        notification_method="ウェブサイトで公表",
    )
    expect(page.locator("[data-testid=purpose-changes]")).to_contain_text("アフターサービス")
    nav.get_by_role("link", name="Privacy policy", exact=True).click()
    expect(page.locator("[data-testid=policy-in-force]")).to_contain_text("2026-04")
    gaps = page.locator("[data-testid=policy-gaps]")
    expect(gaps).to_contain_text("Finding candidate for BP-03")
    expect(gaps).to_contain_text("Safety control measures: human")
    expect(gaps).to_contain_text("understanding the external environment")
    page.locator("[data-testid=diff-form]").get_by_role(
        "button", name="Show the differences"
    ).click()
    diff = page.locator("[data-testid=policy-diff]")
    expect(diff.locator("[data-kind=add]")).to_contain_text("アフターサービスのご案内")
    expect(diff.locator("[data-kind=remove]")).to_contain_text("第3条 利用目的: 商品の発送")
