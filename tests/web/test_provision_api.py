"""GET/POST /api/v1/provisions and GET /api/v1/provisions/{id} with each role's token."""

from __future__ import annotations

import pytest

from article8.core import tokens
from tests.conftest import SYSTEM_ACTOR

NIGHTLY = {
    "direction": "provision",
    "basis": "consent",
    "record_form": "bulk",
    "party_name": "提携先 株式会社パートナー",
    "individuals_description": "提携カード会員",
    "individuals_count": 1520,
    "data_items": "氏名、会員番号",
    "consent_evidence": "入会申込書の同意欄",
    "provided_on": "2026-04-01",
    "last_provided_on": "2026-11-23",
}


@pytest.fixture
def token_for(session, make_user, clock):
    def make(role):
        _, raw = tokens.create_token(session, SYSTEM_ACTOR, make_user(role), "script", now=clock())
        session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.mark.parametrize(
    ("role", "reads", "writes"),
    [
        ("admin", 200, 201),
        ("responsible", 200, 201),
        ("auditor", 200, 403),
        ("inspector", 403, 403),
    ],
)
def test_each_role_token_reads_and_records_as_its_role_allows(
    client, token_for, role, reads, writes
):
    headers = token_for(role)
    assert client.get("/api/v1/provisions", headers=headers).status_code == reads
    created = client.post("/api/v1/provisions", json=NIGHTLY, headers=headers)
    assert created.status_code == writes, created.get_json()


def test_a_nightly_export_pushes_its_bulk_record_and_reads_it_back(client, token_for):
    headers = token_for("responsible")
    created = client.post("/api/v1/provisions", json=NIGHTLY, headers=headers)
    assert created.status_code == 201, created.get_json()
    body = client.get(created.headers["Location"], headers=token_for("auditor")).get_json()
    assert body["direction"] == "provision"
    assert body["basis"] == "consent"
    assert body["record_form"] == "bulk"
    assert body["record_required"] is True
    assert body["retention_until"] == "2029-11-23"  # 3 years from the last provision
    listed = client.get("/api/v1/provisions?direction=provision", headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]


def test_an_exempt_basis_needs_no_record_and_has_no_retention(client, token_for):
    headers = token_for("admin")
    body = client.post(
        "/api/v1/provisions",
        json={"direction": "provision", "basis": "joint_use", "party_name": "グループ会社"},
        headers=headers,
    ).get_json()
    assert body["record_required"] is False
    assert body["record_form"] is None and body["retention_until"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"basis": "opt_out", "provided_on": None, "party_address": "東京都"}, "provided_on"),
        ({"foreign_country": "米国"}, "foreign_information"),
        ({"individuals_count": "many"}, "individuals_count"),
        ({"provided_on": "2026/04/01x"}, "provided_on"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_record_is_refused_naming_the_field(client, token_for, change, field):
    response = client.post(
        "/api/v1/provisions", json={**NIGHTLY, **change}, headers=token_for("admin")
    )
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert client.get("/api/v1/provisions", headers=token_for("admin")).get_json()["items"] == []


def test_the_document_describes_the_provision_operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(document["paths"]["/provisions"])
    assert "get" in document["paths"]["/provisions/{record_id}"]
    fields = document["components"]["schemas"]["Provision"]["properties"]
    assert {"direction", "basis", "record_form", "record_required", "retention_until"} <= set(
        fields
    )
