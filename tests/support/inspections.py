"""Steps shared by the inspection and finding page tests: arrange data, post forms, read pages."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.core.audit import Actor
from tests.conftest import csrf_token

TODAY = date(2026, 11, 24)  # the clock's START in Tokyo
NOVEMBER_DUE = date(2026, 12, 10)  # the monthly November inspections' due date


def november(session, code: str = "ORG-04") -> Inspection:
    """The open November 2026 inspection of a monthly control."""
    session.expire_all()
    return session.scalar(
        select(Inspection)
        .join(Control)
        .where(Control.code == code, Inspection.period_label == "2026-11")
    )


def monthly_codes(session) -> list[str]:
    return sorted(session.scalars(select(Control.code).where(Control.frequency == "monthly")))


def answers(inspection, fail: int | None = None, comment: str = "") -> dict[str, str]:
    """Form data answering every question pass, except question ``fail``."""
    data = {}
    for item in inspection.control.current_revision.items:
        failed = item.position == fail
        data[f"answer-{item.id}"] = "fail" if failed else "pass"
        data[f"comment-{item.id}"] = comment if failed else ""
    return data


def post(client, path: str, data: dict[str, str] | None = None):
    """POST with the session's CSRF token, as the pages' forms do."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/")})


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def section(html: str, key: str) -> list[str]:
    """The control codes listed in one section of "My inspections"."""
    part = html.split(f'data-testid="section-{key}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<tr data-inspection="\d+" data-code="([A-Z]+-\d+)"', part)


def listed(client, path: str) -> list[str]:
    """The control codes of the inspections a list page shows, in order."""
    return re.findall(r'<tr data-inspection="\d+" data-code="([A-Z]+-\d+)"', page(client, path))


def performed(session, clock, user, code="ORG-04", fail=None, comment="Export log missing"):
    """Arrange: ``user`` answers and submits an inspection through the service."""
    inspection = november(session, code)
    workflow.start(session, Actor.for_user(user), inspection, now=clock())
    given = {
        i.id: workflow.AnswerInput(*(("fail", comment) if i.position == fail else ("pass", "")))
        for i in inspection.revision.items
    }
    workflow.save_answers(session, Actor.for_user(user), inspection, given, now=clock())
    workflow.submit(session, Actor.for_user(user), inspection, now=clock())
    session.commit()
    return inspection
