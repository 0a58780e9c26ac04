"""The audit package in a real browser: an auditor presses the button beside the workbook, gets
the ZIP whose SHA-256 the audit trail holds, and its verify.py passes."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from article8.ops.demo import DEMO_LOGINS
from tests.conftest import FakeClock
from tests.support.package import build_vault, run_verify, unzip

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

AUDITOR = next(login for login in DEMO_LOGINS if login.role == "auditor")


def test_an_auditor_downloads_the_audit_package_beside_the_workbook(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    app = live_server.app
    database = app.extensions["article8.database"]
    store = LocalBlobStore(app.extensions["article8.settings"].evidence_dir)
    with database.session() as session:
        vault = build_vault(session, store, FakeClock())
    base = live_server.url
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", AUDITOR.email)
    page.fill("main form input[name=password]", AUDITOR.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(AUDITOR.name)
    if AUDITOR.locale == "ja":
        page.locator("[data-testid=language-switch] button[value=en]").click()
    page.goto(f"{base}/dashboard")
    form = page.locator("[data-testid=workbook-form]")
    form.locator("input[name=from]").fill("2026-11-01")
    form.locator("input[name=to]").fill("2026-11-30")
    form.locator("select[name=lang]").select_option("en")
    with page.expect_download() as caught:
        form.get_by_role("button", name="Download the audit package (ZIP)").click()
    download = caught.value
    assert re.fullmatch(r"article8-package-2026-11-01-2026-11-30\.zip", download.suggested_filename)
    package = tmp_path / download.suggested_filename
    download.save_as(package)
    with database.session() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.package")
        ).all()
    details = json.loads(event.details)
    assert event.actor_label == AUDITOR.email
    assert details["sha256"] == hashlib.sha256(package.read_bytes()).hexdigest()
    assert sorted(details["evidence"]) == sorted(vault.carried.values())
    result = run_verify(unzip(package, tmp_path / "unzipped"))
    assert result.returncode == 0, result.stdout
