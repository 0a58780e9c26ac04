"""Access-log pages: the imported batches and the upload of a log file."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from article8.access import columns, queries
from article8.access.ingest import ImportReport, Reject, import_access_log
from article8.access.rules import RULES, RuleSettings
from article8.core.errors import DomainError
from article8.web import edge
from article8.web.access.forms import AccessLogForm
from article8.web.context import actor, db, now, settings
from article8.web.permissions import can, requires
from article8.web.problems import Refusal, describe, refusal

bp = Blueprint("access_logs", __name__, url_prefix="/access", template_folder="templates")

# Rejected lines shown on the page; the count says how many there were in all.
SHOWN_REJECTS = 100


@bp.get("/")
@requires("register.read")
def batch_list() -> ResponseReturnValue:
    """Imported log files, newest first: name, SHA-256, kind, rows, who and when."""
    return render_template(
        "access/batches.html",
        batches=queries.batches(db(), limit=200),
        can_upload=can("access_log.upload"),
    )


def _import(form: AccessLogForm, rejects: list[Reject]) -> ImportReport:
    upload: FileStorage = form.file.data

    def keep(reject: Reject) -> None:
        if len(rejects) < SHOWN_REJECTS:
            rejects.append(reject)

    try:
        # The part is spooled to a temporary file by the form parser: read in blocks, twice
        # (hash, then rows), never whole.
        return import_access_log(
            db(),
            upload.stream,
            filename=upload.filename or "",
            kind=form.kind.data or "",
            settings=RuleSettings.from_settings(settings()),
            actor=actor(),
            now=now(),
            mapping=form.column_map(),
            skip_invalid=bool(form.skip_invalid.data),
            on_reject=keep,
        )
    finally:
        upload.close()


@bp.route("/upload", methods=["GET", "POST"])
@requires("access_log.upload")
def upload() -> ResponseReturnValue:
    """Import one access log; the rules run over the dates it covers."""
    form = AccessLogForm()
    report: ImportReport | None = None
    rejects: list[Reject] = []
    error = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            # One bad line stores nothing: the whole batch is in the request's transaction.
            edge.on_refusal(
                lambda problem: _render_upload(form, None, [], refusal(problem), 400),
                catch=(DomainError,),
            )
            report = _import(form, rejects)
        else:
            status = 400
    return _render_upload(form, report, rejects, error, status)


def _render_upload(
    form: AccessLogForm,
    report: ImportReport | None,
    rejects: list[Reject],
    error: Refusal | None,
    status: int,
) -> ResponseReturnValue:
    samples = [
        ("system.csv", _("System access (CSV, UTF-8)")),
        ("system-cp932.csv", _("System access (CSV, CP932 for Excel)")),
        ("entry.csv", _("Entry and exit (CSV, UTF-8)")),
        ("entry-cp932.csv", _("Entry and exit (CSV, CP932 for Excel)")),
    ]
    return render_template(
        "access/upload.html",
        form=form,
        columns=columns.LOGS,
        samples=samples,
        report=report,
        rejects=[describe(r.detail) if r.detail else r.problem for r in rejects],
        error=error,
        rules=RULES,
    ), status


@bp.get("/upload/samples/<name>")
@requires("access_log.upload")
def log_sample(name: str) -> ResponseReturnValue:
    """A sample log made of the documented examples, as CSV in UTF-8 or CP932."""
    kind, _sep, encoding = name.removesuffix(".csv").partition("-")
    if not name.endswith(".csv") or kind not in columns.LOGS or encoding not in ("", "cp932"):
        abort(404)
    # A BOM tells Excel that a UTF-8 file is UTF-8.
    data = columns.sample_csv(columns.LOGS[kind], encoding or "utf-8-sig")
    return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name=name)
