"""Uploads too large for the server are refused in the browser before anything is sent, and
the form keeps what was typed (the server's 413 stays the real check)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, Request, expect

from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

INSPECTOR = next(login for login in DEMO_LOGINS if login.role == "inspector")
RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")
MB = 1024 * 1024


def _too_large(path: Path, limit_mb: int) -> Path:
    with path.open("wb") as f:  # sparse: the browser reads only its size
        f.truncate((limit_mb + 1) * MB)
    return path


def _sign_in(page: Page, base: str, login: DemoLogin) -> None:
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _posts(page: Page) -> list[Request]:
    """The POST requests the page sends from now on."""
    posts: list[Request] = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    return posts


def test_too_large_a_file_is_refused_before_sending_and_the_form_is_kept(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    limit_mb = live_server.app.extensions["article8.settings"].max_upload_mb
    big = _too_large(tmp_path / "scan.pdf", limit_mb)

    _sign_in(page, base, INSPECTOR)
    page.goto(f"{base}/evidence/upload")
    form = page.locator("[data-testid=evidence-upload]")
    form.locator("input[name=title]").fill("Entry log, November")
    form.locator("input[type=file]").set_input_files(big)
    posts = _posts(page)
    form.locator("button[type=submit]").click()

    expect(form.locator("[data-a8-filelist] .text-danger")).to_contain_text(
        f"larger than {limit_mb} MB"
    )
    expect(form.locator("input[type=file]")).to_have_attribute("aria-invalid", "true")
    expect(form.locator("input[name=title]")).to_have_value("Entry log, November")
    assert page.url == f"{base}/evidence/upload"
    assert posts == []


def test_too_large_an_import_file_is_refused_before_sending(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    base = live_server.url
    limit_mb = live_server.app.extensions["article8.settings"].max_upload_mb
    _sign_in(page, base, RESPONSIBLE)
    for path, testid in (("/register/import", "register-import"), ("/access/upload", "log-upload")):
        page.goto(base + path)
        form = page.locator(f"[data-testid={testid}]")
        form.locator("input[type=file]").set_input_files(_too_large(tmp_path / "big.csv", limit_mb))
        posts = _posts(page)
        form.locator("button[type=submit]").click()
        expect(form.locator("[data-a8-filelist] .text-danger")).to_contain_text(
            f"Larger than {limit_mb} MB"
        )
        assert page.url == base + path
        assert posts == []
