"""Uploads too large for the server are refused in the browser before anything is sent, and
the form keeps what was typed (the server's 413 stays the real check)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, Request, expect

from article8.ops.demo import DEMO_LOGINS

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

INSPECTOR = next(login for login in DEMO_LOGINS if login.role == "inspector")
MB = 1024 * 1024


def test_too_large_a_file_is_refused_before_sending_and_the_form_is_kept(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    limit_mb = live_server.app.extensions["article8.settings"].max_upload_mb
    big = tmp_path / "scan.pdf"
    with big.open("wb") as f:  # sparse: the browser reads only its size
        f.truncate((limit_mb + 1) * MB)

    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", INSPECTOR.email)
    page.fill("main form input[name=password]", INSPECTOR.password)
    page.click("main form button[type=submit]")
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"{base}/evidence/upload")
    form = page.locator("[data-testid=evidence-upload]")
    form.locator("input[name=title]").fill("Entry log, November")
    form.locator("input[type=file]").set_input_files(big)
    posts: list[Request] = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    form.locator("button[type=submit]").click()

    expect(form.locator("[data-a8-filelist] .text-danger")).to_contain_text(
        f"larger than {limit_mb} MB"
    )
    expect(form.locator("input[type=file]")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("input[name=title]")).to_have_value("Entry log, November")
    assert page.url == f"{base}/evidence/upload"
    assert posts == []
