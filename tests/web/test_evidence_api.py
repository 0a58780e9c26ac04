"""The JSON API: scripts deliver and read evidence with per-user Bearer tokens; a browser's session
cookie is never enough; auditors read and download but cannot upload; everything is audited."""

from __future__ import annotations

import json

import pytest

from article8.core import tokens
from article8.core.users import set_active
from article8.evidence.blobstore import LocalBlobStore
from tests.conftest import SYSTEM_ACTOR
from tests.support.evidence import (
    HTML_AS_PDF,
    MB,
    PDF,
    add_item,
    events,
    items,
    multipart,
    objects,
)


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced and committed."""


@pytest.fixture
def store(settings) -> LocalBlobStore:
    """The app's evidence store."""
    return LocalBlobStore(settings.evidence_dir)


@pytest.fixture
def token_for(session, make_user, clock):
    """Create a user of ``role`` with an API token; return (user, Authorization headers)."""

    def make(role: str):
        user = make_user(role)
        _, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "script", now=clock())
        session.commit()
        return user, {"Authorization": f"Bearer {raw}"}

    return make


def post_evidence(client, headers, files=((PDF, "policy.pdf"),), **fields):
    fields.setdefault("controls", "ORG-04")
    flat = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    return client.post(
        "/api/v1/evidence", headers=headers, **multipart(flat, list(files), name="file")
    )


def test_a_script_uploads_evidence_and_gets_it_back(client, session, store, token_for, catalogue):
    user, headers = token_for("inspector")
    response = post_evidence(
        client,
        headers,
        controls=["ORG-04,PHY-02", "bp-01"],
        title="Access review",
        collected_on="2026-11-01",
        valid_until="2027-10-31",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/evidence/{body['id']}"
    assert body["controls"] == ["BP-01", "ORG-04", "PHY-02"]
    assert (body["title"], body["collected_on"], body["valid_until"]) == (
        "Access review",
        "2026-11-01",
        "2027-10-31",
    )
    assert body["uploaded_by"] == user.email and body["status"] == "current"
    (item,) = items(session)
    assert item.sha256 == body["sha256"] and item.uploaded_by_id == user.id

    listed = client.get("/api/v1/evidence?control=PHY-02", headers=headers).get_json()
    assert [i["id"] for i in listed["items"]] == [item.id]
    assert client.get("/api/v1/evidence?control=HUM-01", headers=headers).get_json()["items"] == []
    one = client.get(f"/api/v1/evidence/{item.id}", headers=headers).get_json()
    assert one["links"]["content"] == f"/api/v1/evidence/{item.id}/content"
    content = client.get(one["links"]["content"], headers=headers, buffered=True)
    assert content.get_data() == PDF and content.headers["Content-Type"] == "application/pdf"
    assert content.headers["Content-Disposition"] == "attachment; filename=policy.pdf"
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Cache-Control"] == "no-store"


def test_identical_content_is_stored_once_and_an_inspection_brings_its_control(
    client, session, store, token_for, catalogue
):
    _, headers = token_for("responsible")
    first = post_evidence(client, headers).get_json()
    second = post_evidence(client, headers, files=[(PDF, "again.pdf")], controls="BP-01")
    assert second.status_code == 201 and second.get_json()["sha256"] == first["sha256"]
    assert len(objects(store)) == 1 and len(items(session)) == 2
    newer = post_evidence(
        client, headers, files=[(PDF + b"%v2\n", "policy.pdf")], replaces_id=str(first["id"])
    )
    assert newer.get_json()["version"] == 2
    assert client.get(f"/api/v1/evidence/{first['id']}", headers=headers).get_json()["status"] == (
        "superseded"
    )


def test_a_pdf_that_is_really_html_is_refused_and_nothing_is_stored(
    client, session, store, token_for, catalogue
):
    _, headers = token_for("inspector")
    response = post_evidence(client, headers, files=[(HTML_AS_PDF, "report.pdf")])
    assert response.status_code == 400
    assert response.get_json() == {
        "error": "The file's content does not match its extension (expected PDF).",
        "field": "file",
    }
    assert items(session) == [] and objects(store) == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"controls": "NOPE-01"}, "controls", "No control with code NOPE-01."),
        ({"controls": ""}, "controls", "Link the evidence to at least one control."),
        ({"collected_on": "yesterday"}, "collected_on", "is not a date"),
        ({"inspection_id": "x1"}, "inspection_id", "is not a number"),
    ],
)
def test_bad_fields_are_named(client, session, token_for, catalogue, fields, field, message):
    _, headers = token_for("inspector")
    response = post_evidence(client, headers, **fields)
    assert response.status_code == 400
    assert response.get_json()["field"] == field and message in response.get_json()["error"]
    missing = client.post("/api/v1/evidence", headers=headers, **multipart({}, []))
    assert missing.status_code == 400 and missing.get_json()["field"] == "file"
    assert items(session) == []


@pytest.mark.parametrize("settings_env", [{"MAX_UPLOAD_MB": "1"}])
def test_an_oversize_upload_gets_413(client, session, store, token_for, catalogue):
    _, headers = token_for("inspector")
    response = post_evidence(client, headers, files=[(PDF + b"0" * (2 * MB), "big.pdf")])
    assert response.status_code == 413
    assert "larger than the maximum of 1 MB" in response.get_json()["error"]
    assert items(session) == [] and objects(store) == []


# --- authentication and roles ------------------------------------------------------------------


def _refused(response) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error" in response.get_json()


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a8_wrong", "Token a8_x"],
)
def test_a_missing_or_wrong_token_gets_401(client, session, token_for, catalogue, authorization):
    token_for("admin")
    headers = {"Authorization": authorization} if authorization is not None else {}
    for method, url in (("GET", "/api/v1/evidence"), ("POST", "/api/v1/evidence")):
        _refused(client.open(url, method=method, headers=headers))
    assert items(session) == []


def test_a_revoked_token_or_a_deactivated_user_gets_401(client, session, token_for, clock):
    user, headers = token_for("inspector")
    assert client.get("/api/v1/evidence", headers=headers).status_code == 200
    set_active(session, SYSTEM_ACTOR, user, False, now=clock())
    session.commit()
    _refused(client.get("/api/v1/evidence", headers=headers))
    set_active(session, SYSTEM_ACTOR, user, True, now=clock())
    (token,) = tokens.list_tokens(session, user)
    tokens.revoke(session, SYSTEM_ACTOR, token, now=clock())
    session.commit()
    response = client.get("/api/v1/evidence", headers=headers)
    _refused(response)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_session_cookie_without_a_token_gets_401(client, login_as, session, catalogue):
    login_as("admin")
    assert client.get("/evidence/").status_code == 200  # the cookie works for the pages
    _refused(client.get("/api/v1/evidence"))
    _refused(
        client.post(
            "/api/v1/evidence", **multipart({"controls": "ORG-04"}, [(PDF, "a.pdf")], name="file")
        )
    )
    assert items(session) == []


def test_auditors_read_and_download_but_cannot_upload(
    client, session, store, clock, token_for, catalogue
):
    item = add_item(session, store, clock)
    auditor, headers = token_for("auditor")
    refused = post_evidence(client, headers)
    assert refused.status_code == 403 and len(items(session)) == 1
    assert client.get("/api/v1/evidence", headers=headers).get_json()["items"][0]["id"] == item.id
    assert client.get(f"/api/v1/evidence/{item.id}", headers=headers).status_code == 200
    download = client.get(
        f"/api/v1/evidence/{item.id}/content",
        headers=headers,
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
        buffered=True,
    )
    assert download.status_code == 200 and download.get_data() == PDF
    (view,) = events(session, "evidence.view", item.id)
    (recorded,) = events(session, "evidence.download", item.id)
    assert (view.actor_id, view.actor_label) == (auditor.id, auditor.email)
    assert (recorded.actor_id, recorded.client_addr) == (auditor.id, "198.51.100.9")


def test_unknown_evidence_is_a_json_404(client, token_for):
    _, headers = token_for("auditor")
    response = client.get("/api/v1/evidence/4242/content", headers=headers)
    assert response.status_code == 404 and response.get_json() == {"error": "No such evidence."}


def test_the_token_list_shows_when_a_token_was_last_used(client, session, token_for, clock):
    user, headers = token_for("auditor")
    clock.advance(hours=2)
    client.get("/api/v1/evidence", headers=headers)
    session.expire_all()
    (token,) = tokens.list_tokens(session, user)
    assert token.last_used_at == clock()


# --- the description -------------------------------------------------------------------------


def test_the_openapi_document_parses_and_describes_every_endpoint(app, client):
    response = client.get("/api/v1/openapi.json")  # no token needed
    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert set(document["paths"]) == {
        "/evidence",
        "/evidence/{item_id}",
        "/evidence/{item_id}/content",
        "/access-logs",
        "/exports/package",  # issue 14
        "/openapi.json",
        "/provisions",  # issue 17
        "/provisions/{record_id}",  # issue 17
        # issue 15
        "/incidents",
        "/incidents/{incident_id}",
        "/incidents/{incident_id}/reports",
        "/incidents/{incident_id}/notification",
        "/incidents/{incident_id}/close",
        # issue 16
        "/requests",
        "/requests/{request_id}",
        "/inquiries",
    }
    assert set(document["paths"]["/evidence"]) == {"get", "post"}
    assert set(document["paths"]["/provisions/{record_id}"]) == {"get", "patch"}  # issue 17
    served = {
        rule.rule.removeprefix("/api/v1")
        .replace("<id:item_id>", "{item_id}")
        .replace("<id:record_id>", "{record_id}")
        .replace("<id:incident_id>", "{incident_id}")  # issue 15
        .replace("<id:request_id>", "{request_id}")  # issue 16
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert served == set(document["paths"])
    for path in document["paths"].values():
        for operation in path.values():
            for ref in json.dumps(operation).split('"$ref": "')[1:]:
                name = ref.split('"')[0].removeprefix("#/components/schemas/")
                assert name in document["components"]["schemas"]
