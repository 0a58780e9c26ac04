"""Sign-in security: CSRF, throttling and lockout, cookies, headers, session lifetime."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from article8.core.models import AuditEvent
from tests.conftest import TEST_PASSWORD, csrf_token, sign_in

LOCKED = "Sign-in is locked for 15 minutes"
INVALID = "Invalid email or password"


def test_a_post_without_csrf_token_is_rejected(client, make_user):
    user = make_user("inspector")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_a_signed_in_post_without_csrf_token_is_rejected(client, login_as, session):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "new@example.com",
            "display_name": "New",
            "role": "auditor",
            "locale": "en",
            "password": TEST_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert client.get("/admin/users").get_data(as_text=True).count("new@example.com") == 0


def test_five_failures_lock_the_account_for_fifteen_minutes(client, make_user, clock, session):
    user = make_user("inspector")
    for attempt in range(1, 5):
        response = sign_in(client, user.email, "wrong password!!")
        assert response.status_code == 401 and INVALID in response.get_data(as_text=True), attempt
    response = sign_in(client, user.email, "wrong password!!")
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    # Locked: even the right password is refused, with the same message.
    clock.advance(minutes=14, seconds=59)
    response = sign_in(client, user.email)
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    clock.advance(seconds=1)
    assert sign_in(client, user.email).status_code == 302
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert actions.count("auth.login_failed") == 5
    assert "auth.lockout" in actions and "auth.login_refused_locked" in actions
    assert actions[-1] == "auth.login"


def test_an_unknown_account_is_throttled_with_the_same_messages(client):
    for _ in range(4):
        response = sign_in(client, "nobody@example.com", "wrong password!!")
        assert response.status_code == 401 and INVALID in response.get_data(as_text=True)
    response = sign_in(client, "nobody@example.com", "wrong password!!")
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)


def test_failures_spread_beyond_the_window_do_not_lock(client, make_user, clock):
    user = make_user("inspector")
    for _ in range(4):
        sign_in(client, user.email, "wrong password!!")
    clock.advance(minutes=16)
    for _ in range(4):
        assert sign_in(client, user.email, "wrong password!!").status_code == 401
    assert sign_in(client, user.email).status_code == 302


def test_five_failures_from_one_address_lock_that_address(client, make_user, app):
    victims = [make_user("inspector") for _ in range(5)]
    for victim in victims:
        sign_in(client, victim.email, "wrong password!!")
    other = make_user("auditor")
    response = sign_in(client, other.email)  # right password, but this address is locked
    assert response.status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert sign_in(elsewhere, other.email).status_code == 302


def test_session_cookie_is_httponly_lax_and_secure_over_https(app, make_user):
    user = make_user("inspector")
    plain = app.test_client()
    response = sign_in(plain, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "article8_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    tls = app.test_client()
    token = csrf_token_https(tls)
    response = tls.post(
        "/login",
        base_url="https://localhost",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # a browser-session cookie; the 8-hour limit is server-side


def csrf_token_https(client):
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    import re

    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_security_headers_are_sent(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_signed_in_pages_are_not_cached(client, login_as):
    login_as("auditor")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_a_session_expires_after_eight_hours(client, login_as, clock):
    login_as("inspector")
    clock.advance(hours=7, minutes=59)
    assert client.get("/").status_code == 200
    clock.advance(minutes=2)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_kills_copies_of_the_session_cookie(app, login_as, client):
    login_as("responsible")
    stolen = client.get_cookie("article8_session").value
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("article8_session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_sign_in_never_redirects_off_site(client, make_user, target):
    user = make_user("inspector")
    token = csrf_token(client, "/login")
    response = client.post(
        f"/login?next={target}",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(client, make_user):
    user = make_user("auditor")
    first = client.get("/audit/?action=auth.")
    assert first.status_code == 302
    login_url = first.headers["Location"]
    token = csrf_token(client, "/login")
    response = client.post(
        login_url, data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/audit/?action=auth."


def test_a_deactivated_user_cannot_sign_in_and_is_signed_out(client, login_as, session, clock):
    from article8.core import users
    from tests.conftest import SYSTEM_ACTOR

    user = login_as("inspector")
    users.set_active(session, SYSTEM_ACTOR, session.merge(user), False, now=clock())
    session.commit()
    assert client.get("/").status_code == 302
    assert sign_in(client, user.email).status_code == 401


def test_healthz_is_public_json(client, database, clock):
    from article8.core import lease

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": "ok",
        "evidence_dir": "ok",
        "scheduler_heartbeat_age_s": None,
    }
    lease.try_acquire(database, "scheduler-1", now=clock())
    clock.advance(seconds=42)
    assert client.get("/healthz").get_json()["scheduler_heartbeat_age_s"] == 42.0


def test_healthz_reports_an_unwritable_evidence_directory(client, settings):
    settings.evidence_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.evidence_dir.write_text("a file where the directory should be")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["evidence_dir"].startswith("error")
