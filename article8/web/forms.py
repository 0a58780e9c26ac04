"""Forms shared across blueprints, and the safe redirect helper."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from flask import current_app, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from article8.core import vocabulary
from article8.core.models import User
from article8.web.params import parse_id

LANGUAGES = [SelectChoice("ja", "日本語"), SelectChoice("en", "English")]


def choices(terms: vocabulary.Vocabulary) -> list[SelectChoice]:
    """The codes of a vocabulary as select options, with their names in the user's language."""
    return [SelectChoice(code, name) for code, name in terms.choices(gettext)]


def role_choices() -> list[SelectChoice]:
    """Roles with their translated names."""
    return choices(vocabulary.ROLES)


def severity_choices() -> list[SelectChoice]:
    """Severities with their translated names."""
    return choices(vocabulary.SEVERITIES)


def user_choices(people: Sequence[User], *, empty: str | None = None) -> list[SelectChoice]:
    """People as select options, optionally after an empty choice labelled ``empty``."""
    first = [SelectChoice("", empty)] if empty is not None else []
    return first + [SelectChoice(str(u.id), u.display_name) for u in people]


def chosen_id(field: SelectField) -> int | None:
    """The id a user select holds; None when empty."""
    try:
        return parse_id(field.data or "")
    except ValueError:
        return None


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site; the home page otherwise (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


def _opens_with_get(target: str) -> bool:
    """Whether the path on this site answers a GET (a page reached by POST may not: 405)."""
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return False
    try:
        adapter.match(urlsplit(target).path, method="GET")
    except RequestRedirect:
        return True
    except HTTPException:
        return False
    return True


def page_to_return_to(target: str | None, referrer: str | None) -> str:
    """Where the language switch goes back to: ``target`` if it opens with GET, else the page the
    form came from (a page shown in answer to a POST cannot be opened again), else home."""
    home = url_for("main.index")
    candidates = [safe_next(target)]
    if referrer:
        parts = urlsplit(referrer)
        if parts.netloc == request.host:
            candidates.append(safe_next(parts.path + (f"?{parts.query}" if parts.query else "")))
    for candidate in candidates:
        if candidate != home and _opens_with_get(candidate):
            return candidate
    return home


class LanguageForm(FlaskForm):
    """The language switch in the navigation bar."""

    lang = SelectField(_l("Language"), choices=LANGUAGES, validators=[DataRequired()])


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class SecondFactorForm(FlaskForm):
    """A TOTP code or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])


class PasswordChangeForm(FlaskForm):
    """A user changing their own password."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])


class MfaConfirmForm(FlaskForm):
    """The first code from a newly enrolled authenticator app."""

    code = StringField(_l("Code from your app"), validators=[DataRequired(), Length(max=10)])


class MfaDisableForm(FlaskForm):
    """Turning the second factor off asks for the password."""

    password = PasswordField(_l("Password"), validators=[DataRequired()])


class UserCreateForm(FlaskForm):
    """An administrator creating an account."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    locale = SelectField(_l("Language"), choices=LANGUAGES, validators=[DataRequired()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=1024)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class UserRoleForm(FlaskForm):
    """Change a user's role."""

    role = SelectField(_l("Role"), validators=[DataRequired()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class UserActiveForm(FlaskForm):
    """Activate or deactivate a user."""

    active = BooleanField(_l("Active"))


class PasswordResetForm(FlaskForm):
    """An administrator setting a new password for a user."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)])


class EmptyForm(FlaskForm):
    """A form with only its CSRF token (buttons that post)."""
