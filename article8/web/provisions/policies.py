"""The privacy-policy register: versions with their text (kept as evidence), the matters each
publishes and the gaps (finding candidates for BP-03), purpose changes, and diffs."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from article8.core import vocabulary
from article8.privacy.policies import queries
from article8.privacy.policies import services as service
from article8.privacy.policies.models import PolicyVersion
from article8.web import edge
from article8.web.context import actor, db, now, today
from article8.web.params import id_arg
from article8.web.permissions import can, requires
from article8.web.provisions import files
from article8.web.provisions.forms import PolicyForm

bp = Blueprint("policies", __name__, url_prefix="/policies", template_folder="templates")


def _version(version_id: int) -> PolicyVersion:
    found = db().get(PolicyVersion, version_id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@requires("policy.read")
def version_list() -> ResponseReturnValue:
    """Every version, the one in force marked, each with the matters it fails to publish."""
    found = queries.versions(db())
    return render_template(
        "policies/list.html",
        versions=found,
        current=queries.in_force(db(), today()),
        gap_control=queries.GAP_CONTROL,
        is_manager=can("policy.manage"),
    )


@bp.get("/<id:version_id>")
@requires("policy.read")
def version_page(version_id: int) -> ResponseReturnValue:
    """One version: its text and hash, the matters checklist, the purpose changes."""
    version = _version(version_id)
    return render_template(
        "policies/version.html",
        version=version,
        matters=vocabulary.PUBLICATION_MATTERS,
        current=queries.in_force(db(), today()),
        gap_control=queries.GAP_CONTROL,
        others=[v for v in queries.versions(db()) if v.id != version.id],
    )


@bp.get("/diff")
@requires("policy.read")
def version_diff() -> ResponseReturnValue:
    """The differences between two versions' texts (each line escaped on the page)."""
    old_id, new_id = id_arg(request.args, "a"), id_arg(request.args, "b")
    if old_id is None or new_id is None:
        abort(400)
    old, new = _version(old_id), _version(new_id)
    return render_template(
        "policies/diff.html",
        old=old,
        new=new,
        lines=queries.diff(old, new),
        versions=queries.versions(db()),
    )


def _render_new(form: PolicyForm, status: int = 200) -> Any:
    return render_template("policies/new.html", form=form), status


@bp.route("/new", methods=["GET", "POST"])
@requires("policy.manage")
def version_new() -> ResponseReturnValue:
    """Register a new version: its text is stored as evidence with its SHA-256."""
    form = PolicyForm()
    if request.method == "GET":
        form.effective_on.data = today()
        return _render_new(form)
    if not form.validate_on_submit() or form.effective_on.data is None:
        return _render_new(form, 400)
    edge.on_refusal(lambda _error: _render_new(form, 400), form=form)
    changes = [
        service.PurposeChangeInput(
            purpose=entry.purpose.data or "",
            within_relation=entry.relation.data == "related",
            reasoning=entry.reasoning.data or "",
            consent=entry.consent.data or "",
            notified_on=entry.notified_on.data,
            notification_method=entry.notification_method.data or "",
        )
        for entry in form.purpose_changes
        if (entry.purpose.data or "").strip()
    ]
    data = service.PolicyInput(
        label=form.label.data or "",
        text=(form.text.data or "").replace("\r\n", "\n"),
        effective_on=form.effective_on.data,
        approved_by=form.approved_by.data or "",
        summary=form.summary.data or "",
        published_on=form.published_on.data,
        publication_method=form.publication_method.data or "",
        matters=form.matters.data or [],
        purpose_changes=changes,
    )
    service.check_policy(data)  # before the snapshot goes into the vault
    label = data.label.strip()
    evidence_id = files.store_text(
        data.text,
        f"privacy-policy-{label}.txt",
        _("Privacy policy, version %(label)s", label=label),
        (files.POLICY_CONTROL,),
    )
    version = service.register_version(db(), actor(), data, evidence_id=evidence_id, now=now())
    flash(_("Version %(label)s has been registered.", label=version.label), "success")
    return redirect(url_for("policies.version_page", version_id=version.id))
