"""Administrators manage accounts; responsible people and auditors read the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from article8.core.models import AuditEvent, User
from tests.conftest import TEST_PASSWORD, csrf_token, sign_in


def test_admin_creates_a_user_who_can_then_sign_in(app, client, login_as, session):
    login_as("admin")
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Person@Example.com",
            "display_name": "新しい 人",
            "role": "inspector",
            "locale": "ja",
            "password": "a long enough pass",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    created = session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert created.role == "inspector" and created.locale == "ja"
    assert (
        sign_in(app.test_client(), "new.person@example.com", "a long enough pass").status_code
        == 302
    )


def test_a_weak_password_is_explained_on_the_form(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "p@example.com",
            "display_name": "P",
            "role": "auditor",
            "locale": "en",
            "password": "short",
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert "at least 12 characters" in response.get_data(as_text=True)


def test_admin_changes_role_deactivates_and_resets_password(
    app, client, login_as, make_user, session
):
    admin = login_as("admin")
    target = make_user("inspector")
    page = f"/admin/users/{target.id}"
    client.post(f"{page}/role", data={"role": "auditor", "csrf_token": csrf_token(client, page)})
    client.post(
        f"{page}/password",
        data={"password": "brand new password", "csrf_token": csrf_token(client, page)},
    )
    client.post(f"{page}/active", data={"csrf_token": csrf_token(client, page)})  # unchecked
    session.expire_all()
    changed = session.get(User, target.id)
    assert (changed.role, changed.active) == ("auditor", False)
    actions = list(
        session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_id == str(target.id), AuditEvent.actor_id == admin.id
            )
        )
    )
    assert actions == ["user.role_change", "user.password_reset", "user.deactivate"]
    assert sign_in(app.test_client(), target.email, "brand new password").status_code == 401


def test_a_user_changes_their_own_password_and_stays_signed_in(app, client, login_as):
    user = login_as("inspector")
    token = csrf_token(client, "/account/")
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not my password",
            "new_password": "another long password",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "The current password is wrong" in wrong.get_data(as_text=True)
    client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "another long password",
            "csrf_token": token,
        },
    )
    assert client.get("/account/").status_code == 200
    assert sign_in(app.test_client(), user.email, "another long password").status_code == 302


def test_language_choice_is_kept_on_the_account(client, login_as, session):
    user = login_as("auditor", locale="en")
    assert "My account" in client.get("/").get_data(as_text=True)
    client.post(
        "/language", data={"lang": "ja", "next": "/account/", "csrf_token": csrf_token(client, "/")}
    )
    session.expire_all()
    assert session.get(User, user.id).locale == "ja"
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)


def test_audit_trail_page_filters_and_links_to_object_history(client, login_as, make_user):
    login_as("auditor")
    target = make_user("inspector")
    page = client.get(f"/audit/?object_type=user&object_id={target.id}").get_data(as_text=True)
    assert "<code>user.create</code>" in page and target.email in page
    assert "<code>auth.login</code>" not in page
    page = client.get("/audit/?action=auth.login").get_data(as_text=True)
    assert "<code>auth.login</code>" in page and "<code>user.create</code>" not in page


def test_audit_trail_pages_through_older_events(client, login_as, session, clock):
    from article8.core import audit
    from tests.conftest import SYSTEM_ACTOR

    login_as("responsible")
    for i in range(120):
        audit.record(session, SYSTEM_ACTOR, "test.bulk", now=clock(), object_type="t", object_id=i)
    session.commit()
    first = client.get("/audit/?action=test.bulk").get_data(as_text=True)
    assert first.count("<code>test.bulk</code>") == 100
    assert "before=" in first
    import re

    older = re.search(r'href="(/audit/\?[^"]*before=\d+)"', first).group(1).replace("&amp;", "&")
    assert client.get(older).get_data(as_text=True).count("<code>test.bulk</code>") == 20


def test_verifying_the_chain_from_the_page_reports_and_is_recorded(client, login_as, session):
    login_as("auditor")
    response = client.post(
        "/audit/verify", data={"csrf_token": csrf_token(client, "/audit/")}, follow_redirects=True
    )
    assert "The audit trail is intact" in response.get_data(as_text=True)
    assert (
        session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == "audit.verify"
    )


def test_a_user_page_links_to_its_history(client, login_as, make_user):
    login_as("admin")
    target = make_user("auditor")
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert f"/audit/?object_type=user&amp;object_id={target.id}" in page
