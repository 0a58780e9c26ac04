"""The leak-report record on the incident page: the responsible person confirms the awareness,
keeps the facts and the report items (versions kept), records the reports and the notification,
generates the report document (kept as evidence on ORG-07), and closes; bad input is a 400 with
the message on the field and changes nothing."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from article8.controls.incidents.models import Incident
from article8.evidence.leak_reports.models import LeakReportDocument
from tests.support.inspections import page, post

REPORT = {
    "title": "Order list e-mailed to the wrong customer",
    "description": "An export of 120 orders went to another customer.",
    "aware_at": "2026-11-23T18:00",
    "control": "",
}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def incident(session, signed_in, synced_catalogue):
    reporter, _ = signed_in("inspector")
    assert post(reporter, "/incidents/report", REPORT).status_code == 302
    return session.scalar(select(Incident))


@pytest.fixture
def boss(signed_in):
    client, _user = signed_in("responsible", locale="en")
    return client


def test_the_responsible_person_keeps_the_record_and_closes(session, incident, boss, clock):
    path = f"/incidents/{incident.id}"
    shown = html.unescape(page(boss, path))
    assert "As reported; not yet confirmed" in shown and 'data-missing="aware_at"' in shown
    record = {
        "aware_at": "2026-11-23T18:00",
        "occurred_at": "2026-11-23T17:40",
        "kinds": ["leak"],
        "certainty": "occurred",
        "media": "electronic",
        "personal_data": "yes",
        "individuals": "120",
        "entrustment": "none",
    }
    assert post(boss, f"{path}/record", record).status_code == 302
    answers = {"sensitive": "no", "financial": "no", "unlawful": "no"}
    assert post(boss, f"{path}/assess", answers).status_code == 302  # (iv) from the count
    session.expire_all()
    current = session.get(Incident, incident.id)
    assert current.aware_confirmed_at is not None and current.over_1000_people is False
    assert not current.reportable and current.final_due_on is None
    # Moving the awareness without a reason: refused on the field, nothing changed.
    moved = {**record, "aware_at": "2026-11-22T09:00"}
    refused = post(boss, f"{path}/record", moved)
    assert refused.status_code == 400 and "Say why the time the company became aware" in text(
        refused
    )
    items = {"summary": "誤送信", "cause": "宛先の選択誤り"}
    assert post(boss, f"{path}/items", items).status_code == 302
    assert post(boss, f"{path}/items", {**items, "summary": "注文一覧の誤送信"}).status_code == 302
    shown = html.unescape(page(boss, path))
    assert "注文一覧の誤送信" in shown and "(version 2)" in shown
    # A voluntary report needs its reason.
    voluntary = {"kind": "combined", "reported_on": "2026-11-24", "destination": "ppc"}
    refused = post(boss, f"{path}/ppc-report", voluntary)
    assert refused.status_code == 400 and "reported voluntarily" in text(refused)
    voluntary["voluntary_reason"] = "The customer asked us to."
    assert post(boss, f"{path}/ppc-report", voluntary).status_code == 302
    assert post(boss, f"{path}/document").status_code == 302
    doc = session.scalar(select(LeakReportDocument))
    assert doc.version == 1 and len(doc.sha256) == 64
    shown = html.unescape(page(boss, path))
    assert 'data-document="1"' in shown and doc.sha256 in shown
    closed = post(boss, f"{path}/status", {"status": "closed", "resolution": "Mail recalled"})
    assert closed.status_code == 302


def test_a_reportable_incident_shows_its_deadlines_and_days_left(session, incident, boss, clock):
    path = f"/incidents/{incident.id}"
    post(boss, f"{path}/record", {"aware_at": "2026-11-23T18:00", "individuals": "1500",
                                  "entrustment": "none"})  # fmt: skip
    post(boss, f"{path}/assess", {"sensitive": "no", "financial": "yes", "unlawful": "no"})
    shown = html.unescape(page(boss, path))
    # Aware on Monday 23 November: day 3 is the 26th, day 5 the 28th (a Saturday), day 30 23 Dec.
    assert "Preliminary report: aim for 2026-11-26" in shown
    assert "2026-11-28" in shown and "2026-12-23" in shown
    assert 'data-days-left="4"' in shown  # today is 24 November
    listed = html.unescape(page(boss, "/incidents/"))
    assert "4 days left" in listed
    assert 'data-days-left="4"' in html.unescape(page(boss, "/dashboard"))


def test_the_notification_form_needs_what_its_way_requires(incident, boss):
    path = f"/incidents/{incident.id}"
    refused = post(boss, f"{path}/notification", {"way": "notified", "notified_on": "2026-11-24"})
    assert refused.status_code == 400 and "Say how the individuals were notified." in text(refused)
    ok = {"way": "notified", "notified_on": "2026-11-24", "method": "E-mail", "content": "Sorry"}
    assert post(boss, f"{path}/notification", ok).status_code == 302


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_others_cannot_change_the_record(incident, signed_in, role):
    client, _ = signed_in(role)
    for action in ("record", "items", "notification", "document"):
        assert post(client, f"/incidents/{incident.id}/{action}", {}).status_code == 403
