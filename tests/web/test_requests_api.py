"""/api/v1/requests and /api/v1/inquiries with each role's token: a web form pushes a request and
reads back its due day, the 法39条 marker and the fee rule; a fee on a kind that may not be charged
is a 422 naming fee_yen; inspectors see only what is assigned to them; auditors read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from article8.core import tokens
from article8.privacy.requests import services as requests
from article8.privacy.requests.models import PrivacyRequest
from tests.conftest import SYSTEM_ACTOR

FORM = {
    "kind": "disclosure",
    "received_at": "2026-11-20T18:30:00+09:00",  # a Friday evening in Tokyo
    "channel": "web_form",
    "requester": {"name": "山田 花子", "contact": "hanako@example.jp"},
    "agent": {"kind": "legal_representative", "name": "山田 太郎"},
    "fee_yen": 1000,
}


@pytest.fixture
def token_for(session, make_user, clock):
    """A user of ``role`` with an API token: (user, Authorization headers)."""

    def make(role: str):
        user = make_user(role)
        _, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "form", now=clock())
        session.commit()
        return user, {"Authorization": f"Bearer {raw}"}

    return make


def count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(PrivacyRequest)) or 0


@pytest.mark.parametrize("role", ["responsible", "admin"])
def test_a_web_form_pushes_a_request_and_reads_its_deadlines(client, token_for, role):
    _, headers = token_for(role)
    created = client.post("/api/v1/requests", json=FORM, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert (body["due"], body["statutory_marker"]) == ("2026-12-04", "2026-12-04")
    assert body["fee_allowed"] is True and body["fee_yen"] == 1000
    assert body["state"] == "received" and body["agent"]["kind"] == "legal_representative"
    again = client.get(created.headers["Location"], headers=headers).get_json()
    assert again["id"] == body["id"] and again["due"] == "2026-12-04"


@pytest.mark.parametrize("kind", ["correction", "suspension", "provision_record_disclosure"])
def test_a_fee_on_a_kind_that_may_not_be_charged_is_422_naming_the_field(
    session, client, token_for, kind
):
    _, headers = token_for("responsible")
    before = count(session)
    refused = client.post("/api/v1/requests", json={**FORM, "kind": kind}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["field"] == "fee_yen" and "法38条" in refused.get_json()["error"]
    assert count(session) == before


def test_bad_input_is_422_naming_the_field(client, token_for):
    _, headers = token_for("admin")
    for body, field in [
        ({**FORM, "received_at": "2026-11-20"}, "received_at"),
        ({**FORM, "kind": "gossip"}, "kind"),
        ({**FORM, "requester": "x"}, "requester"),
        ({**FORM, "fee_yen": "1000"}, "fee_yen"),
        ({**FORM, "received_at": "2099-01-01T00:00:00+09:00"}, "received_at"),
    ]:
        answer = client.post("/api/v1/requests", json=body, headers=headers)
        assert answer.status_code == 422 and answer.get_json()["field"] == field, body


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_inspectors_and_auditors_may_not_record(client, token_for, role):
    _, headers = token_for(role)
    assert client.post("/api/v1/requests", json=FORM, headers=headers).status_code == 403
    assert client.post("/api/v1/inquiries", json={}, headers=headers).status_code == 403


def test_lists_filter_by_state_and_overdue_and_inspectors_see_only_theirs(
    session, client, token_for, clock
):
    _, manager = token_for("responsible")
    inspector, inspector_headers = token_for("inspector")
    _, auditor = token_for("auditor")
    old = client.post(
        "/api/v1/requests",
        json={**FORM, "received_at": "2026-10-01T10:00:00+09:00"},
        headers=manager,
    ).get_json()
    new = client.post("/api/v1/requests", json=FORM, headers=manager).get_json()
    found = session.get(PrivacyRequest, old["id"])
    requests.assign(session, SYSTEM_ACTOR, found, inspector, now=clock())
    session.commit()

    overdue = client.get("/api/v1/requests?overdue=true", headers=auditor).get_json()["items"]
    assert old["id"] in [r["id"] for r in overdue] and new["id"] not in [r["id"] for r in overdue]
    received = client.get("/api/v1/requests?state=received", headers=auditor).get_json()["items"]
    assert {old["id"], new["id"]} <= {r["id"] for r in received}
    assert client.get("/api/v1/requests?state=lost", headers=auditor).status_code == 400

    mine = client.get("/api/v1/requests", headers=inspector_headers).get_json()["items"]
    assert [r["id"] for r in mine] == [old["id"]]
    assert client.get(f"/api/v1/requests/{new['id']}", headers=inspector_headers).status_code == 403
    assert client.get(f"/api/v1/requests/{old['id']}", headers=inspector_headers).status_code == 200
    assert client.get("/api/v1/requests/999999", headers=auditor).status_code == 404


def test_inquiries_pushed_and_listed(client, token_for):
    _, manager = token_for("admin")
    _, auditor = token_for("auditor")
    _, inspector = token_for("inspector")
    created = client.post(
        "/api/v1/inquiries",
        json={
            "kind": "complaint",
            "received_at": "2026-11-20T10:00:00+09:00",
            "subject": "問合せ窓口に電話が繋がらない",
        },
        headers=manager,
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["due"] == "2026-11-30"  # 5 business days; 23 Nov is a holiday
    listed = client.get("/api/v1/inquiries?state=received", headers=auditor).get_json()["items"]
    assert created.get_json()["id"] in [i["id"] for i in listed]
    assert client.get("/api/v1/inquiries", headers=inspector).status_code == 403
    bad = client.post("/api/v1/inquiries", json={"kind": "complaint"}, headers=manager)
    assert bad.status_code == 422 and bad.get_json()["field"] == "received_at"


def test_the_openapi_document_describes_the_registers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"/requests", "/requests/{request_id}", "/inquiries"} <= set(document["paths"])
    assert document["paths"]["/requests"]["post"]["responses"]["422"]
    assert "statutory_marker" in document["components"]["schemas"]["Request"]["properties"]
