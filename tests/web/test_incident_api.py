"""/api/v1/incidents: a help desk raises an incident, the responsible person's tools keep the
record, and GET shows reportability, the deadlines (local dates) and what blocks closing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from article8.core import tokens
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR

RECORD = {
    "aware_at": "2026-12-28T10:00:00+09:00",
    "triggers": {
        "sensitive": False,
        "financial": False,
        "unlawful_purpose": True,
        "over_1000": False,
    },
    "individuals": 120,
    "entrustment": "none",
    "kinds": ["leak"],
    "items": {"summary": "ECサイトの決済画面の改ざんによるカード情報の漏えいのおそれ"},
}


@pytest.fixture
def token_for(session, make_user, clock):
    def make(role: str):
        user = make_user(role)
        _, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "desk", now=clock())
        session.commit()
        return user, {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def at_new_year(clock):
    clock.current = datetime(2027, 1, 5, 0, 0, tzinfo=UTC)
    return clock


def raise_one(client, headers, **fields):
    body = {"title": "Card data may have leaked", "description": "Skimming script found."}
    return client.post("/api/v1/incidents", headers=headers, json={**body, **fields})


@pytest.mark.parametrize(
    ("role", "status"), [("inspector", 201), ("responsible", 201), ("admin", 201), ("auditor", 403)]
)
def test_any_role_but_auditor_raises_an_incident(client, token_for, at_new_year, role, status):
    _user, headers = token_for(role)
    response = raise_one(
        client,
        headers,
        aware_at="2026-12-28T10:00:00+09:00",
        occurred_at="2026-12-27T22:00:00+09:00",
    )
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 201:
        body = response.get_json()
        assert body["aware_at"] == "2026-12-28T10:00:00+09:00"
        assert body["occurred_at"] == "2026-12-27T22:00:00+09:00"
        assert (body["aware_confirmed"], body["reportable"], body["deadlines"]) == (
            False, False, None,
        )  # fmt: skip
        assert body["missing"] == ["aware_at", "assessment"]
        assert response.headers["Location"] == body["links"]["self"]


def test_the_responsible_person_keeps_the_record_and_gets_the_deadlines(
    client, token_for, at_new_year, session
):
    _desk, desk = token_for("inspector")
    _boss, boss = token_for("responsible")
    incident_id = raise_one(client, desk).get_json()["id"]
    response = client.patch(f"/api/v1/incidents/{incident_id}", headers=boss, json=RECORD)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = client.get(f"/api/v1/incidents/{incident_id}", headers=boss).get_json()
    assert body["reportable"] is True
    assert body["deadlines"] == {
        "preliminary_target": "2026-12-31",
        "preliminary": "2027-01-02",
        "final": "2027-02-26",  # (iii): 60 days
    }
    assert body["triggers"]["over_1000"] is False and body["individuals"] == 120
    assert body["items"]["summary"]["version"] == 1
    assert body["missing"] == ["preliminary_report", "final_report", "notification"]
    # Moving the awareness needs a reason, and is audited with before and after.
    moved = {"aware_at": "2026-12-26T10:00:00+09:00"}
    refused = client.patch(f"/api/v1/incidents/{incident_id}", headers=boss, json=moved)
    assert refused.status_code == 400 and refused.get_json()["field"] == "aware_reason"
    moved["aware_reason"] = "The call centre heard of it on the 26th."
    body = client.patch(f"/api/v1/incidents/{incident_id}", headers=boss, json=moved).get_json()
    assert body["deadlines"]["final"] == "2027-02-24"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.aware_at"))
    details = json.loads(event.details)
    assert details["before"]["final_due_on"] == "2027-02-26"
    assert details["reason"].startswith("The call centre")


def test_reports_notification_and_closing_answer_409_naming_what_is_missing(
    client, token_for, at_new_year
):
    _boss, boss = token_for("admin")
    incident_id = raise_one(client, boss).get_json()["id"]
    client.patch(f"/api/v1/incidents/{incident_id}", headers=boss, json=RECORD)
    url = f"/api/v1/incidents/{incident_id}"
    closing = client.post(f"{url}/close", headers=boss, json={"resolution": "Script removed"})
    assert closing.status_code == 409
    assert closing.get_json()["missing"] == ["preliminary_report", "final_report", "notification"]
    filed = client.post(
        f"{url}/reports",
        headers=boss,
        json={"kind": "preliminary", "reported_at": "2026-12-30", "destination": "ppc",
              "receipt_number": "R-0001"},
    )  # fmt: skip
    assert filed.status_code == 201, filed.get_data(as_text=True)
    client.post(f"{url}/reports", headers=boss, json={"kind": "final", "reported_at": "2027-01-04"})
    closing = client.post(f"{url}/close", headers=boss, json={"resolution": "Script removed"})
    assert closing.get_json()["missing"] == ["notification"]
    assert "notification" in closing.get_json()["error"]
    notified = client.post(
        f"{url}/notification",
        headers=boss,
        json={"way": "notified", "notified_on": "2027-01-04", "method": "E-mail",
              "content": "What leaked, what we did, whom to ask"},
    )  # fmt: skip
    assert notified.status_code == 200, notified.get_data(as_text=True)
    closed = client.post(f"{url}/close", headers=boss, json={"resolution": "Script removed"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    body = closed.get_json()
    assert [r["kind"] for r in body["reports"]] == ["preliminary", "final"]
    assert body["reports"][0]["receipt_number"] == "R-0001"


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_only_managers_change_the_record(client, token_for, at_new_year, role):
    _boss, boss = token_for("responsible")
    incident_id = raise_one(client, boss).get_json()["id"]
    _user, headers = token_for(role)
    url = f"/api/v1/incidents/{incident_id}"
    assert client.patch(url, headers=headers, json={"media": "paper"}).status_code == 403
    assert client.post(f"{url}/close", headers=headers, json={}).status_code == 403
    # An auditor reads every incident; an inspector only what they reported.
    expected = 200 if role == "auditor" else 403
    assert client.get(url, headers=headers).status_code == expected


def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(client, token_for, at_new_year):
    _boss, boss = token_for("responsible")
    incident_id = raise_one(client, boss).get_json()["id"]
    url = f"/api/v1/incidents/{incident_id}"
    for body, field in (
        ({"aware_at": "yesterday"}, "aware_at"),
        ({"individuals": "many"}, "individuals"),
        ({"media": "paper", "kinds": ["theft"]}, "kinds"),
    ):
        answer = client.patch(url, headers=boss, json=body)
        assert answer.status_code == 400 and answer.get_json()["field"] == field
    assert client.get(url, headers=boss).get_json()["media"] is None
    assert client.patch(url, headers=boss, data="[]").status_code == 400
    future = raise_one(client, boss, occurred_at="2027-02-01T00:00:00+09:00")
    assert future.status_code == 400 and future.get_json()["field"] == "occurred_at"
    assert client.get("/api/v1/incidents/999999", headers=boss).status_code == 404


def test_the_openapi_document_describes_the_incident_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"/incidents", "/incidents/{incident_id}", "/incidents/{incident_id}/close"} <= set(
        document["paths"]
    )
    incident = document["components"]["schemas"]["Incident"]["properties"]
    assert set(incident["deadlines"]["properties"]) == {
        "preliminary_target",
        "preliminary",
        "final",
    }
    assert "409" in document["paths"]["/incidents/{incident_id}/close"]["post"]["responses"]
