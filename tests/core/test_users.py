"""Accounts: Argon2id hashes, the password policy, roles, and every change in the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from article8.core import users
from article8.core.audit import Actor
from article8.core.errors import ValidationError
from article8.core.models import AuditEvent, User
from article8.core.users import PasswordPolicy
from tests.conftest import SYSTEM_ACTOR, TEST_PASSWORD


def test_passwords_are_stored_as_argon2id_hashes(session, make_user):
    user = make_user("inspector")
    stored = session.execute(
        text("SELECT password_hash FROM user_account WHERE id = :id"), {"id": user.id}
    ).scalar_one()
    assert stored.startswith("$argon2id$v=19$")
    assert TEST_PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "at least 12"),
        ("someone@example.com", "not be your email"),
        ("SOMEONE@example.com ", "not be your email"),
    ],
)
def test_password_policy_rejects_weak_passwords(session, policy, clock, password, message):
    with pytest.raises(ValidationError, match=message) as caught:
        users.create_user(
            session,
            SYSTEM_ACTOR,
            email="someone@example.com",
            display_name="S",
            role="inspector",
            password=password,
            policy=policy,
            now=clock(),
        )
    assert caught.value.field == "password"


def test_email_is_unique_regardless_of_case(session, make_user, policy, clock):
    make_user("auditor", email="Audit@Example.com")
    with pytest.raises(ValidationError, match="already exists"):
        users.create_user(
            session,
            SYSTEM_ACTOR,
            email="audit@example.COM ",
            display_name="A",
            role="auditor",
            password=TEST_PASSWORD,
            policy=policy,
            now=clock(),
        )


def test_unknown_role_is_refused(session, policy, clock):
    with pytest.raises(ValidationError, match="Unknown role"):
        users.create_user(
            session,
            SYSTEM_ACTOR,
            email="x@example.com",
            display_name="X",
            role="superuser",
            password=TEST_PASSWORD,
            policy=policy,
            now=clock(),
        )


def test_login_rehashes_when_the_hash_parameters_change(session, make_user):
    user = make_user("inspector")
    old_hash = user.password_hash
    stronger = PasswordPolicy(time_cost=2, memory_kib=9216, parallelism=1)
    assert users.password_matches(user, TEST_PASSWORD, stronger)
    assert user.password_hash != old_hash
    assert "m=9216,t=2,p=1" in user.password_hash
    assert not users.password_matches(user, "wrong password!", stronger)


def test_admin_changes_are_recorded_with_before_and_after(session, make_user, clock):
    admin = make_user("admin")
    target = make_user("inspector")
    actor = Actor(admin.id, admin.email)
    users.change_role(session, actor, target, "auditor", now=clock())
    users.set_active(session, actor, target, False, now=clock())
    session.flush()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == str(target.id)).order_by(AuditEvent.seq)
    ).all()
    assert [e.action for e in events] == ["user.create", "user.role_change", "user.deactivate"]
    assert '"before":"inspector"' in events[1].details and '"after":"auditor"' in events[1].details
    assert events[1].actor_id == admin.id


def test_an_admin_cannot_deactivate_themselves(session, make_user, clock):
    admin = make_user("admin")
    with pytest.raises(ValidationError, match="own account"):
        users.set_active(session, Actor(admin.id, admin.email), admin, False, now=clock())
    assert session.get(User, admin.id).active
