"""POST /api/v1/access-logs: a script delivers a log with a responsible person's or an
administrator's token; the same file twice is a no-op; a bad line is a 422 naming it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from article8.access.models import AccessBatch, AccessEvent
from article8.core import tokens
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import entry_log, system_log
from tests.support.evidence import multipart

DAY = "2026-11-24"
LOG = system_log(
    f"{DAY}T10:00:00+09:00,ghost,crm,view,5,,ok",
    f"{DAY}T23:00:00+09:00,ghost,crm,export,2000,,ok",
)


@pytest.fixture
def token_for(session, make_user, clock):
    """A user of ``role`` with an API token: (user, Authorization headers)."""

    def make(role: str):
        user = make_user(role)
        _, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "siem", now=clock())
        session.commit()
        return user, {"Authorization": f"Bearer {raw}"}

    return make


def send(client, headers, content: str | bytes | None, name="crm.csv", **fields):
    data = content.encode() if isinstance(content, str) else content
    files = [(data, name)] if data is not None else []
    flat = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    return client.post(
        "/api/v1/access-logs", headers=headers, **multipart(flat, files, name="file")
    )


def rows(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize("role", ["responsible", "admin"])
def test_a_manager_token_imports_a_log_and_gets_the_batch(session, client, token_for, role):
    user, headers = token_for(role)
    response = send(client, headers, LOG, kind="system")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["kind"], body["rows"], body["rejected"], body["duplicate"]) == (
        "system", 2, 0, False,
    )  # fmt: skip
    assert body["filename"] == "crm.csv" and len(body["sha256"]) == 64
    assert (body["first_date"], body["last_date"]) == (DAY, DAY)
    assert body["imported_by"] == user.email and body["imported_at"].endswith("+09:00")
    assert body["anomalies"]["bulk_export"] == 1 and body["anomalies"]["off_hours"] == 1
    batch = session.scalar(select(AccessBatch))
    assert batch.id == body["id"] and batch.imported_by_id == user.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "access.import"))
    assert json.loads(event.details)["file"] == "crm.csv"


def test_the_same_file_again_is_a_200_that_changes_nothing(session, client, token_for):
    _, headers = token_for("responsible")
    first = send(client, headers, LOG, kind="system").get_json()
    again = send(client, headers, LOG, name="copy.csv", kind="system")
    assert again.status_code == 200
    body = again.get_json()
    assert body["duplicate"] is True and body["id"] == first["id"]
    assert "already imported" in body["message"]
    assert rows(session, AccessBatch) == 1 and rows(session, AccessEvent) == 2


def test_a_bad_line_is_a_422_naming_line_and_column_and_stores_nothing(session, client, token_for):
    _, headers = token_for("responsible")
    bad = entry_log(
        f"{DAY}T09:00:00+09:00,B-1,lab,D1,in,granted",
        f"{DAY}T09:05:00+09:00,B-1,lab,D1,sideways,granted",
    )
    response = send(client, headers, bad, name="doors.csv", kind="entry")
    assert response.status_code == 422
    body = response.get_json()
    assert (body["file"], body["line"], body["column"]) == ("doors.csv", 3, "direction")
    assert (body["code"], body["expected"], body["found"]) == ("value", "in, out", "sideways")
    assert body["error"].startswith("doors.csv: line 3, column direction:")
    assert rows(session, AccessBatch) == 0 and rows(session, AccessEvent) == 0


def test_a_422_lists_every_bad_line_with_the_total(session, client, token_for):
    _, headers = token_for("responsible")
    bad = entry_log(
        f"{DAY}T09:00:00+09:00,B-1,lab,D1,sideways,granted",
        f"{DAY}T09:05:00+09:00,B-1,lab,D1,in,granted",
        f"{DAY}T09:10:00+09:00,B-1,lab,D1,in,maybe",
    )
    response = send(client, headers, bad, name="doors.csv", kind="entry")
    assert response.status_code == 422
    body = response.get_json()
    assert body["total"] == 2
    assert [(p["line"], p["column"], p["found"]) for p in body["problems"]] == [
        (2, "direction", "sideways"),
        (4, "result", "maybe"),
    ]
    assert body["problems"][1]["error"].startswith("doors.csv: line 4, column result:")
    assert rows(session, AccessBatch) == 0


def test_skip_invalid_and_a_column_map(session, client, token_for):
    _, headers = token_for("admin")
    log = "when,login,system,action,records,source_ip,result\n"
    log += f"{DAY}T10:00:00+09:00,ghost,crm,view,5,,ok\n{DAY}T10:01:00+09:00,ghost,crm,fly,5,,ok\n"
    response = send(
        client,
        headers,
        log,
        kind="system",
        skip_invalid="true",
        map=["when=timestamp", "login=user"],
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["rows"], body["rejected"]) == (1, 1)
    assert body["rejects"][0]["line"] == 3 and body["rejects"][0]["column"] == "action"


@pytest.mark.parametrize(
    ("fields", "content", "field"),
    [
        ({"kind": "system"}, None, "file"),
        ({"kind": "doors"}, LOG, "kind"),
        ({"kind": "system", "map": "when"}, LOG, "map"),
    ],
)
def test_a_bad_request_is_a_400_naming_the_field(client, token_for, fields, content, field):
    _, headers = token_for("responsible")
    response = send(client, headers, content, **fields)
    assert response.status_code == 400 and response.get_json()["field"] == field


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_inspectors_and_auditors_cannot_import_logs(session, client, token_for, role):
    _, headers = token_for(role)
    assert send(client, headers, LOG, kind="system").status_code == 403
    assert rows(session, AccessBatch) == 0


def test_a_session_cookie_is_not_enough(client, login_as):
    login_as("responsible")
    assert send(client, {}, LOG, kind="system").status_code == 401
