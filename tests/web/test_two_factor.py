"""Two-factor sign-in with TOTP: enrolment, sign-in, replay refusal, recovery codes."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.conftest import csrf_token, sign_in


def _code(secret: str, clock, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(clock().timestamp()) + 30 * offset_steps)


def enrol(client, clock) -> tuple[str, list[str]]:
    """Enrol through the pages; return the secret and the recovery codes shown once."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code is rendered on the server, inline
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    token = csrf_token(client, "/account/two-factor")
    wrong = client.post("/account/two-factor", data={"code": "000000", "csrf_token": token})
    assert "The code is not valid" in wrong.get_data(as_text=True)
    done = client.post(
        "/account/two-factor", data={"code": _code(secret, clock), "csrf_token": token}
    )
    codes = re.findall(
        r"<li>([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})</li>", done.get_data(as_text=True)
    )
    assert len(codes) == 10
    return secret, codes


def sign_out(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def second_factor(client, code):
    token = csrf_token(client, "/login/second-factor")
    return client.post("/login/second-factor", data={"code": code, "csrf_token": token})


def test_enrolment_then_sign_in_needs_the_code(client, login_as, clock):
    user = login_as("responsible")
    secret, _ = enrol(client, clock)
    sign_out(client)
    clock.advance(minutes=1)
    response = sign_in(client, user.email)
    assert response.headers["Location"] == "/login/second-factor"
    assert client.get("/").status_code == 302  # not signed in before the second factor
    assert second_factor(client, "123456").status_code == 401
    response = second_factor(client, _code(secret, clock))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_code_is_never_accepted_twice(client, login_as, clock):
    user = login_as("admin")
    secret, _ = enrol(client, clock)
    sign_out(client)
    clock.advance(minutes=1)
    code = _code(secret, clock)
    sign_in(client, user.email)
    assert second_factor(client, code).status_code == 302
    sign_out(client)
    clock.advance(seconds=5)  # same 30-second step: the same code again
    sign_in(client, user.email)
    response = second_factor(client, code)
    assert response.status_code == 401 and "The code is not valid" in response.get_data(
        as_text=True
    )
    # ...and the code of the step before the one used is a replay too.
    assert second_factor(client, _code(secret, clock, -1)).status_code == 401


def test_a_recovery_code_works_once(client, login_as, clock):
    user = login_as("inspector")
    _, codes = enrol(client, clock)
    sign_out(client)
    sign_in(client, user.email)
    response = second_factor(client, codes[0].lower().replace("-", " "))
    assert response.status_code == 302
    assert "9 codes are left" in client.get("/").get_data(as_text=True)
    sign_out(client)
    sign_in(client, user.email)
    assert second_factor(client, codes[0]).status_code == 401
    assert second_factor(client, codes[1]).status_code == 302


def test_wrong_codes_count_towards_the_lockout(client, login_as, clock):
    user = login_as("auditor")
    enrol(client, clock)
    sign_out(client)
    sign_in(client, user.email)
    statuses = [second_factor(client, "000000").status_code for _ in range(5)]
    assert statuses[:4] == [401] * 4 and statuses[4] == 302  # locked: back to the sign-in page
    assert sign_in(client, user.email).status_code == 429


def test_the_pending_second_factor_expires(client, login_as, clock):
    user = login_as("inspector")
    secret, _ = enrol(client, clock)
    sign_out(client)
    sign_in(client, user.email)
    token = csrf_token(client, "/login/second-factor")
    clock.advance(minutes=6)
    response = client.post(
        "/login/second-factor", data={"code": _code(secret, clock), "csrf_token": token}
    )
    assert "/login" in response.headers["Location"] and client.get("/").status_code == 302


@pytest.mark.parametrize("settings_env", [{"ARTICLE8_MFA_REQUIRED_ROLES": "admin,responsible"}])
def test_required_roles_must_enrol_before_anything_else(client, login_as, clock, settings_env):
    login_as("admin")
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    assert "Your role requires two-factor sign-in" in client.get("/account/two-factor").get_data(
        as_text=True
    )
    enrol(client, clock)
    assert client.get("/admin/users").status_code == 200


@pytest.mark.parametrize("settings_env", [{"ARTICLE8_MFA_REQUIRED_ROLES": "admin"}])
def test_roles_not_listed_are_not_forced(client, login_as, settings_env):
    login_as("auditor")
    assert client.get("/audit/").status_code == 200


def test_an_admin_can_reset_a_lost_second_factor(app, client, login_as, make_user, clock):
    user = login_as("inspector")
    enrol(client, clock)
    admin_client = app.test_client()
    admin_client.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    admin = make_user("admin")
    sign_in(admin_client, admin.email)
    token = csrf_token(admin_client, f"/admin/users/{user.id}")
    admin_client.post(f"/admin/users/{user.id}/two-factor/reset", data={"csrf_token": token})
    sign_out(client)
    assert sign_in(client, user.email).headers["Location"] == "/"
