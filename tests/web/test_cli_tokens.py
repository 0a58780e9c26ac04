"""`article8 tokens`: an administrator sets up automation on the server, without the web page."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import func, select

from article8.core.models import ApiToken, AuditEvent
from article8.core.users import set_active
from tests.cli_runner import invoke
from tests.conftest import SYSTEM_ACTOR

JSON_KEYS = {"id", "user", "name", "prefix", "created", "last_used", "revoked"}


def token_events(session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def create(app, email: str, name: str) -> str:
    result = invoke(app, "tokens", "create", "--user", email, "--name", name)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_tokens_create_prints_a_token_once_that_the_api_accepts(app, client, session, make_user):
    user = make_user("inspector", email="ci@example.com")
    result = invoke(
        app, "tokens", "create", "--user", "CI@example.com", "--name", " nightly  upload"
    )
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert raw.startswith("a8_") and result.stdout == raw + "\n"  # the token alone, for scripts
    assert "cannot be shown again" in result.stderr and raw not in result.stderr
    (token,) = session.scalars(select(ApiToken)).all()
    # The web page's model and hashing: only the SHA-256 and a prefix are kept.
    assert (token.user_id, token.name) == (user.id, "nightly upload")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.prefix == raw[:12] and raw not in (token.token_hash, token.prefix)
    (event,) = token_events(session, "token.create")
    assert event.actor_label.startswith("cli:") and event.object_id == str(token.id)
    assert raw not in event.details
    response = client.get("/api/v1/evidence", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_tokens_create_refuses_what_it_cannot_do_and_creates_nothing(
    app, session, make_user, clock
):
    user = make_user("inspector", email="gone@example.com")
    set_active(session, SYSTEM_ACTOR, user, False, now=clock())
    session.commit()
    make_user("auditor", email="audit@example.com")
    refusals = [
        (
            ["--user", "nobody@example.com", "--name", "x"],
            "No account with the email nobody@example.com.",
        ),
        (["--user", "audit@example.com", "--name", "   "], "Give the token a name."),
        (["--user", "gone@example.com", "--name", "x"], "The account is deactivated."),
    ]
    for options, message in refusals:
        result = invoke(app, "tokens", "create", *options)
        assert result.exit_code == 1, result.output
        assert result.stdout == "" and result.stderr == f"article8: {message}\n"
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 0
    assert token_events(session, "token.create") == []


def test_tokens_list_shows_every_token_but_never_a_secret(app, client, session, make_user, clock):
    make_user("inspector", email="ci@example.com")
    make_user("responsible", email="cpo@example.com")
    first = create(app, "ci@example.com", "nightly upload")
    clock.advance(minutes=5)
    second = create(app, "cpo@example.com", "access logs")
    client.get("/api/v1/evidence", headers={"Authorization": f"Bearer {first}"})
    clock.advance(minutes=5)
    cpo_token = session.scalar(select(ApiToken).where(ApiToken.name == "access logs"))
    assert invoke(app, "tokens", "revoke", str(cpo_token.id)).exit_code == 0

    result = invoke(app, "tokens", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert all(set(row) == JSON_KEYS for row in rows)
    assert [(r["user"], r["name"]) for r in rows] == [
        ("cpo@example.com", "access logs"),
        ("ci@example.com", "nightly upload"),
    ]
    cpo, ci = rows
    assert cpo["revoked"] == "2026-11-24T10:10:00+09:00" and cpo["last_used"] is None
    assert ci["revoked"] is None and ci["last_used"] == "2026-11-24T10:05:00+09:00"
    assert ci["created"] == "2026-11-24T10:00:00+09:00" and ci["prefix"] == first[:12]
    for secret in (first, second, *session.scalars(select(ApiToken.token_hash))):
        assert secret not in result.stdout

    only_ci = json.loads(
        invoke(app, "tokens", "list", "--user", "ci@example.com", "--format", "json").stdout
    )
    assert [r["name"] for r in only_ci] == ["nightly upload"]
    text = invoke(app, "tokens", "list")
    assert text.exit_code == 0 and "access logs" in text.stdout and "revoked" in text.stdout
    assert first not in text.stdout and second not in text.stdout
    unknown = invoke(app, "tokens", "list", "--user", "nobody@example.com")
    assert unknown.exit_code == 1
    assert unknown.stderr == "article8: No account with the email nobody@example.com.\n"


def test_tokens_revoke_ends_a_token_once_and_names_an_unknown_id(app, client, session, make_user):
    make_user("inspector", email="ci@example.com")
    raw = create(app, "ci@example.com", "nightly upload")
    token = session.scalar(select(ApiToken))
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/evidence", headers=headers).status_code == 200

    result = invoke(app, "tokens", "revoke", str(token.id))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"revoked API token {token.id} (nightly upload) of ci@example.com\n"
    assert client.get("/api/v1/evidence", headers=headers).status_code == 401
    (event,) = token_events(session, "token.revoke")
    assert event.actor_label.startswith("cli:") and event.object_id == str(token.id)

    again = invoke(app, "tokens", "revoke", str(token.id))
    assert again.exit_code == 0 and "was already revoked" in again.stdout
    assert len(token_events(session, "token.revoke")) == 1

    for unknown in (str(token.id + 1000), "99999999999999999999"):
        result = invoke(app, "tokens", "revoke", unknown)
        assert result.exit_code == 1, result.output
        assert result.stderr == f"article8: No API token with id {unknown}.\n"
    assert invoke(app, "tokens", "revoke", "first").exit_code == 2  # not a number: usage
