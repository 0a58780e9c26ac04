"""A disclosure request in a real browser, from receipt to closed: the responsible person records
it, confirms identity, decides, uploads the response (stored as evidence with its SHA-256) and
closes it; the response is then found in the evidence vault.

With ARTICLE8_SCREENSHOTS=DIR the pages are also photographed at 1366 and 390 px wide."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.core.audit import Actor
from article8.evidence.models import EvidenceItem
from article8.ops.demo import DEMO_LOGINS, DemoLogin
from article8.privacy.requests.models import PrivacyRequest

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
SHOTS = os.environ.get("ARTICLE8_SCREENSHOTS")


def _sign_in(page: Page, base: str, login: DemoLogin, lang: str = "en") -> None:
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)
    page.locator(f"[data-testid=language-switch] button[value={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    lang = page.locator("html").get_attribute("lang")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{lang}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_disclosure_from_receipt_to_closed_with_the_response_as_evidence(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    with live_server.app.extensions["article8.database"].unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=datetime.now(UTC))
    reply = tmp_path / "開示回答書.pdf"
    reply.write_bytes(PDF)

    _sign_in(page, base, RESPONSIBLE)
    page.locator("[data-testid=nav]").get_by_role("link", name="Requests", exact=True).click()
    _shoot(page, "requests-empty")
    page.get_by_role("link", name="Record a request").click()
    form = page.locator("[data-testid=request-form]")
    form.locator("select[name=kind]").select_option("disclosure")
    form.locator("select[name=channel]").select_option("letter")
    form.locator("input[name=requester_name]").fill("山田 花子")
    form.locator("input[name=requester_contact]").fill("東京都千代田区1-1")
    form.locator("select[name=disclosure_method]").select_option("electronic")
    form.locator("input[name=fee_yen]").fill("1000")
    _shoot(page, "request-new")
    form.get_by_role("button", name="Record the request").click()
    expect(page.locator(".alert-success")).to_contain_text("The request has been recorded")
    expect(page.locator("[data-testid=request-state]")).to_contain_text("Received")
    expect(page.locator("[data-testid=request-clock]")).to_contain_text("the clock keeps running")
    # A disclosure offers no "Start work" before identity is confirmed.
    expect(page.get_by_role("button", name="Start work")).to_have_count(0)
    _shoot(page, "request-received")

    page.get_by_role("button", name="Start identity verification").click()
    expect(page.locator("[data-testid=request-state]")).to_contain_text("Verifying identity")
    verify = page.locator("[data-testid=verify-form]")
    verify.locator("input[name=method]").fill("運転免許証の写しと住所への郵送")
    verify.locator("select[name=result]").select_option("confirmed")
    verify.get_by_role("button", name="Record the verification").click()
    expect(page.locator("[data-testid=request-state]")).to_contain_text("In progress")

    fee = page.locator("[data-testid=fee-form]")
    fee.locator("select[name=fee_state]").select_option("received")
    fee.get_by_role("button", name="Record the fee").click()
    expect(page.locator("[data-testid=fee]")).to_contain_text("Fee received")

    decide = page.locator("[data-testid=decide-form]")
    decide.locator("select[name=decision]").select_option("full")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.locator("[data-testid=decision]")).to_contain_text("Granted in full")

    respond = page.locator("[data-testid=respond-form]")
    respond.locator("input[type=file]").set_input_files(str(reply))
    _shoot(page, "request-decided")
    respond.get_by_role("button", name="Record the response").click()
    expect(page.locator(".alert-success")).to_contain_text("copy stored as evidence")
    sha256 = hashlib.sha256(PDF).hexdigest()
    expect(page.locator("[data-testid=response]")).to_contain_text(sha256)

    page.locator("[data-testid=close-request]").click()
    expect(page.locator("[data-testid=request-state]")).to_contain_text("Closed")
    _shoot(page, "request-closed")

    # The copy is evidence: its page names the file and the SHA-256.
    page.locator("[data-testid=response] a").click()
    expect(page.locator("[data-testid=original-name]")).to_have_text(reply.name)
    with live_server.app.extensions["article8.database"].unit_of_work() as session:
        found = session.scalars(select(PrivacyRequest)).one()
        item = session.get(EvidenceItem, found.response_evidence_id)
        assert found.state == "closed" and found.fee_state == "received"
        assert item is not None and item.sha256 == sha256 == found.response_sha256

    page.goto(f"{base}/requests/")
    expect(page.locator("[data-testid=request-table] tbody tr")).to_have_count(1)
    _shoot(page, "requests-list")
    page.goto(f"{base}/dashboard")
    expect(page.locator("[data-testid=privacy-tile]")).to_be_visible()
    _shoot(page, "dashboard")
