"""The Flask application: factory, blueprints, security glue."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from article8.core.db import Database, utcnow
from article8.core.settings import Settings
from article8.web import context, observability, params, permissions
from article8.web.extensions import babel, bootstrap, csrf, login_manager

log = logging.getLogger(__name__)


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS (or when forced)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config["SESSION_COOKIE_SECURE"])
        return forced or (has_request_context() and request.is_secure)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Flask:
    """Build the application; nothing is read from the environment at import time."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.force_https_cookies,
        SESSION_COOKIE_NAME="article8_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        # Remember-me is not offered; should a cookie appear anyway, keep it short and strict.
        REMEMBER_COOKIE_DURATION=timedelta(hours=settings.session_hours),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=True,
        WTF_CSRF_TIME_LIMIT=settings.session_hours * 3600,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        BOOTSTRAP_SERVE_LOCAL=True,
        BABEL_DEFAULT_LOCALE="ja",
        BABEL_DEFAULT_TIMEZONE=settings.timezone.key,
        BABEL_TRANSLATION_DIRECTORIES=str(_package_dir() / "translations"),
    )
    app.session_interface = _SessionInterface()
    # `<id:...>` in every route: an id beyond the INTEGER range matches nothing (404, not 500).
    app.url_map.converters["id"] = params.IdConverter
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]

    app.extensions["article8.settings"] = settings
    app.extensions["article8.database"] = database or Database.from_url(settings.database_url)
    app.extensions["article8.clock"] = clock

    # Access control runs before CSRF so that an anonymous POST is sent to sign in, not told
    # its form expired.
    app.before_request(permissions.enforce_access)
    # Then, before any view or the CSRF check reads them: no NUL or other control character.
    app.before_request(params.refuse_control_characters)
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(
        app, locale_selector=_select_locale, timezone_selector=lambda: settings.timezone.key
    )
    _init_login(app)
    app.teardown_appcontext(context.close_session)
    app.after_request(_security_headers)
    observability.init_app(app)

    from article8.web import edge, errors, templating
    from article8.web.account import tokens as api_tokens
    from article8.web.account import views as account
    from article8.web.admin import views as admin
    from article8.web.api import views as api
    from article8.web.audit import views as audit_views
    from article8.web.auth import views as auth
    from article8.web.catalogue import views as catalogue
    from article8.web.dashboard import views as dashboard
    from article8.web.evidence import views as evidence
    from article8.web.findings import views as findings
    from article8.web.inspections import views as inspections
    from article8.web.main import views as main

    for module in (main, auth, account, catalogue, inspections, findings, admin, audit_views):
        app.register_blueprint(module.bp)
    for module in (evidence, api_tokens, api):
        app.register_blueprint(module.bp)
    from article8.web.access import anomalies, register
    from article8.web.access import logs as access_logs
    from article8.web.incidents import views as incidents

    for module in (register, access_logs, anomalies, incidents):
        app.register_blueprint(module.bp)
    app.register_blueprint(dashboard.bp)
    # issue 17: provision and receipt records, privacy-policy versions
    from article8.web.provisions import policies as policy_views
    from article8.web.provisions import views as provision_views

    for module in (provision_views, policy_views):
        app.register_blueprint(module.bp)
    # end issue 17
    from article8.web.requests import views as privacy_requests  # issue 16

    app.register_blueprint(privacy_requests.bp)  # issue 16
    edge.register(app)
    errors.register(app)
    templating.register(app)
    return app


def _package_dir() -> Path:
    return Path(__file__).resolve().parent.parent


def _select_locale() -> str:
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    chosen = session.get("lang")
    if chosen in ("ja", "en"):
        return str(chosen)
    return request.accept_languages.best_match(["ja", "en"]) or "ja"


def _init_login(app: Flask) -> None:
    from article8.core.models import User

    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # access.enforce_access redirects; no flash noise

    @login_manager.user_loader
    def load_user(alternative_id: str) -> User | None:
        # The id in the cookie carries the user's session token, rotated on logout and password
        # change, so a copied cookie dies with the session it was copied from.
        raw_id, _, token = alternative_id.partition(":")
        try:
            user_id = params.parse_id(raw_id)
        except ValueError:
            return None
        # The check reads in a short session of its own and the user then joins the request's
        # session without a query: on SQLite the request's first statement takes the write
        # lock, which must not be held while a large upload is received or a file is parsed.
        with context.database().session() as check:
            user = check.get(User, user_id)
        if user is None or not user.active or user.session_token != token:
            return None
        return context.db().merge(user, load=False)


def _security_headers(response: Any) -> Any:
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and current_user.is_authenticated:
        # Pages carry personal data: keep them out of shared and browser caches.
        headers.setdefault("Cache-Control", "no-store")
    return response
