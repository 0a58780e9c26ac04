"""Sign-in: password check with throttling, and the TOTP second factor with recovery codes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import audit, lockout
from article8.core.audit import Actor
from article8.core.errors import N_, AuthenticationError, LockedOut, ValidationError
from article8.core.models import LoginThrottle, RecoveryCode, User
from article8.core.settings import Settings
from article8.core.users import PasswordPolicy, find_by_email, normalise_email, password_matches

TOTP_STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
INVALID_CREDENTIALS = N_("Invalid email or password.")
LOCKED = N_("Too many failed sign-in attempts. Sign-in is locked for %(minutes)d minutes.")


@dataclass(frozen=True)
class ThrottleLimits:
    """How many failures within ``minutes`` lock an account or an address, and for how long."""

    max_failures: int = 5
    minutes: int = 15

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottleLimits:
        """The limits configured for this installation."""
        return cls(settings.login_max_failures, settings.login_lock_minutes)


def _throttle_keys(email: str, client_addr: str | None) -> list[str]:
    keys = [f"account:{normalise_email(email)}"[:300]]
    if client_addr:
        keys.append(f"ip:{client_addr}")
    return keys


def _check_not_locked(
    session: Session, keys: list[str], limits: ThrottleLimits, actor: Actor, now: datetime
) -> None:
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            # Counted, not chained per attempt: anyone can retry against a lock, anonymously.
            lockout.record_refusal(session, actor, key=key, locked_until=row.locked_until, now=now)
            raise LockedOut(LOCKED, minutes=limits.minutes)


def _register_failure(
    session: Session, keys: list[str], limits: ThrottleLimits, actor: Actor, now: datetime
) -> bool:
    """Count a failure against every key; return True when this failure locked one of them."""
    window = timedelta(minutes=limits.minutes)
    locked = False
    for key in keys:
        row = session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now)
            session.add(row)
        if row.window_start <= now - window:
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= limits.max_failures:
            row.locked_until, row.failures, row.window_start = now + window, 0, now
            locked = True
            audit.record(
                session,
                actor,
                "auth.lockout",
                now=now,
                details={"key": key.split(":", 1)[0], "locked_until": row.locked_until},
            )
    session.flush()
    return locked


def _clear_account_throttle(session: Session, email: str) -> None:
    # Only the account's counter: a success must not reset the counter of the address, or one
    # valid account would let an attacker keep guessing at others from the same address.
    row = session.get(LoginThrottle, _throttle_keys(email, None)[0])
    if row is not None:
        row.failures, row.locked_until = 0, None


def authenticate(
    session: Session,
    *,
    email: str,
    password: str,
    client_addr: str | None,
    policy: PasswordPolicy,
    limits: ThrottleLimits,
    now: datetime,
) -> User:
    """Check email and password; raise :class:`AuthenticationError` or :class:`LockedOut`.

    The caller completes the sign-in with :func:`complete_sign_in` (after the second factor,
    when the user has one).
    """
    keys = _throttle_keys(email, client_addr)
    user = find_by_email(session, email)
    actor = Actor(user.id if user else None, normalise_email(email)[:300], client_addr)
    _check_not_locked(session, keys, limits, actor, now)
    if user is None:
        # Spend the same time as a real check, so that timing does not reveal unknown accounts.
        policy.hasher().hash(password)
        ok = False
    else:
        ok = password_matches(user, password, policy) and user.active
    if not ok:
        audit.record(
            session,
            actor,
            "auth.login_failed",
            now=now,
            object_type="user" if user else None,
            object_id=user.id if user else None,
            details={"email": normalise_email(email)[:300], "reason": "credentials"},
        )
        if _register_failure(session, keys, limits, actor, now):
            raise LockedOut(LOCKED, minutes=limits.minutes)
        raise AuthenticationError(INVALID_CREDENTIALS)
    assert user is not None
    return user


def complete_sign_in(
    session: Session, user: User, *, client_addr: str | None, method: str, now: datetime
) -> None:
    """Record a successful sign-in (``method``: password, totp or recovery_code)."""
    _clear_account_throttle(session, user.email)
    user.last_login_at = now
    audit.record(
        session,
        Actor(user.id, user.email, client_addr),
        "auth.login",
        now=now,
        object_type="user",
        object_id=user.id,
        details={"method": method},
    )


def sign_out(session: Session, user: User, *, client_addr: str | None, now: datetime) -> None:
    """Record a sign-out and invalidate every copy of the session cookie."""
    user.session_token = secrets.token_hex(16)
    audit.record(
        session,
        Actor(user.id, user.email, client_addr),
        "auth.logout",
        now=now,
        object_type="user",
        object_id=user.id,
    )


# --- TOTP ---------------------------------------------------------------------------------


def new_totp_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str, issuer: str = "article8") -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is ``code``."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * TOTP_STEP_SECONDS), code):
            return step
    return None


def _hash_recovery_code(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    # 80 random bits each: a plain SHA-256 is enough to store them, unlike passwords.
    codes = []
    user.recovery_codes.clear()
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_BASE32) for _ in range(16))
        code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
        user.recovery_codes.append(RecoveryCode(code_hash=_hash_recovery_code(code)))
        codes.append(code)
    return codes


def enable_totp(
    session: Session, actor: Actor, user: User, *, secret: str, code: str, now: datetime
) -> list[str]:
    """Turn on TOTP once the user proves the app works; return the one-time recovery codes."""
    code = code.strip().replace(" ", "")
    step = _matching_step(secret, code, now) if code.isdigit() else None
    if step is None:
        raise ValidationError(
            N_("The code is not valid. Check the time on your device and try again."),
            field="code",
        )
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    session.flush()
    audit.record(session, actor, "user.mfa_enable", now=now, object_type="user", object_id=user.id)
    return codes


def disable_totp(session: Session, actor: Actor, user: User, *, now: datetime) -> None:
    """Turn off the second factor (the user's own choice, or an administrator's reset)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.recovery_codes.clear()
    session.flush()
    action = "user.mfa_disable" if actor.id == user.id else "user.mfa_reset"
    audit.record(session, actor, action, now=now, object_type="user", object_id=user.id)


def verify_second_factor(
    session: Session,
    user: User,
    code: str,
    *,
    client_addr: str | None,
    limits: ThrottleLimits,
    now: datetime,
) -> str:
    """Accept a TOTP code (never twice) or an unused recovery code; return which it was."""
    keys = _throttle_keys(user.email, client_addr)
    actor = Actor(user.id, user.email, client_addr)
    _check_not_locked(session, keys, limits, actor, now)
    cleaned = code.strip().replace(" ", "")
    if user.totp_secret and cleaned.isdigit() and len(cleaned) == 6:
        step = _matching_step(user.totp_secret, cleaned, now)
        # A step at or before the last accepted one is a replay of a code already used.
        if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
            user.totp_last_step = step
            return "totp"
    elif cleaned:
        wanted = _hash_recovery_code(cleaned)
        for recovery in user.recovery_codes:
            if recovery.used_at is None and secrets.compare_digest(recovery.code_hash, wanted):
                recovery.used_at = now
                audit.record(
                    session,
                    actor,
                    "user.recovery_code_used",
                    now=now,
                    object_type="user",
                    object_id=user.id,
                    details={"remaining": sum(1 for r in user.recovery_codes if r.used_at is None)},
                )
                return "recovery_code"
    audit.record(
        session,
        actor,
        "auth.login_failed",
        now=now,
        object_type="user",
        object_id=user.id,
        details={"email": user.email, "reason": "second_factor"},
    )
    if _register_failure(session, keys, limits, actor, now):
        raise LockedOut(LOCKED, minutes=limits.minutes)
    raise AuthenticationError(N_("The code is not valid."))


def unused_recovery_codes(session: Session, user: User) -> int:
    """How many recovery codes the user has left."""
    return len(
        list(
            session.scalars(
                select(RecoveryCode.id).where(
                    RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
                )
            )
        )
    )
