"""Per-user API tokens: created and shown once, stored as a SHA-256, revoked, never deleted."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.core import audit, users
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, ValidationError
from article8.core.models import ApiToken, User

TOKEN_PREFIX = "a8_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for
PREFIX_LENGTH = 12  # what the token list shows so that a person can tell their tokens apart
MAX_NAME = 100
# A token is 3 + 43 characters; anything much longer is not one of ours (and is not hashed).
_MAX_RAW = 200
# last_used_at is a hint for people, not a log: write it at most this often per token.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    """The SHA-256 under which a token is stored and looked up."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(
    session: Session, actor: Actor, user: User, name: str, *, now: datetime
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its plaintext, which is never stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(N_("Give the token a name."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(
            N_("The name is longer than %(max)d characters."), field="name", max=MAX_NAME
        )
    if not user.active:
        raise ValidationError(N_("The account is deactivated."))
    # 32 random bytes: a token is unguessable, so looking it up by its hash needs no salt.
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=raw[:PREFIX_LENGTH],
        token_hash=token_digest(raw),
        created_at=now,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        now=now,
        object_type="api_token",
        object_id=token.id,
        details={"user_id": user.id, "name": name, "prefix": token.prefix},
    )
    return token, raw


def authenticate(session: Session, raw: str, *, now: datetime) -> User | None:
    """The active user a valid, unrevoked token belongs to; ``None`` for anything else."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > _MAX_RAW:
        return None
    digest = token_digest(raw)
    # The lookup compares hashes of a high-entropy secret, so its timing reveals nothing useful;
    # the explicit comparison keeps it constant-time should the lookup ever change.
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.revoked_at is not None or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return token.user


def get_token(session: Session, user: User, token_id: int) -> ApiToken:
    """One of ``user``'s own tokens (someone else's is reported as not found)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(N_("No such token."))
    return token


def revoke(session: Session, actor: Actor, token: ApiToken, *, now: datetime) -> bool:
    """Revoke ``token`` for good; ``False`` when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "token.revoke",
        now=now,
        object_type="api_token",
        object_id=token.id,
        details={"user_id": token.user_id, "name": token.name, "prefix": token.prefix},
    )
    return True


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first, revoked ones included."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


# --- the command line's way in: by email and by id, for every account ----------------------

# Ids beyond the database's integer column cannot exist (and some drivers refuse to send them).
_MAX_ID = 2**31 - 1


def account(session: Session, email: str) -> User:
    """The account with ``email`` (case-insensitive)."""
    user = users.find_by_email(session, email)
    if user is None:
        raise NotFound(N_("No account with the email %(email)s."), email=email.strip())
    return user


def create_token_for(
    session: Session, actor: Actor, email: str, name: str, *, now: datetime
) -> tuple[ApiToken, str]:
    """Create a token for the account with ``email``; return it with its plaintext, once."""
    return create_token(session, actor, account(session, email), name, now=now)


def tokens_of(session: Session, email: str | None = None) -> list[ApiToken]:
    """Every account's tokens (or one account's), revoked ones included, newest first."""
    query = select(ApiToken).options(selectinload(ApiToken.user))
    if email is not None:
        query = query.where(ApiToken.user_id == account(session, email).id)
    return list(session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def find_token(session: Session, token_id: int) -> ApiToken:
    """Any account's token by its id."""
    token = session.get(ApiToken, token_id) if 0 < token_id <= _MAX_ID else None
    if token is None:
        raise NotFound(N_("No API token with id %(id)s."), id=token_id)
    return token


def revoke_by_id(
    session: Session, actor: Actor, token_id: int, *, now: datetime
) -> tuple[ApiToken, bool]:
    """Revoke any account's token by its id; the flag is ``False`` when it already was."""
    token = find_token(session, token_id)
    return token, revoke(session, actor, token, now=now)


def as_json(token: ApiToken, tz: tzinfo) -> dict[str, Any]:
    """A token for machines: never its secret or hash; times ISO 8601 in ``tz``."""

    def moment(value: datetime | None) -> str | None:
        return value.astimezone(tz).isoformat() if value is not None else None

    return {
        "id": token.id,
        "user": token.user.email,
        "name": token.name,
        "prefix": token.prefix,
        "created": moment(token.created_at),
        "last_used": moment(token.last_used_at),
        "revoked": moment(token.revoked_at),
    }
