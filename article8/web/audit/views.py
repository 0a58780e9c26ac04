"""The audit trail pages: filter, page through, verify the chain."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from article8.core import audit, lockout, users
from article8.core.vocabulary import AUDIT_ACTIONS, AUDIT_AREA_PREFIXES, AUDIT_AREAS
from article8.web.audit.entries import entries
from article8.web.audit.subjects import parts_of, subject_of
from article8.web.context import actor, db, now, settings
from article8.web.forms import EmptyForm
from article8.web.params import BIGINT_MAX, day_arg, id_arg
from article8.web.permissions import requires

bp = Blueprint("audit", __name__, url_prefix="/audit", template_folder="templates")

PAGE_SIZE = 100


@bp.get("/")
@requires("audit.read")
def event_list() -> ResponseReturnValue:
    """Events newest first, filtered by area, actor, action, object and local date range."""
    tz = settings().timezone
    area = request.args.get("area") or ""
    day_from, day_to = day_arg(request.args, "from"), day_arg(request.args, "to")
    object_type = request.args.get("object_type") or None
    object_id = request.args.get("object_id") or None
    criteria = audit.AuditFilter(
        actor_id=id_arg(request.args, "actor"),
        action=request.args.get("action") or None,
        action_prefixes=AUDIT_AREA_PREFIXES.get(area, ()),
        object_type=object_type,
        object_id=object_id,
        also=parts_of(db(), object_type, object_id) if object_type and object_id else (),
        date_from=audit.local_day_bounds(day_from, tz)[0] if day_from else None,
        date_to=audit.local_day_bounds(day_to, tz)[1] if day_to else None,
    )
    before = id_arg(request.args, "before", maximum=BIGINT_MAX)
    events = audit.page(db(), criteria, before_seq=before, size=PAGE_SIZE + 1)
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    refused = (e.seq for e in events if e.action == lockout.REFUSED_ACTION)
    next_args = {k: v for k, v in request.args.items() if k != "before" and v}
    return render_template(
        "audit/list.html",
        entries=entries(db(), events),
        subject=subject_of(db(), object_type, object_id) if object_type and object_id else None,
        refusals=lockout.refusals_by_event(db(), refused),
        next_url=url_for("audit.event_list", **next_args, before=events[-1].seq) if more else None,
        actors=users.list_users(db()),
        actions=_action_choices(audit.actions(db())),
        areas=AUDIT_AREAS.choices(_),
        args=request.args,
        verify_form=EmptyForm(),
    )


def _action_choices(recorded: list[str]) -> list[tuple[str, str]]:
    """The recorded actions as (code, label), in the vocabulary's order (by area)."""
    order = {code: i for i, code in enumerate(AUDIT_ACTIONS.codes)}
    ranked = sorted(recorded, key=lambda code: (order.get(code, len(order)), code))
    return [(code, AUDIT_ACTIONS.translated(code, _)) for code in ranked]


@bp.post("/verify")
@requires("audit.read")
def verify() -> ResponseReturnValue:
    """Recompute the whole chain and say whether it is intact."""
    if EmptyForm().validate_on_submit():
        report = audit.verify_chain(db())
        audit.record(
            db(),
            actor(),
            "audit.verify",
            now=now(),
            details={
                "checked": report.checked,
                "ok": report.ok,
                "first_bad_seq": report.first_bad_seq,
            },
        )
        if report.ok:
            flash(
                _("The audit trail is intact: %(count)d events verified.", count=report.checked),
                "success",
            )
        else:
            flash(
                _(
                    "The audit trail is broken at sequence number %(seq)d.",
                    seq=report.first_bad_seq or 0,
                ),
                "danger",
            )
    return redirect(url_for("audit.event_list"))
