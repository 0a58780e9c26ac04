"""The foundation journey in a real browser: sign in, see the role's menu, switch language,
sign out — for every demo user, on every database backend."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "e2e-home-ja.png"

# The navigation each role sees, in menu order.
NAV_EN = {
    "admin": [
        "Home",
        "Dashboard",
        "My inspections",
        "Inspections",
        "Review",
        "Findings",
        "Catalogue",
        "Coverage",
        "Evidence",
        "Register",
        "Access logs",
        "Anomalies",
        "Incidents",
        "Requests",  # issue 16
        "Inquiries and complaints",  # issue 16
        "Provision records",  # issue 17
        "Privacy policy",  # issue 17
        "Audit trail",
        "Users",
        "Closed days",
        "Report an incident",
        "My account",
        "API tokens",
    ],
    "responsible": [
        "Home",
        "Dashboard",
        "My inspections",
        "Inspections",
        "Review",
        "Findings",
        "Catalogue",
        "Coverage",
        "Evidence",
        "Register",
        "Access logs",
        "Anomalies",
        "Incidents",
        "Requests",  # issue 16
        "Inquiries and complaints",  # issue 16
        "Provision records",  # issue 17
        "Privacy policy",  # issue 17
        "Audit trail",
        "Report an incident",
        "My account",
        "API tokens",
    ],
    "inspector": [
        "Home",
        "My inspections",
        "Inspections",
        "Findings",
        "Catalogue",
        "Coverage",
        "Evidence",
        "Requests",  # issue 16
        "Report an incident",
        "My account",
        "API tokens",
    ],
    "auditor": [
        "Home",
        "Dashboard",
        "Inspections",
        "Findings",
        "Catalogue",
        "Coverage",
        "Evidence",
        "Register",
        "Access logs",
        "Anomalies",
        "Incidents",
        "Requests",  # issue 16
        "Inquiries and complaints",  # issue 16
        "Provision records",  # issue 17
        "Privacy policy",  # issue 17
        "Audit trail",
        "Report an incident",
        "My account",
        "API tokens",
    ],
}
ALL_LINKS_EN = [
    "Home",
    "Dashboard",
    "My inspections",
    "Inspections",
    "Review",
    "Findings",
    "Catalogue",
    "Coverage",
    "Evidence",
    "Register",
    "Access logs",
    "Anomalies",
    "Incidents",
    "Requests",  # issue 16
    "Inquiries and complaints",  # issue 16
    "Provision records",  # issue 17
    "Privacy policy",  # issue 17
    "Audit trail",
    "Users",
    "Closed days",
    "Report an incident",
    "My account",
    "API tokens",
]
JA = {
    "Home": "ホーム",
    "Dashboard": "ダッシュボード",
    "My inspections": "担当の点検",
    "Inspections": "点検一覧",
    "Review": "承認待ち",
    "Findings": "指摘事項",
    "Catalogue": "管理策カタログ",
    "Coverage": "対応状況",
    "API tokens": "APIトークン",
    "Evidence": "証跡",
    "My account": "マイアカウント",
    "Audit trail": "監査ログ",
    "Users": "ユーザー管理",
    "Closed days": "休業日",
    "Register": "取扱者名簿",
    "Access logs": "アクセスログ",
    "Anomalies": "異常検知",
    "Incidents": "インシデント",
    "Requests": "開示等の請求",  # issue 16
    "Inquiries and complaints": "苦情・問合せ",  # issue 16
    "Provision records": "第三者提供・受領の記録",  # issue 17
    "Privacy policy": "プライバシーポリシー",  # issue 17
    "Report an incident": "漏えい等事案・規程違反の報告",  # issue 15
    "Sign out": "ログアウト",
}
LOGIN_URL = re.compile(r"/login(\?.*)?$")


def _nav_labels(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("[data-testid=nav] a").all_inner_texts()]


def _switch_language(page: Page, lang: str) -> None:
    page.locator(f"[data-testid=language-switch] button[value={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=[login.role for login in DEMO_LOGINS])
def test_sign_in_menu_language_and_sign_out(
    page: Page, live_server: LiveServer, login: DemoLogin
) -> None:
    base = live_server.url

    # Sign in (the form in <main>; the navbar's language form has submit buttons too).
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    nav = page.locator("[data-testid=nav]")
    expect(nav).to_be_visible()
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)

    # The account's own language may be Japanese: show the menu in English to check it.
    _switch_language(page, "en")
    expected = NAV_EN[login.role]
    assert _nav_labels(page) == expected
    for label in ALL_LINKS_EN:
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_have_count(1 if label in expected else 0)
    expect(page.locator('form[action="/logout"] button')).to_have_text("Sign out")

    # Japanese: the switch itself must work; the labels are compared at the end, so that a
    # missing translation does not hide a broken sign-out.
    _switch_language(page, "ja")
    ja_labels = _nav_labels(page)
    ja_sign_out = page.locator('form[action="/logout"] button').inner_text().strip()
    if login.role == "admin":
        expect(page).to_have_url(f"{base}/")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    # Sign out: back on the sign-in page, and the home page is closed again.
    page.locator('form[action="/logout"] button').click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("main form input[name=password]")).to_be_visible()
    expect(nav).to_have_count(0)
    page.goto(f"{base}/")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("main form input[name=password]")).to_be_visible()

    assert ja_labels == [JA[label] for label in expected]
    assert ja_sign_out == JA["Sign out"]
