"""Every user's own API tokens: list, create (the token is shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from article8.core import tokens
from article8.core.models import ApiToken
from article8.web import edge
from article8.web.context import actor, db, now
from article8.web.evidence.forms import TokenForm
from article8.web.forms import EmptyForm
from article8.web.permissions import requires

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens", template_folder="templates")


def _render(
    form: TokenForm,
    *,
    created: ApiToken | None = None,
    plaintext: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = render_template(
        "api_tokens/list.html",
        tokens=tokens.list_tokens(db(), current_user),
        form=form,
        revoke_form=EmptyForm(),
        created=created,
        plaintext=plaintext,
    )
    return page, status


@bp.get("/")
@requires("token.own")
def token_list() -> ResponseReturnValue:
    """One's own tokens: name, prefix, created, last used, revoked."""
    return _render(TokenForm(formdata=None))


@bp.post("/")
@requires("token.own")
def token_create() -> ResponseReturnValue:
    """Create a token and show it this once (it is stored only as a hash)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, status=400)
    edge.on_refusal(lambda _error: _render(form, status=400), form=form, fields={"*": "name"})
    token, plaintext = tokens.create_token(
        db(), actor(), current_user, form.name.data or "", now=now()
    )
    # Rendered, not redirected: the plaintext must not travel through the (signed, not
    # encrypted) session cookie as a flashed message. The page is served no-store.
    return _render(TokenForm(formdata=None), created=token, plaintext=plaintext, status=201)


@bp.post("/<id:token_id>/revoke")
@requires("token.own")
def token_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of one's own tokens; scripts using it are refused from now on."""
    token = tokens.get_token(db(), current_user, token_id)
    if EmptyForm().validate_on_submit() and tokens.revoke(db(), actor(), token, now=now()):
        flash(_("The token “%(name)s” has been revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.token_list"))
