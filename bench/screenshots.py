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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import _Quiet, build  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from article8.cli import cli_actor  # noqa: E402
from article8.controls.incidents import record as incident_record  # noqa: E402
from article8.controls.incidents import services as incident_service  # noqa: E402
from article8.controls.incidents.models import Incident  # noqa: E402
from article8.core import schema  # noqa: E402
from article8.core.db import Database, make_engine  # noqa: E402
from article8.core.settings import Settings  # noqa: E402
from article8.core.users import PasswordPolicy  # noqa: E402
from article8.ops.demo import (  # noqa: E402
    DEMO_LOGINS,
    DEMO_POLICY_MATTERS,
    DEMO_POLICY_TEXT,
    assign_demo_owners,
    ensure_demo_policy,
    ensure_demo_users,
)
from article8.privacy.inquiries import services as inquiry_service  # noqa: E402
from article8.privacy.policies import services as policy_service  # noqa: E402
from article8.privacy.provisions import services as provision_service  # noqa: E402
from article8.privacy.requests import services as request_service  # noqa: E402
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
    "/requests/": r"^/requests/\d+$",
    "/inquiries/": r"^/inquiries/\d+$",
    "/provisions/": r"^/provisions/\d+$",
    "/policies/": r"^/policies/(\d+|diff)$",
}
EXTRA = [
    "/controls/coverage",
    "/evidence/upload",
    "/access/upload",
    "/register/import",
    "/incidents/report",
    "/requests/new",
    "/inquiries/new",
    "/provisions/new",
    "/provisions/import",
    "/policies/new",
    "/policies/diff?a=1&b=2",
]
# Parts of long pages below MAX_HEIGHT, each shot as the viewport around the element:
# page pattern -> selectors.
BELOW = {
    r"^/dashboard$": ["[data-testid=workbook-form]"],
    r"^/incidents/\d+$": [
        "[data-testid=report-items]",
        "[data-testid=notification]",
        "[data-testid=items-form]",
        "[data-testid=notification-form]",
    ],
}


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
            privacy_registers(session, settings, now)
        engine.dispose()
    engine = make_engine(url)
    with engine.connect() as conn:  # the incident with a leak-report record (the newest one)
        newest = conn.scalar(select(func.max(Incident.id)))
    engine.dispose()
    EXTRA.append(f"/incidents/{newest}")
    return settings


def privacy_registers(session: Session, settings: Settings, now: datetime) -> None:
    """Demo-like rows for the newer pages: an incident with its leak-report record, a request,
    an inquiry, provision records and a second privacy-policy version (so the diff shows)."""
    actor = cli_actor()
    tz = settings.timezone
    deadlines = request_service.Deadlines(tz=tz)
    ensure_demo_policy(session, actor, now=now)
    incident = incident_service.report_violation(
        session,
        actor,
        "委託先のメール誤送信による顧客情報の漏えい",
        "配送委託先の担当者が、顧客120名分の氏名・住所を記載したファイルを別の取引先に誤送信した。",
        now - timedelta(days=2),
        now=now,
        tz=tz,
    )
    incident_record.update_record(
        session,
        actor,
        incident,
        {
            "kinds": ["leak"],
            "certainty": "occurred",
            "media": "electronic",
            "personal_data": "yes",
            "individuals": 120,
            "entrustment": "entrusting",
            "items": {
                "summary": "配送委託先の担当者が顧客ファイルを誤送信した。",
                "data_items": "氏名、住所、電話番号",
                "cause": "宛先の確認手順が守られていなかった。",
            },
        },
        now=now,
        tz=tz,
    )
    request_service.receive(
        session,
        actor,
        request_service.RequestInput(
            kind="disclosure",
            channel="web_form",
            received_at=now - timedelta(days=3),
            requester_name="山田 太郎",
            requester_contact="taro@example.jp",
            data_concerned="会員情報および購入履歴",
            disclosure_method="electronic",
        ),
        now=now,
        deadlines=deadlines,
    )
    inquiry_service.receive(
        session,
        actor,
        kind="complaint",
        channel="phone",
        received_at=now - timedelta(days=1),
        subject="退会後もメールマガジンが届く",
        details="退会手続をしたが、その後もメールマガジンが届いているとの苦情。",
        contact="03-0000-0000",
        now=now,
        deadlines=deadlines,
    )
    provision_service.record_provision(
        session,
        actor,
        provision_service.ProvisionInput(
            direction="provision",
            basis="consent",
            record_form="per_provision",
            party_name="株式会社サンプル物流",
            individuals_description="2026年10月の通販購入者",
            individuals_count=120,
            individuals_list="山田 太郎\n佐藤花子\n",
            data_items="氏名、住所、電話番号",
            consent_evidence="注文画面の同意チェック（2026-10版）",
            provided_on=now.date() - timedelta(days=20),
        ),
        now=now,
        today=now.date(),
    )
    policy_service.register_version(
        session,
        actor,
        policy_service.PolicyInput(
            label="2026-10",
            text=DEMO_POLICY_TEXT.replace(
                "（4）技術的安全管理措置",
                "（4）人的安全管理措置\n（5）技術的安全管理措置\n（6）外的環境の把握",
            ),
            effective_on=now.date() - timedelta(days=30),
            approved_by="代表取締役",
            summary="安全管理措置に人的安全管理措置と外的環境の把握を追加",
            published_on=now.date() - timedelta(days=30),
            publication_method="当社ウェブサイトに掲載",
            matters=DEMO_POLICY_MATTERS,
        ),
        evidence_id=None,
        now=now,
    )


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
                        below = next((v for k, v in BELOW.items() if re.match(k, path)), [])
                        for n, selector in enumerate(below, 1):
                            if not page.locator(selector).count():
                                continue
                            page.locator(selector).scroll_into_view_if_needed()
                            name = f"{login.role}-{lang}-{width}-{slug(path)}-below{n}.png"
                            page.screenshot(path=str(out / name))
                            print(name, flush=True)
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
