"""User accounts: creation, roles, passwords (Argon2id) and preferences."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, ValidationError
from article8.core.models import User
from article8.core.settings import LOCALES, ROLES, Settings

MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class PasswordPolicy:
    """Argon2id parameters; the defaults exceed OWASP's minimum (m=19 MiB, t=2, p=1)."""

    time_cost: int = 3
    memory_kib: int = 65536
    parallelism: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordPolicy:
        """The policy configured for this installation."""
        return cls(
            settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
        )

    def hasher(self) -> PasswordHasher:
        """An Argon2id hasher with these parameters."""
        return PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_kib,
            parallelism=self.parallelism,
            type=Type.ID,
        )


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def check_password_rules(password: str, email: str) -> None:
    """Raise :class:`ValidationError` unless ``password`` meets the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            N_("The password must be at least %(length)d characters long."),
            field="password",
            length=MIN_PASSWORD_LENGTH,
        )
    lowered = password.strip().lower()
    if lowered == normalise_email(email) or lowered == normalise_email(email).split("@")[0]:
        raise ValidationError(N_("The password must not be your email address."), field="password")


def hash_password(password: str, policy: PasswordPolicy) -> str:
    """An Argon2id hash of ``password``."""
    return policy.hasher().hash(password)


def password_matches(user: User, password: str, policy: PasswordPolicy) -> bool:
    """Check ``password``; rehash it in place when the policy's parameters changed."""
    hasher = policy.hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    role: str,
    password: str,
    policy: PasswordPolicy,
    now: datetime,
    locale: str = "ja",
) -> User:
    """Create an active account after checking the role, locale, email and password rules."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise ValidationError(N_("Enter a valid email address."), field="email")
    if not display_name.strip():
        raise ValidationError(N_("Enter a display name."), field="display_name")
    _check_role(role)
    _check_locale(locale)
    check_password_rules(password, email)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise ValidationError(N_("An account with this email already exists."), field="email")
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        locale=locale,
        active=True,
        password_hash=hash_password(password, policy),
        password_changed_at=now,
        session_token=secrets.token_hex(16),
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        now=now,
        object_type="user",
        object_id=user.id,
        details={"email": email, "role": role, "display_name": user.display_name},
    )
    return user


def get_user(session: Session, user_id: int) -> User:
    """The user with ``user_id``; :class:`NotFound` otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("No such user."))
    return user


def find_by_email(session: Session, email: str) -> User | None:
    """The user with ``email`` (case-insensitive), if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def list_users(session: Session) -> list[User]:
    """Every account, active first, then by name."""
    return list(session.scalars(select(User).order_by(User.active.desc(), User.display_name)))


def change_role(session: Session, actor: Actor, user: User, role: str, *, now: datetime) -> None:
    """Give ``user`` another role."""
    _check_role(role)
    if role == user.role:
        return
    before, user.role = user.role, role
    _rotate_session(user)
    audit.record(
        session,
        actor,
        "user.role_change",
        now=now,
        object_type="user",
        object_id=user.id,
        details={"before": before, "after": role},
    )


def set_active(session: Session, actor: Actor, user: User, active: bool, *, now: datetime) -> None:
    """Activate or deactivate ``user``; a deactivated user cannot sign in."""
    if actor.id == user.id and not active:
        raise ValidationError(N_("You cannot deactivate your own account."))
    if user.active == active:
        return
    user.active = active
    _rotate_session(user)
    audit.record(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        now=now,
        object_type="user",
        object_id=user.id,
    )


def set_password(
    session: Session,
    actor: Actor,
    user: User,
    password: str,
    *,
    policy: PasswordPolicy,
    now: datetime,
    current_password: str | None = None,
) -> None:
    """Set a new password; a user changing their own must give the current one."""
    if current_password is not None and not password_matches(user, current_password, policy):
        raise ValidationError(N_("The current password is wrong."), field="current_password")
    check_password_rules(password, user.email)
    user.password_hash = hash_password(password, policy)
    user.password_changed_at = now
    _rotate_session(user)
    action = "user.password_change" if actor.id == user.id else "user.password_reset"
    audit.record(session, actor, action, now=now, object_type="user", object_id=user.id)


def set_locale(session: Session, actor: Actor, user: User, locale: str, *, now: datetime) -> None:
    """Set the language the user sees (ja or en)."""
    _check_locale(locale)
    if user.locale == locale:
        return
    before, user.locale = user.locale, locale
    audit.record(
        session,
        actor,
        "user.locale_change",
        now=now,
        object_type="user",
        object_id=user.id,
        details={"before": before, "after": locale},
    )


def _rotate_session(user: User) -> None:
    user.session_token = secrets.token_hex(16)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(N_("Unknown role %(role)s."), field="role", role=role)


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise ValidationError(N_("Unknown language %(locale)s."), field="locale", locale=locale)
