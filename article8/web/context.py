"""Per-request access to the settings, the clock, the database session and the actor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import cast

from flask import current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy.orm import Session

from article8.core.audit import Actor
from article8.core.calendar import local_date
from article8.core.db import Database
from article8.core.settings import Settings
from article8.core.users import PasswordPolicy


def settings() -> Settings:
    """The application's validated settings."""
    return cast(Settings, current_app.extensions["article8.settings"])


def database() -> Database:
    """The application's database handle."""
    return cast(Database, current_app.extensions["article8.database"])


def now() -> datetime:
    """The current instant from the application's clock (tests inject a fixed one)."""
    clock = cast(Callable[[], datetime], current_app.extensions["article8.clock"])
    return clock()


def today() -> date:
    """Today in the configured time zone: due dates and validity dates are local calendar days."""
    return local_date(now(), settings().timezone)


def lang() -> str:
    """The language of the request ("ja" or "en"): which title or question text to show."""
    return "ja" if str(get_locale()) == "ja" else "en"


def db() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = database().session()
    return cast(Session, g.db_session)


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def client_addr() -> str | None:
    """The client's address (ProxyFix has already applied the trusted proxies)."""
    return request.remote_addr


def actor() -> Actor:
    """The signed-in user as the actor of audit events."""
    if current_user.is_authenticated:
        return Actor(current_user.id, current_user.email, client_addr(), current_user.role)
    return Actor(None, "anonymous", client_addr())


def password_policy() -> PasswordPolicy:
    """The configured Argon2id parameters."""
    return PasswordPolicy.from_settings(settings())
