"""Every user's own account: password, language, two-factor sign-in."""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user
from markupsafe import Markup

from article8.core import auth, users
from article8.web import edge
from article8.web.context import actor, db, now, password_policy, settings
from article8.web.forms import (
    LANGUAGES,
    LanguageForm,
    MfaConfirmForm,
    MfaDisableForm,
    PasswordChangeForm,
)
from article8.web.permissions import requires

bp = Blueprint("account", __name__, url_prefix="/account", template_folder="templates")


@bp.get("/")
@requires("account.own")
def overview() -> ResponseReturnValue:
    """The account page."""
    language = LanguageForm(lang=current_user.locale)
    return render_template(
        "account/overview.html",
        password_form=PasswordChangeForm(),
        language_form=language,
        disable_form=MfaDisableForm(),
        languages=LANGUAGES,
        recovery_left=auth.unused_recovery_codes(db(), current_user),
        mfa_required=current_user.role in settings().mfa_required_roles,
    )


@bp.post("/password")
@requires("account.own")
def change_password() -> ResponseReturnValue:
    """Change one's own password (the current one is required)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        edge.on_refusal(lambda _error: _to_overview(), announce=True)
        users.set_password(
            db(),
            actor(),
            current_user,
            form.new_password.data or "",
            policy=password_policy(),
            now=now(),
            current_password=form.current_password.data or "",
        )
        # The password change rotated the session token: sign this browser in again with it
        # (the edge commits the new token with the change).
        signed_in_at = session.get("signed_in_at")
        login_user(current_user._get_current_object(), remember=False)
        session["signed_in_at"] = signed_in_at
        flash(_("Your password has been changed."), "success")
    return _to_overview()


def _to_overview() -> ResponseReturnValue:
    return redirect(url_for("account.overview"))


@bp.route("/two-factor", methods=["GET", "POST"])
@requires("account.own")
def mfa_setup() -> ResponseReturnValue:
    """Enrol an authenticator app: scan the QR code, confirm one code, keep the recovery codes."""
    if current_user.mfa_enabled:
        return redirect(url_for("account.overview"))
    secret = session.get("mfa_secret")
    if not secret:
        secret = session["mfa_secret"] = auth.new_totp_secret()
    form = MfaConfirmForm()
    if form.validate_on_submit():
        edge.on_refusal(lambda _error: _render_setup(form, secret), announce=True)
        codes = auth.enable_totp(
            db(), actor(), current_user, secret=secret, code=form.code.data or "", now=now()
        )
        session.pop("mfa_secret", None)
        return render_template("account/recovery_codes.html", codes=codes)
    return _render_setup(form, secret)


def _render_setup(form: MfaConfirmForm, secret: str) -> ResponseReturnValue:
    uri = auth.provisioning_uri(secret, current_user.email, issuer="article8")
    # Inline SVG rendered on the server: no image URL, no script, nothing the CSP must allow.
    qr_svg = Markup(segno.make(uri, error="m").svg_inline(scale=5, title="QR"))  # noqa: S704
    required = current_user.role in settings().mfa_required_roles
    return render_template(
        "account/mfa_setup.html", form=form, qr_svg=qr_svg, secret=secret, required=required
    )


@bp.post("/two-factor/disable")
@requires("account.own")
def mfa_disable() -> ResponseReturnValue:
    """Turn off the second factor (not allowed where the role requires it)."""
    form = MfaDisableForm()
    if current_user.role in settings().mfa_required_roles:
        flash(_("Two-factor sign-in is required for your role."), "danger")
    elif form.validate_on_submit():
        if users.password_matches(current_user, form.password.data or "", password_policy()):
            auth.disable_totp(db(), actor(), current_user, now=now())
            flash(_("Two-factor sign-in is now off."), "success")
        else:
            flash(_("The password is wrong."), "danger")
    return redirect(url_for("account.overview"))
