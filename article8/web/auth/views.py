"""Sign-in (password, then the second factor when enrolled) and sign-out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from article8.core import auth
from article8.core.errors import AuthenticationError
from article8.core.models import User
from article8.web import edge
from article8.web.context import client_addr, db, now, password_policy, settings
from article8.web.errors import translated
from article8.web.forms import LoginForm, SecondFactorForm, safe_next
from article8.web.permissions import public, requires

bp = Blueprint("auth", __name__, template_folder="templates")

PENDING_MFA_SECONDS = 300


def _limits() -> auth.ThrottleLimits:
    return auth.ThrottleLimits.from_settings(settings())


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    """Email and password; on to the second factor when the account has one."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = auth.authenticate(
                db(),
                email=form.email.data or "",
                password=form.password.data or "",
                client_addr=client_addr(),
                policy=password_policy(),
                limits=_limits(),
                now=now(),
            )
        except AuthenticationError as error:
            edge.keep_changes()  # the failure, its audit event and any lockout must persist
            flash(translated(error), "danger")
            status = error.status_code
        else:
            next_url = safe_next(request.args.get("next"))
            if user.mfa_enabled:
                # A rehashed password is kept even before the second factor (the edge commits).
                session.clear()
                session["mfa_pending"] = {
                    "user": user.id,
                    "token": user.session_token,
                    "at": now().timestamp(),
                    "next": next_url,
                }
                return redirect(url_for("auth.second_factor"))
            return _finish(user, "password", next_url)
    return render_template("auth/login.html", form=form), status


@bp.route("/login/second-factor", methods=["GET", "POST"])
@public
def second_factor() -> ResponseReturnValue:
    """The TOTP code (or a recovery code) that completes a sign-in."""
    pending = session.get("mfa_pending")
    user = db().get(User, pending["user"]) if pending else None
    expired = pending is None or now().timestamp() - pending["at"] > PENDING_MFA_SECONDS
    if user is None or expired or user.session_token != pending["token"] or not user.active:
        session.pop("mfa_pending", None)
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        try:
            method = auth.verify_second_factor(
                db(),
                user,
                form.code.data or "",
                client_addr=client_addr(),
                limits=_limits(),
                now=now(),
            )
        except AuthenticationError as error:
            edge.keep_changes()  # the failure and any lockout must persist
            flash(translated(error), "danger")
            status = error.status_code
            if error.status_code == 429:
                session.pop("mfa_pending", None)
                return redirect(url_for("auth.login"))
        else:
            return _finish(user, method, pending["next"])
    return render_template("auth/second_factor.html", form=form), status


def _finish(user: User, method: str, next_url: str) -> ResponseReturnValue:
    auth.complete_sign_in(db(), user, client_addr=client_addr(), method=method, now=now())
    lang = session.get("lang")
    # A fresh session on every sign-in: nothing set before it (session fixation) survives.
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=False)
    session["signed_in_at"] = now().timestamp()
    if method == "recovery_code":
        flash(
            _(
                "You signed in with a recovery code. %(left)d codes are left.",
                left=auth.unused_recovery_codes(db(), user),
            ),
            "warning",
        )
    return redirect(next_url)


@bp.post("/logout")
@requires("account.own")
def logout() -> ResponseReturnValue:
    """Sign out everywhere this session cookie was copied to."""
    user = db().get(User, current_user.id)
    if user is not None:
        auth.sign_out(db(), user, client_addr=client_addr(), now=now())
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
