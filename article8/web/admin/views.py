"""Administration: user accounts and the company's one-off closures."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from article8.core import auth, closures, users
from article8.web import edge
from article8.web.admin.forms import ClosureForm
from article8.web.context import actor, db, now, password_policy, settings
from article8.web.forms import (
    EmptyForm,
    PasswordResetForm,
    UserActiveForm,
    UserCreateForm,
    UserRoleForm,
)
from article8.web.permissions import requires

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


@bp.get("/users")
@requires("user.admin")
def user_list() -> ResponseReturnValue:
    """All accounts."""
    return render_template("admin/users.html", users=users.list_users(db()))


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.admin")
def user_create() -> ResponseReturnValue:
    """Create an account."""
    form = UserCreateForm()
    if form.validate_on_submit():
        edge.on_refusal(lambda _error: _render_new(form), form=form)
        user = users.create_user(
            db(),
            actor(),
            email=form.email.data or "",
            display_name=form.display_name.data or "",
            role=form.role.data or "",
            locale=form.locale.data or "ja",
            password=form.password.data or "",
            policy=password_policy(),
            now=now(),
        )
        flash(_("The account %(email)s has been created.", email=user.email), "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return _render_new(form)


def _render_new(form: UserCreateForm) -> ResponseReturnValue:
    return render_template("admin/user_new.html", form=form), 200 if not form.errors else 400


@bp.get("/users/<id:user_id>")
@requires("user.admin")
def user_detail(user_id: int) -> ResponseReturnValue:
    """One account with the actions an administrator may take."""
    user = users.get_user(db(), user_id)
    return render_template(
        "admin/user_detail.html",
        user=user,
        role_form=UserRoleForm(role=user.role),
        active_form=UserActiveForm(active=user.active),
        password_form=PasswordResetForm(),
        mfa_form=EmptyForm(),
    )


@bp.post("/users/<id:user_id>/role")
@requires("user.admin")
def user_role(user_id: int) -> ResponseReturnValue:
    """Change the role."""
    user = users.get_user(db(), user_id)
    form = UserRoleForm()
    if form.validate_on_submit():
        users.change_role(db(), actor(), user, form.role.data or "", now=now())
        flash(_("The role has been changed."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<id:user_id>/active")
@requires("user.admin")
def user_active(user_id: int) -> ResponseReturnValue:
    """Activate or deactivate."""
    user = users.get_user(db(), user_id)
    form = UserActiveForm()
    if form.validate_on_submit():
        edge.on_refusal(lambda _error: _to_detail(user_id), announce=True)
        users.set_active(db(), actor(), user, bool(form.active.data), now=now())
        flash(_("The account has been updated."), "success")
    return _to_detail(user_id)


def _to_detail(user_id: int) -> ResponseReturnValue:
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.post("/users/<id:user_id>/password")
@requires("user.admin")
def user_password(user_id: int) -> ResponseReturnValue:
    """Set a new password for a user who lost theirs."""
    user = users.get_user(db(), user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        edge.on_refusal(lambda _error: _to_detail(user_id), announce=True)
        users.set_password(
            db(), actor(), user, form.password.data or "", policy=password_policy(), now=now()
        )
        flash(_("The password has been reset."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<id:user_id>/two-factor/reset")
@requires("user.admin")
def user_mfa_reset(user_id: int) -> ResponseReturnValue:
    """Remove a user's second factor (lost phone); they enrol again at next sign-in."""
    user = users.get_user(db(), user_id)
    if EmptyForm().validate_on_submit() and user.mfa_enabled:
        auth.disable_totp(db(), actor(), user, now=now())
        flash(_("Two-factor sign-in has been reset for this user."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.get("/closures")
@requires("closure.manage")
def closure_list() -> ResponseReturnValue:
    """The yearly closures (a setting) and the one-off closures, with a form to add one."""
    return _render_closures(ClosureForm())


@bp.post("/closures")
@requires("closure.manage")
def closure_add() -> ResponseReturnValue:
    """Close the company on one day."""
    form = ClosureForm()
    if form.validate_on_submit() and form.day.data is not None:
        edge.on_refusal(lambda _error: _render_closures(form), form=form)
        closure = closures.add_closure(
            db(), actor(), day=form.day.data, reason=form.reason.data or "", now=now()
        )
        flash(_("%(day)s is now a closed day.", day=closure.day.isoformat()), "success")
        return redirect(url_for("admin.closure_list"))
    return _render_closures(form)


@bp.post("/closures/<id:closure_id>/remove")
@requires("closure.manage")
def closure_remove(closure_id: int) -> ResponseReturnValue:
    """Open the company again on a one-off closure's day."""
    if EmptyForm().validate_on_submit():
        closures.remove_closure(db(), actor(), closure_id, now=now())
        flash(_("The closure has been removed."), "success")
    return redirect(url_for("admin.closure_list"))


def _render_closures(form: ClosureForm) -> ResponseReturnValue:
    page = render_template(
        "admin/closures.html",
        form=form,
        remove_form=EmptyForm(),
        annual=settings().closed_days,
        closures=closures.list_closures(db()),
    )
    return page, 200 if not form.errors else 400
