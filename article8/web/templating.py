"""Jinja filters and globals: local times, role names, links to an object's history."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from article8.web.context import settings
from article8.web.forms import LanguageForm
from article8.web.permissions import can

ROLE_NAMES = {
    "admin": _l("Administrator"),
    "responsible": _l("Responsible person"),
    "inspector": _l("Inspector"),
    "auditor": _l("Auditor"),
}


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC instant shown in the configured time zone."""
    if value is None:
        return ""
    return value.astimezone(settings().timezone).strftime(fmt)


def role_name(role: str) -> str:
    """The role's name in the user's language."""
    return str(ROLE_NAMES.get(role, role))


def history_url(object_type: str, object_id: object) -> str:
    """The audit trail filtered to one object: its history."""
    return url_for("audit.event_list", object_type=object_type, object_id=str(object_id))


def register(app: Flask) -> None:
    """Install the filters and globals."""
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["role_name"] = role_name
    app.jinja_env.globals["history_url"] = history_url
    app.jinja_env.globals["get_locale"] = get_locale
    # Pages ask the capability table, never compare role names: {% if can("finding.manage") %}.
    app.jinja_env.globals["can"] = can

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {
            # formdata=None: never parse the request here (an over-long POST must still render
            # its 413 page).
            "nav_language_form": LanguageForm(formdata=None),
            "timezone_name": settings().timezone.key,
            "app_title": _("article8"),
        }
