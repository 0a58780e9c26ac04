"""Deny by default: every view declares who may use it, or nobody can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from article8.core import roles
from article8.web.context import now, settings

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints a user who must enrol in two-factor sign-in may still reach.
_MFA_ENROLMENT_ENDPOINTS = {"account.mfa_setup", "auth.logout", "main.set_language"}


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view._access_public = True  # type: ignore[attr-defined]
    return view


def requires(permission: str) -> Callable[[F], F]:
    """Allow a view to signed-in users whose role holds ``permission`` (see core.roles)."""
    roles.roles_with(permission)  # an unknown name fails at import, not at the first request

    def decorate(view: F) -> F:
        view._access_permission = permission  # type: ignore[attr-defined]
        return view

    return decorate


def permission_of(endpoint: str) -> str | None:
    """The permission a view declares; ``None`` for a public view, a static file or no decision."""
    view = current_app.view_functions[endpoint]
    return getattr(view, "_access_permission", None)


def allowed_roles(endpoint: str) -> frozenset[str] | None:
    """The roles a view allows; ``None`` for a public view or a static file."""
    view = current_app.view_functions[endpoint]
    if (
        endpoint == "static"
        or endpoint.endswith(".static")
        or getattr(view, "_access_public", False)
    ):
        return None
    permission = permission_of(endpoint)
    return roles.roles_with(permission) if permission else frozenset()


def can(permission: str, obj: object = None) -> bool:
    """Whether the signed-in user holds ``permission`` (on ``obj``, where the rule looks at one).

    The template global: pages ask this instead of comparing role names.
    """
    return bool(current_user.is_authenticated) and roles.allows(current_user, permission, obj)


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
