"""The evidence journey in a real browser: the inspector uploads a PDF inside an inspection; the
auditor finds it, downloads exactly the bytes uploaded, and the download is in the audit trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

INSPECTOR = next(login for login in DEMO_LOGINS if login.role == "inspector")
AUDITOR = next(login for login in DEMO_LOGINS if login.role == "auditor")
LOADED = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
# A small but well-formed PDF: one empty page.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def _arrange(live_server: LiveServer) -> int:
    """The catalogue and its inspections; returns ORG-04's November inspection."""
    with live_server.app.extensions["article8.database"].unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=LOADED)
        run_schedule(session, ScheduleRules(timezone=ZoneInfo("Asia/Tokyo")), now=LOADED)
        inspection_id = session.scalar(
            select(Inspection.id)
            .join(Control)
            .where(Control.code == "ORG-04", Inspection.period_label == "2026-11")
        )
        assert inspection_id is not None
        return inspection_id


def _sign_in(page: Page, base: str, login: DemoLogin) -> None:
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_an_inspector_uploads_evidence_in_an_inspection_and_the_auditor_downloads_it(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    inspection_id = _arrange(live_server)
    pdf = tmp_path / "入退室記録 2026-11.pdf"
    pdf.write_bytes(PDF)

    # The inspector opens the inspection and uploads the PDF into it.
    _sign_in(page, base, INSPECTOR)
    page.goto(f"{base}/inspections/{inspection_id}")
    panel = page.locator("[data-testid=inspection-evidence-panel]")
    expect(panel.locator("[data-testid=inspection-evidence-table] tbody tr")).to_have_text(
        re.compile("No evidence yet")
    )
    form = panel.locator("[data-testid=inspection-evidence-upload]")
    form.locator("input[type=file]").set_input_files(str(pdf))
    expect(form.locator("[data-a8-filelist] li")).to_contain_text(pdf.name)  # the script ran
    form.locator("input[name=title]").fill("Entry log November 2026")
    form.locator("input[name=valid_until]").fill("2027-11-30")
    form.get_by_role("button", name="Upload").click()

    expect(page).to_have_url(f"{base}/inspections/{inspection_id}")
    expect(page.locator(".alert-success")).to_contain_text(f"Stored “{pdf.name}” as evidence")
    row = panel.locator("[data-testid=inspection-evidence-table] tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Entry log November 2026")
    expect(row).to_contain_text("ORG-04")
    page.locator('form[action="/logout"] button').click()

    # The auditor finds it in the evidence list and downloads it.
    _sign_in(page, base, AUDITOR)
    page.locator("[data-testid=nav]").get_by_role("link", name="Evidence", exact=True).click()
    page.select_option("[data-testid=evidence-filter] select[name=control]", "ORG-04")
    page.click("[data-testid=evidence-filter] button[type=submit]")
    page.get_by_role("link", name="Entry log November 2026").click()
    expect(page.locator("[data-testid=evidence-title]")).to_have_text("Entry log November 2026")
    expect(page.locator("[data-testid=original-name]")).to_have_text(pdf.name)
    expect(page.locator("[data-testid=evidence-inspection] a")).to_have_attribute(
        "href", f"/inspections/{inspection_id}"
    )
    expect(page.locator("[data-testid=new-version]")).to_have_count(0)  # auditors change nothing
    with page.expect_download() as caught:
        page.click("[data-testid=evidence-download]")
    download = caught.value
    assert download.suggested_filename == pdf.name
    assert Path(download.path()).read_bytes() == PDF

    # The evidence's history shows the upload, the view and the download, with who and where.
    page.get_by_role("link", name="History").click()
    table = page.locator("[data-testid=audit-table]")
    downloaded = table.locator("tr", has_text="evidence.download")
    expect(downloaded).to_have_count(1)
    expect(downloaded).to_contain_text(AUDITOR.email)
    expect(downloaded).to_contain_text("127.0.0.1")
    expect(table.locator("tr", has_text="evidence.upload")).to_contain_text(INSPECTOR.email)
    expect(table.locator("tr", has_text="evidence.view")).to_have_count(1)


def test_answers_given_before_an_upload_survive_it_in_the_browser(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    inspection_id = _arrange(live_server)
    pdf = tmp_path / "export-log.pdf"
    pdf.write_bytes(PDF)
    _sign_in(page, base, INSPECTOR)
    page.goto(f"{base}/inspections/{inspection_id}")

    first = page.locator("[data-testid=question-1]")
    first.locator("input[value=fail]").check()
    first.locator("textarea").fill("The export log is not kept")
    page.locator("[data-testid=question-2] input[value=pass]").check()
    form = page.locator("[data-testid=inspection-evidence-upload]")
    form.locator("input[type=file]").set_input_files(str(pdf))
    form.get_by_role("button", name="Upload").click()

    expect(page).to_have_url(f"{base}/inspections/{inspection_id}")
    expect(page.locator(".alert-success").first).to_be_visible()
    expect(first.locator("input[value=fail]")).to_be_checked()
    expect(first.locator("textarea")).to_have_value("The export log is not kept")
    expect(page.locator("[data-testid=question-2] input[value=pass]")).to_be_checked()
    expect(page.locator("[data-testid=inspection-evidence-table] tbody tr")).to_contain_text(
        "export-log.pdf"
    )
