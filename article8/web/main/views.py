"""Home page, health check and the language switch."""

from __future__ import annotations

import tempfile

from flask import Blueprint, jsonify, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text

from article8.core import audit, lease, users
from article8.web.context import actor, database, db, now, settings, today
from article8.web.forms import LanguageForm, page_to_return_to
from article8.web.main import work
from article8.web.permissions import can, public, requires

bp = Blueprint("main", __name__, template_folder="templates")


@bp.get("/")
@requires("account.own")
def index() -> ResponseReturnValue:
    """The signed-in user's start page: their work first, by role."""
    day = today()
    events = audit.event_count(db()) if can("audit.read") else None
    performer = (
        work.performer_work(db(), current_user.id, day) if can("inspection.perform") else None
    )
    reviewer = work.reviewer_work(db(), day) if can("inspection.review") else None
    return render_template(
        "main/index.html",
        audit_events=events,
        performer=performer,
        reviewer=reviewer,
        shown=work.SHOWN,
        today=day,
    )


@bp.get("/healthz")
@public
def healthz() -> ResponseReturnValue:
    """Liveness for load balancers: the database, the evidence directory, the scheduler."""
    checks: dict[str, object] = {}
    try:
        with database().session() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    evidence_dir = settings().evidence_dir
    try:
        evidence_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=evidence_dir, prefix=".health-"):
            pass
        checks["evidence_dir"] = "ok"
    except OSError as exc:
        checks["evidence_dir"] = f"error: {exc.strerror}"
    healthy = checks["database"] == "ok" and checks["evidence_dir"] == "ok"
    if settings().s3 is not None:  # issue 18 S3: the bucket every node shares
        from article8.evidence.s3store import bucket_health

        checks["evidence_store"] = bucket_health(settings().s3)
        healthy = healthy and checks["evidence_store"] == "ok"
    age = None
    if checks["database"] == "ok":
        age = lease.heartbeat_age(database(), now=now())
    # The scheduler is a separate process: its silence is reported, not fatal for the web node.
    checks["scheduler_heartbeat_age_s"] = None if age is None else round(age, 1)
    return jsonify(status="ok" if healthy else "error", **checks), 200 if healthy else 503


@bp.post("/language")
@public
def set_language() -> ResponseReturnValue:
    """Switch the interface language (kept on the account when signed in)."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            users.set_locale(db(), actor(), current_user, form.lang.data, now=now())
    return redirect(page_to_return_to(request.form.get("next"), request.referrer))
