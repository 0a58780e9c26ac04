"""Fixtures for end-to-end tests: Debian's Chromium driven by Playwright against a live server.

The browser is never downloaded: the tests use ``/usr/bin/chromium`` and are skipped when it
(or the ``playwright`` package) is missing, unless ``ARTICLE8_REQUIRE_E2E`` is set, in which
case they fail instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from article8.cli import cli_actor
from article8.core.users import PasswordPolicy
from article8.ops.demo import ensure_demo_users
from article8.web import create_app
from tests.conftest import settings_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the environment demands that end-to-end tests run."""
    if os.environ.get("ARTICLE8_REQUIRE_E2E"):
        pytest.fail(f"ARTICLE8_REQUIRE_E2E is set but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package cannot be imported")
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (its own cookies) and page per test, in US English."""
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


class _QuietHandler(WSGIRequestHandler):
    """Keep the request log out of the test output."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass(frozen=True)
class LiveServer:
    """A running application: its base URL and the app object."""

    url: str
    app: Flask


@pytest.fixture
def live_server(fresh_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The app on a real HTTP port, over a database of its own holding the demo users."""
    settings = settings_for(fresh_database_url, tmp_path / "instance")
    app = create_app(settings)
    database = app.extensions["article8.database"]
    with database.unit_of_work() as session:
        ensure_demo_users(
            session,
            cli_actor(),
            policy=PasswordPolicy.from_settings(settings),
            now=datetime.now(UTC),
        )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        database.bind.dispose()
