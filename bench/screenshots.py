"""Screenshots of every page, for looking at (never part of the test run).

Builds the dashboard benchmark's data set (small access log) plus the demo users in a work
directory, serves the application, and with Debian's Chromium saves, for each role, every page
of the navigation plus one detail page per list, in Japanese and English, at 1366 and 390 px:
``<out>/<role>-<lang>-<width>-<page>.png`` (the page's first 1500 px). Prints one line per
screenshot with the page's horizontal overflow, if any.

Usage: python bench/screenshots.py [--out DIR] [--roles admin,inspector] [--keep DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import _Quiet, build  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from article8.cli import cli_actor  # noqa: E402
from article8.core import schema  # noqa: E402
from article8.core.db import Database, make_engine  # noqa: E402
from article8.core.settings import Settings  # noqa: E402
from article8.core.users import PasswordPolicy  # noqa: E402
from article8.ops.demo import DEMO_LOGINS, assign_demo_owners, ensure_demo_users  # noqa: E402
from article8.web import create_app  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {1366: 768, 390: 844}
MAX_HEIGHT = 1500  # the top of very long pages is enough to look at
# One detail page per list: the first link in the list's table that matches.
DETAILS = {
    "/inspections/": r"^/inspections/\d+$",
    "/findings/": r"^/findings/\d+$",
    "/controls/": r"^/controls/[A-Z]+-\d+$",
    "/evidence/": r"^/evidence/\d+$",
    "/register/": r"^/register/\d+$",
    "/access/anomalies/": r"^/access/anomalies/\d+$",
    "/incidents/": r"^/incidents/\d+$",
    "/admin/users": r"^/admin/users/\d+$",
}
EXTRA = ["/controls/coverage", "/evidence/upload", "/access/upload", "/register/import"]


def prepare(work: Path) -> Settings:
    """The data set and demo users, built once per work directory."""
    url = f"sqlite:///{work / 'screens.db'}"
    settings = Settings.from_env(
        {"DATABASE_URL": url, "ARTICLE8_INSTANCE_DIR": str(work / "instance"), "SECRET_KEY": "x"}
    )
    if not (work / "screens.db").exists():
        engine = make_engine(url)
        schema.upgrade(engine)
        now = datetime.now(UTC)
        database = Database(engine)
        build(database, settings, now, 2_000)
        with database.unit_of_work() as session:
            ensure_demo_users(
                session, cli_actor(), policy=PasswordPolicy.from_settings(settings), now=now
            )
            assign_demo_owners(session, cli_actor(), now=now)
        engine.dispose()
    return settings


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in through the form."""
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", email)
    page.fill("main form input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=nav]", state="attached")


def pages_for(page: Page, base: str) -> list[str]:
    """The role's navigation, then one detail page per list and the extra pages it may open."""
    nav = page.eval_on_selector_all(
        "[data-testid=nav] a", "links => links.map(a => a.getAttribute('href'))"
    )
    paths = list(nav)
    for path in nav:
        pattern = DETAILS.get(path)
        if pattern is None:
            continue
        page.goto(base + path)
        hrefs = page.eval_on_selector_all(
            "main a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        found = next((h for h in hrefs if re.match(pattern, h.split("?")[0])), None)
        if found:
            paths.append(found.split("?")[0])
    for path in EXTRA:
        response = page.goto(base + path)
        if response is not None and response.status == 200:
            paths.append(path)
    return paths


def slug(path: str) -> str:
    """A file-name part for a path."""
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def shoot(base: str, out: Path, roles: list[str]) -> None:
    """Every page of every chosen role, in both languages, at both widths."""
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for login in DEMO_LOGINS:
            if login.role not in roles:
                continue
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            sign_in(page, base, login.email, login.password)
            paths = pages_for(page, base)
            for lang in ("ja", "en"):
                page.goto(f"{base}/")
                page.click(f"[data-testid=language-switch] button[value={lang}]")
                for width, height in WIDTHS.items():
                    page.set_viewport_size({"width": width, "height": height})
                    for path in paths:
                        page.goto(base + path)
                        name = f"{login.role}-{lang}-{width}-{slug(path)}.png"
                        tall = page.evaluate("document.documentElement.scrollHeight")
                        clip = {"x": 0, "y": 0, "width": width, "height": min(tall, MAX_HEIGHT)}
                        page.screenshot(path=str(out / name), full_page=True, clip=clip)
                        over = page.evaluate(
                            "document.documentElement.scrollWidth - window.innerWidth"
                        )
                        print(f"{name}{f'  OVERFLOW {over}px' if over > 0 else ''}", flush=True)
                    if width == 390:
                        page.goto(f"{base}/")
                        page.click("[data-testid=menu] > summary")
                        name = f"{login.role}-{lang}-{width}-menu-open.png"
                        page.screenshot(path=str(out / name))
                        print(name, flush=True)
            context.close()
        browser.close()


def main() -> None:
    """Build, serve, shoot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "test-results" / "screenshots")
    parser.add_argument("--roles", default="admin,responsible,inspector,auditor")
    parser.add_argument("--keep", type=Path, default=None, help="Work in DIR and keep it.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="article8-screens-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        app = create_app(prepare(work))
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            shoot(f"http://127.0.0.1:{server.server_port}", args.out, args.roles.split(","))
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
