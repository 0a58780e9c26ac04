"""Evidence pages: filtered list, detail with versions, download, upload of several files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from article8.controls.catalogue.models import Control
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.services import get_inspection
from article8.core.errors import DomainError
from article8.evidence import notes, permissions, queries, services
from article8.evidence.blobstore import evidence_store
from article8.evidence.models import EVIDENCE_STATES, EvidenceItem
from article8.web import edge
from article8.web.context import actor, db, lang, now, settings, today
from article8.web.errors import translated
from article8.web.evidence.files import (
    evidence_upload_limits,
    max_bytes,
    send_evidence,
    too_large_message,
)
from article8.web.evidence.forms import EvidenceUploadForm, NoteForm, WithdrawForm
from article8.web.forms import safe_next
from article8.web.params import Criteria, id_arg
from article8.web.permissions import can, requires

bp = Blueprint("evidence", __name__, url_prefix="/evidence", template_folder="templates")

PAGE_SIZE = 200


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    # Raised while the form is parsed (before the view runs): say what the limit is.
    return render_template("error.html", status=413, message=too_large_message()), 413


bp.add_app_template_global(evidence_upload_limits, "evidence_upload_limits")


@bp.app_template_filter("evidence_freshness")
def evidence_freshness(item: EvidenceItem) -> str | None:
    """How current evidence stands today: "expired", "expiring" (within 30 days) or None."""
    return queries.freshness(item, today())


@bp.app_template_global("inspection_url")
def inspection_url(inspection_id: int) -> str | None:
    """The inspection's page, when the inspection pages are installed."""
    if "inspections.inspection_page" not in current_app.view_functions:
        return None
    return url_for("inspections.inspection_page", inspection_id=inspection_id)


# --- panels on other pages ---------------------------------------------------------------------


@dataclass
class EvidencePanel:
    """What the evidence section of a control or inspection page shows."""

    items: list[EvidenceItem]
    form: EvidenceUploadForm | None
    fixed_controls: list[str] = field(default_factory=list)
    note_form: NoteForm | None = None
    inspection_id: int | None = None


def evidence_panel(
    control: Control | None = None,
    inspection: Inspection | None = None,
    form: EvidenceUploadForm | None = None,
) -> EvidencePanel:
    """The evidence of a control or inspection and, for uploaders, a form bound to it (``form``:
    the one just posted, shown again with its errors)."""
    if inspection is not None:
        items = queries.for_inspection(db(), inspection.id)
        fixed = [inspection.control.code]
    elif control is not None:
        items = queries.for_control(db(), control.id)
        fixed = [control.code]
    else:
        items, fixed = [], []
    posted, form, note_form = form, None, None
    here = request.full_path.rstrip("?")
    uploader = can("evidence.upload")
    # The same rules the service applies: no form that could only be refused.
    if uploader and (inspection is None or permissions.may_link(actor(), inspection)):
        form = posted or EvidenceUploadForm(
            formdata=None,
            collected_on=today(),
            inspection_id=inspection.id if inspection is not None else None,
            next=here,
        )
    if inspection is not None and permissions.is_closed(inspection) and can("evidence.manage"):
        note_form = NoteForm(formdata=None, next=here)
    return EvidencePanel(
        items, form, fixed, note_form, inspection.id if inspection is not None else None
    )


# --- list and detail ---------------------------------------------------------------------------


def _criteria(args: MultiDict[str, str]) -> queries.EvidenceFilter:
    """The list's filter from the query string (see :class:`Criteria`)."""
    given = Criteria(args)
    return queries.EvidenceFilter(
        control_code=given.text("control", max_length=20),
        status=given.choice("status", EVIDENCE_STATES),
        freshness=given.choice("freshness", queries.FRESHNESS),
        uploader_id=given.id("uploader"),
        inspection_id=given.id("inspection"),
        search=given.text("q"),
    )


def _all_controls() -> list[Control]:
    return list(db().scalars(select(Control).order_by(Control.code)))


@bp.get("/")
@requires("evidence.read")
def evidence_list() -> ResponseReturnValue:
    """Evidence filtered by control, status, freshness, uploader and text."""
    items = queries.list_evidence(db(), _criteria(request.args), today(), limit=PAGE_SIZE + 1)
    return render_template(
        "evidence/list.html",
        items=items[:PAGE_SIZE],
        more=len(items) > PAGE_SIZE,
        controls=_all_controls(),
        states=EVIDENCE_STATES,
        args=request.args,
        lang=lang(),
        can_upload=can("evidence.upload"),
    )


def _may_withdraw(item: EvidenceItem) -> bool:
    return item.status != "withdrawn" and permissions.may_change(actor(), item)


def _linkable(inspection_id: int | None) -> int | None:
    """The inspection a new version stays linked to, when the user may still link to it."""
    inspection = db().get(Inspection, inspection_id) if inspection_id else None
    return inspection.id if inspection and permissions.may_link(actor(), inspection) else None


def _render_detail(
    item: EvidenceItem, *, withdraw_form: WithdrawForm | None = None, status: int = 200
) -> ResponseReturnValue:
    version_form = None
    if item.status == "current" and permissions.may_change(actor(), item):
        version_form = EvidenceUploadForm(
            formdata=None,
            title=item.title,
            description=item.description,
            collected_on=today(),
            replaces_id=item.id,
            inspection_id=_linkable(item.inspection_id),
        )
    if withdraw_form is None and _may_withdraw(item):
        withdraw_form = WithdrawForm(formdata=None)
    page = render_template(
        "evidence/detail.html",
        item=item,
        versions=queries.versions(db(), item),
        lang=lang(),
        withdraw_form=withdraw_form if _may_withdraw(item) else None,
        version_form=version_form,
    )
    return page, status


@bp.get("/<id:item_id>")
@requires("evidence.read")
def evidence_detail(item_id: int) -> ResponseReturnValue:
    """One item: metadata, controls, inspection, versions; the view is recorded."""
    item = services.get_item(db(), item_id)
    services.record_access(db(), actor(), item, "evidence.view", now=now())
    edge.keep_changes()  # the view is on the record, though this is a GET
    return _render_detail(item)


@bp.get("/<id:item_id>/download")
@requires("evidence.read")
def evidence_download(item_id: int) -> ResponseReturnValue:
    """The file itself, as an attachment; the download is recorded first."""
    return send_evidence(services.get_item(db(), item_id), actor())


@bp.post("/<id:item_id>/withdraw")
@requires("evidence.upload")
def evidence_withdraw(item_id: int) -> ResponseReturnValue:
    """Withdraw an item with a reason (managers, or the person who uploaded it)."""
    item = services.get_item(db(), item_id)
    if not _may_withdraw(item):
        if item.status == "withdrawn":
            flash(_("This evidence has already been withdrawn."), "info")
            return redirect(url_for("evidence.evidence_detail", item_id=item.id))
        abort(403)
    form = WithdrawForm()
    if form.validate_on_submit():
        edge.on_refusal(
            lambda _error: _render_detail(item, withdraw_form=form, status=400),
            form=form,
            fields={"*": "reason"},
            catch=(DomainError,),
        )
        services.withdraw(db(), actor(), item, form.reason.data or "", now=now())
        flash(_("The evidence has been withdrawn."), "success")
        return redirect(url_for("evidence.evidence_detail", item_id=item.id))
    return _render_detail(item, withdraw_form=form, status=400)


# --- upload ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadResult:
    """What became of one file of an upload."""

    name: str
    item: EvidenceItem | None = None
    error: str | None = None
    status: int = 201


def _upload_form() -> EvidenceUploadForm:
    return EvidenceUploadForm(controls=_all_controls(), lang=lang())


def _prefill(form: EvidenceUploadForm) -> None:
    """A GET of the upload page may name a control, an inspection or the item to replace."""
    form.collected_on.data = today()
    code = request.args.get("control", "").strip().upper()
    if code:
        form.controls.data = [code]
    form.inspection_id.data = id_arg(request.args, "inspection")
    form.replaces_id.data = id_arg(request.args, "replaces")
    form.next.data = request.args.get("next", "")


def _store_one(
    form: EvidenceUploadForm,
    upload: FileStorage,
    title: str,
    run: Callable[[Callable[[], EvidenceItem]], EvidenceItem | DomainError] = edge.separately,
) -> UploadResult:
    name = services.display_name(upload.filename or "")
    data = services.EvidenceInput(
        filename=upload.filename or "",
        title=title,
        description=form.description.data or "",
        collected_on=form.collected_on.data or today(),
        valid_until=form.valid_until.data,
        control_codes=form.controls.data or [],
        inspection_id=form.inspection_id.data,
        replaces_id=form.replaces_id.data,
    )
    try:
        # The part's stream is read in chunks straight into the blob store: never whole. Each
        # file stands alone: a later failure does not undo this one, and a refused file stores
        # nothing (no blob: the store vets before it commits; no row).
        outcome = run(
            lambda: services.add_evidence(
                db(),
                evidence_store(settings()),
                actor(),
                upload.stream,
                data,
                max_bytes=max_bytes(),
                now=now(),
            )
        )
    finally:
        upload.close()
    if isinstance(outcome, DomainError):
        return UploadResult(name, error=translated(outcome), status=outcome.status_code)
    return UploadResult(name, item=outcome)


def _store_all(
    form: EvidenceUploadForm,
    run: Callable[[Callable[[], EvidenceItem]], EvidenceItem | DomainError] = edge.separately,
) -> list[UploadResult]:
    """Store each file of a validated form; each one's outcome."""
    uploads = form.uploads()
    given = " ".join((form.title.data or "").split())
    results: list[UploadResult] = []
    for part in uploads:
        name = services.display_name(part.filename or "")
        # Several files under one title: each keeps its own name so the list tells them apart.
        title = f"{given} ({name})" if given and len(uploads) > 1 else given
        results.append(_store_one(form, part, title, run))
    return results


def inspection_upload_form(inspection: Inspection) -> EvidenceUploadForm:
    """The upload form of an inspection page, as posted."""
    return EvidenceUploadForm(controls=[inspection.control], lang=lang())


def store_for_inspection(form: EvidenceUploadForm, inspection: Inspection) -> list[UploadResult]:
    """Store each posted file as evidence of ``inspection`` in the request's transaction, so the
    draft answers posted with them commit together; a refused file stores nothing (its savepoint
    is rolled back) and says why."""
    form.inspection_id.data = inspection.id
    form.controls.data = [inspection.control.code]
    form.replaces_id.data = None
    return _store_all(form, edge.in_savepoint)


def _render_upload(
    form: EvidenceUploadForm, results: list[UploadResult] | None = None, status: int = 200
) -> ResponseReturnValue:
    page = render_template("evidence/upload.html", form=form, results=results or [])
    return page, status


@bp.route("/upload", methods=["GET", "POST"])
@requires("evidence.upload")
def upload() -> ResponseReturnValue:
    """Upload one or more files; each becomes an item, and each one's outcome is reported."""
    form = _upload_form()
    if request.method == "GET":
        _prefill(form)
        return _render_upload(form)
    if not form.validate_on_submit():
        return _render_upload(form, status=400)
    uploads = form.uploads()
    if form.replaces_id.data and len(uploads) > 1:
        form.files.errors = [_("A new version is one file.")]
        return _render_upload(form, status=400)
    if form.replaces_id.data and not form.controls.data:
        # A new version is evidence of what the version it replaces was evidence of.
        previous = services.get_item(db(), form.replaces_id.data)
        form.controls.data = [control.code for control in previous.controls]
        form.inspection_id.data = form.inspection_id.data or _linkable(previous.inspection_id)
    results = _store_all(form)
    stored = [r for r in results if r.item is not None]
    if len(stored) == len(results):
        for result in stored:
            assert result.item is not None
            message = _(
                "Stored “%(name)s” as evidence %(id)d.", name=result.name, id=result.item.id
            )
            flash(message, "success")
        if form.next.data:
            return redirect(safe_next(form.next.data))
        if len(stored) == 1 and stored[0].item is not None:
            return redirect(url_for("evidence.evidence_detail", item_id=stored[0].item.id))
        return redirect(url_for("evidence.evidence_list"))
    # All refused for one reason (too large, not allowed): that reason's status; mixed: 400.
    statuses = {r.status for r in results}
    status = 200 if stored else statuses.pop() if len(statuses) == 1 else 400
    return _render_upload(form, results, status)


@bp.post("/inspection/<id:inspection_id>/note")
@requires("evidence.manage")
def inspection_note(inspection_id: int) -> ResponseReturnValue:
    """A note with a reason on an approved or missed inspection (it takes no new files)."""
    inspection = get_inspection(db(), inspection_id)
    form = NoteForm()
    back = safe_next(form.next.data) if form.next.data else inspection_url(inspection.id)
    if form.validate_on_submit():

        def refused(error: DomainError) -> ResponseReturnValue:
            edge.put_on_form(form, error, default="note")
            return _render_note(form, inspection, back)

        edge.on_refusal(refused, catch=(DomainError,))
        item = notes.add_note(
            db(),
            evidence_store(settings()),
            actor(),
            inspection.id,
            form.note.data or "",
            form.reason.data or "",
            collected_on=today(),
            now=now(),
            title=form.title.data or "",
        )
        flash(_("The note has been added as evidence %(id)d.", id=item.id), "success")
        return redirect(back or url_for("evidence.evidence_detail", item_id=item.id))
    return _render_note(form, inspection, back)


def _render_note(form: NoteForm, inspection: Inspection, back: str | None) -> ResponseReturnValue:
    page = render_template("evidence/note.html", form=form, inspection=inspection, back=back)
    return page, 400
