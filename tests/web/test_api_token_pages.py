"""Every user's API tokens page: a token is shown once, listed by its prefix, and revocable by
its owner only."""

from __future__ import annotations

import re

from article8.core import tokens
from tests.conftest import SYSTEM_ACTOR, csrf_token


def test_a_token_is_shown_once_then_only_its_prefix(client, login_as, session):
    login_as("auditor")
    assert 'data-testid="api-tokens-link"' in client.get("/account/").get_data(as_text=True)
    token = csrf_token(client, "/account/tokens/")
    created = client.post("/account/tokens/", data={"csrf_token": token, "name": "nightly report"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    plaintext = re.search(r'data-testid="token-value">(a8_[\w-]+)<', created.get_data(True))[1]
    listed = client.get("/account/tokens/").get_data(as_text=True)
    assert plaintext not in listed and plaintext[:12] in listed and "nightly report" in listed
    assert plaintext not in str(client.get_cookie("article8_session").value)
    api = client.get("/api/v1/evidence", headers={"Authorization": f"Bearer {plaintext}"})
    assert api.status_code == 200


def test_a_user_revokes_their_token_and_cannot_touch_anyone_elses(
    client, login_as, make_user, session, clock
):
    me = login_as("inspector")
    mine, raw = tokens.create_token(session, SYSTEM_ACTOR, me, "ci", now=clock())
    theirs, _ = tokens.create_token(session, SYSTEM_ACTOR, make_user("admin"), "x", now=clock())
    session.commit()
    form = {"csrf_token": csrf_token(client, "/account/tokens/")}
    assert client.post(f"/account/tokens/{theirs.id}/revoke", data=form).status_code == 404
    assert client.post(f"/account/tokens/{mine.id}/revoke", data=form).status_code == 302
    session.expire_all()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert "Revoked" in client.get("/account/tokens/").get_data(as_text=True)
    api = client.get("/api/v1/evidence", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401
