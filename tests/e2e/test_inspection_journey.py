"""The inspection journey in a real browser: the inspector performs an inspection with one failed
question and submits it; the responsible person approves it; the finding appears and gets a
corrective action; nobody can approve an inspection they performed (page and service)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.core.users import find_by_email
from article8.ops.demo import DEMO_LOGINS, DemoLogin

if TYPE_CHECKING:
    from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

INSPECTOR = next(login for login in DEMO_LOGINS if login.role == "inspector")
RESPONSIBLE = next(login for login in DEMO_LOGINS if login.role == "responsible")
# The catalogue arrives on Tuesday 24 November 2026: November's monthly inspections are open.
LOADED = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
FAILED_COMMENT = "The export log for November is missing."


def _arrange(live_server: LiveServer) -> tuple[int, int]:
    """Catalogue and inspections; ORG-04 to the inspector; a second one the responsible person
    performed. Returns both inspections' ids."""
    database = live_server.app.extensions["article8.database"]
    with database.unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), Actor(None, "e2e"), now=LOADED)
        rules = ScheduleRules.from_settings(live_server.app.extensions["article8.settings"])
        run_schedule(session, rules, now=LOADED)
        inspector = find_by_email(session, INSPECTOR.email)
        responsible = find_by_email(session, RESPONSIBLE.email)
        assert inspector is not None and responsible is not None
        november = (
            select(Inspection)
            .join(Control)
            .where(Inspection.period_label == "2026-11")
            .order_by(Control.code)
        )
        org04 = session.scalar(november.where(Control.code == "ORG-04"))
        own = session.scalar(november.where(Control.code != "ORG-04"))
        assert org04 is not None and own is not None
        workflow.assign(session, Actor.for_user(responsible), org04, inspector, now=LOADED)
        workflow.start(session, Actor.for_user(responsible), own, now=LOADED)
        assert own.revision is not None
        given = {item.id: workflow.AnswerInput("pass") for item in own.revision.items}
        workflow.save_answers(session, Actor.for_user(responsible), own, given, now=LOADED)
        workflow.submit(session, Actor.for_user(responsible), own, now=LOADED)
        return org04.id, own.id


def _sign_in(page: Page, base: str, login: DemoLogin) -> None:
    page.goto(f"{base}/login")
    page.fill("main form input[name=email]", login.email)
    page.fill("main form input[name=password]", login.password)
    page.click("main form button[type=submit]")
    expect(page.locator("[data-testid=whoami]")).to_contain_text(login.name)
    # The demo accounts are Japanese; the journey reads the English pages.
    page.locator("[data-testid=language-switch] button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _sign_out(page: Page) -> None:
    page.locator('form[action="/logout"] button').click()
    expect(page).to_have_url(re.compile(r"/login(\?.*)?$"))


def test_an_inspection_is_performed_approved_and_its_finding_gets_an_action(
    page: Page, live_server: LiveServer
) -> None:
    base = live_server.url
    org04, own = _arrange(live_server)
    nav = page.locator("[data-testid=nav]")

    # The inspector finds ORG-04 among their inspections and answers it: one question fails.
    _sign_in(page, base, INSPECTOR)
    nav.get_by_role("link", name="My inspections", exact=True).click()
    expect(page.locator("h1")).to_have_text("My inspections")
    page.locator("tr[data-code=ORG-04]").get_by_role("link", name="View").click()
    expect(page.locator("[data-testid=inspection-title]")).to_contain_text("ORG-04")
    questions = page.locator("[data-testid=answer-form] fieldset")
    count = questions.count()
    assert count >= 2
    for n in range(count):
        question = questions.nth(n)
        if n == 0:
            question.get_by_label("Fail", exact=True).check()
            question.locator("textarea").fill(FAILED_COMMENT)
        else:
            question.get_by_label("Pass", exact=True).check()
    page.locator("[data-testid=submit]").click()
    expect(page.locator(".alert-success")).to_have_text(
        "The inspection has been submitted for review."
    )
    expect(page.locator("[data-testid=inspection-status]")).to_contain_text("Submitted")
    expect(page.locator("[data-testid=answer-form]")).to_have_count(0)
    expect(page.locator("[data-testid=approve-form]")).to_have_count(0)
    _sign_out(page)

    # The responsible person approves it from the review queue, grading the finding high.
    _sign_in(page, base, RESPONSIBLE)
    nav.get_by_role("link", name="Review", exact=True).click()
    row = page.locator("[data-testid=review-table] tr[data-code=ORG-04]")
    expect(row).to_contain_text(INSPECTOR.name)
    row.get_by_role("link", name="View").click()
    approve = page.locator("[data-testid=approve-form]")
    approve.locator("select[name=severity]").select_option("high")
    approve.get_by_role("button", name="Approve").click()
    expect(page.locator(".alert-success")).to_have_text(
        "The inspection has been approved; 1 finding was opened."
    )
    expect(page.locator("[data-testid=inspection-status]")).to_contain_text("Approved")

    # The finding is listed with its control; it gets a corrective action owned by the inspector.
    nav.get_by_role("link", name="Findings", exact=True).click()
    finding = page.locator("[data-testid=finding-table] tr[data-code=ORG-04]")
    expect(finding).to_contain_text("High")
    finding.get_by_role("link", name="ORG-04 2026-11, question 1").click()
    expect(page.locator("[data-testid=finding-description]")).to_have_text(FAILED_COMMENT)
    form = page.locator("[data-testid=add-action]")
    form.locator("textarea[name=description]").fill("Enable the export log on the file server.")
    form.locator("select[name=owner_id]").select_option(label=INSPECTOR.name)
    form.locator("input[name=due_on]").fill("2026-12-20")
    form.get_by_role("button", name="Add").click()
    expect(page.locator(".alert-success")).to_have_text("The corrective action has been added.")
    action = page.locator("[data-testid=action-table] tbody tr")
    expect(action).to_have_count(1)
    expect(action).to_contain_text(INSPECTOR.name)
    expect(action).to_contain_text("2026-12-20")

    # An inspection the responsible person performed: the page says why they cannot review
    # it, and a forged approval is refused by the service.
    page.goto(f"{base}/inspections/{own}")
    expect(page.locator("[data-testid=segregation-note]")).to_contain_text(
        "You performed this inspection"
    )
    expect(page.locator("[data-testid=approve-form]")).to_have_count(0)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(
        f"{base}/inspections/{own}/approve",
        form={"csrf_token": token or "", "severity": "low"},
        max_redirects=0,
    )
    assert forged.status == 403
    page.reload()
    expect(page.locator("[data-testid=inspection-status]")).to_contain_text("Submitted")
    _sign_out(page)

    # Back as the inspector: the approved inspection offers no review controls.
    _sign_in(page, base, INSPECTOR)
    page.goto(f"{base}/inspections/{org04}")
    expect(page.locator("[data-testid=inspection-status]")).to_contain_text("Approved")
    expect(page.locator("[data-testid=approved-by]")).to_contain_text(RESPONSIBLE.name)
    expect(page.locator("[data-testid=answers]")).to_contain_text(FAILED_COMMENT)
    expect(page.locator("[data-testid=review]")).to_have_count(0)
    expect(page.locator("[data-testid=approve-form]")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
