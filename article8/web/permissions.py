"""Deny by default: every view declares who may use it, or nobody can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from article8.core.settings import ROLES
from article8.web.context import now, settings

F = TypeVar("F", bound=Callable[..., Any])

EVERYONE = ROLES
READERS = ("admin", "responsible", "auditor")
MANAGERS = ("admin", "responsible")

# Endpoints a user who must enrol in two-factor sign-in may still reach.
_MFA_ENROLMENT_ENDPOINTS = {"account.mfa_setup", "auth.logout", "main.set_language"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view._access_public = True  # type: ignore[attr-defined]
    return view


def roles(*allowed: str) -> Callable[[F], F]:
    """Allow a view to signed-in users whose role is one of ``allowed``."""
    unknown = set(allowed) - set(ROLES)
    if unknown or not allowed:
        raise ValueError(f"bad roles for a view: {allowed}")

    def decorate(view: F) -> F:
        view._access_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return decorate


def allowed_roles(endpoint: str) -> frozenset[str] | None:
    """The roles a view allows; ``None`` for a public view or a static file."""
    view = current_app.view_functions[endpoint]
    if (
        endpoint == "static"
        or endpoint.endswith(".static")
        or getattr(view, "_access_public", False)
    ):
        return None
    return getattr(view, "_access_roles", frozenset())


def enforce_access() -> ResponseReturnValue | None:
    """``before_request``: sign-in, session age, enrolment and role checks, in that order."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let Flask answer 404/405
        return None
    wanted = allowed_roles(endpoint)
    if wanted is None:
        return None
    if not current_user.is_authenticated:
        return _unauthenticated()
    signed_in_at = session.get("signed_in_at")
    max_age = settings().session_hours * 3600
    if signed_in_at is None or now().timestamp() - float(signed_in_at) > max_age:
        logout_user()
        session.clear()
        return _unauthenticated()
    if (
        current_user.role in settings().mfa_required_roles
        and not current_user.mfa_enabled
        and endpoint not in _MFA_ENROLMENT_ENDPOINTS
    ):
        return redirect(url_for("account.mfa_setup"))
    if current_user.role not in wanted:
        # A view without a decision lands here for every role: deny by default.
        return _forbidden()
    return None


def _unauthenticated() -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return jsonify(error="authentication required"), 401
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target.rstrip("?") if target else None))


def _forbidden() -> ResponseReturnValue:
    abort(403)
