"""Evidence pages: filtered list, detail with versions, download, upload of several files."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from article8.controls.inspection_models import Inspection
from article8.controls.models import Control
from article8.core.errors import DomainError
from article8.evidence import queries, services
from article8.evidence.blobstore import local_store
from article8.evidence.models import EVIDENCE_STATES, EvidenceItem
from article8.web.access import EVERYONE, MANAGERS, roles
from article8.web.context import actor, db, now, settings
from article8.web.errors import translated
from article8.web.evidence_files import (
    UPLOADERS,
    evidence_upload_limits,
    max_bytes,
    send_evidence,
    today,
    too_large_message,
)
from article8.web.evidence_forms import EvidenceUploadForm, WithdrawForm
from article8.web.forms import safe_next

bp = Blueprint("evidence", __name__, url_prefix="/evidence")

PAGE_SIZE = 200


def _lang() -> str:
    return "ja" if str(get_locale()) == "ja" else "en"


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


@bp.app_template_global("evidence_panel")
def evidence_panel(
    control: Control | None = None, inspection: Inspection | None = None
) -> EvidencePanel:
    """The evidence of a control or inspection and, for uploaders, a form bound to it."""
    if inspection is not None:
        items = queries.for_inspection(db(), inspection.id)
        fixed = [inspection.control.code]
    elif control is not None:
        items = queries.for_control(db(), control.id)
        fixed = [control.code]
    else:
        items, fixed = [], []
    form = None
    if current_user.is_authenticated and current_user.role in UPLOADERS:
        form = EvidenceUploadForm(
            formdata=None,
            collected_on=today(),
            inspection_id=inspection.id if inspection is not None else None,
            next=request.full_path.rstrip("?"),
        )
    return EvidencePanel(items, form, fixed)


# --- list and detail ---------------------------------------------------------------------------


def _criteria(args: MultiDict[str, str]) -> queries.EvidenceFilter:
    """The list's filter from the query string; unknown values do not filter."""
    uploader, inspection = args.get("uploader", ""), args.get("inspection", "")
    return queries.EvidenceFilter(
        control_code=args.get("control", "").strip()[:20] or None,
        status=args.get("status") if args.get("status") in EVIDENCE_STATES else None,
        freshness=args.get("freshness") if args.get("freshness") in queries.FRESHNESS else None,
        uploader_id=int(uploader) if uploader.isdigit() else None,
        inspection_id=int(inspection) if inspection.isdigit() else None,
        search=args.get("q", "").strip()[:200] or None,
    )


def _all_controls() -> list[Control]:
    return list(db().scalars(select(Control).order_by(Control.code)))


@bp.get("/")
@roles(*EVERYONE)
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
        lang=_lang(),
        can_upload=current_user.role in UPLOADERS,
    )


def _may_withdraw(item: EvidenceItem) -> bool:
    if item.status == "withdrawn" or current_user.role not in UPLOADERS:
        return False
    return current_user.role in MANAGERS or item.uploaded_by_id == current_user.id


def _render_detail(
    item: EvidenceItem, *, withdraw_form: WithdrawForm | None = None, status: int = 200
) -> ResponseReturnValue:
    version_form = None
    if item.status == "current" and current_user.role in UPLOADERS:
        version_form = EvidenceUploadForm(
            formdata=None,
            title=item.title,
            description=item.description,
            collected_on=today(),
            replaces_id=item.id,
            inspection_id=item.inspection_id,
        )
    if withdraw_form is None and _may_withdraw(item):
        withdraw_form = WithdrawForm(formdata=None)
    page = render_template(
        "evidence/detail.html",
        item=item,
        versions=queries.versions(db(), item),
        lang=_lang(),
        withdraw_form=withdraw_form if _may_withdraw(item) else None,
        version_form=version_form,
    )
    return page, status


@bp.get("/<int:item_id>")
@roles(*EVERYONE)
def evidence_detail(item_id: int) -> ResponseReturnValue:
    """One item: metadata, controls, inspection, versions; the view is recorded."""
    item = services.get_item(db(), item_id)
    services.record_access(db(), actor(), item, "evidence.view", now=now())
    db().commit()
    return _render_detail(item)


@bp.get("/<int:item_id>/download")
@roles(*EVERYONE)
def evidence_download(item_id: int) -> ResponseReturnValue:
    """The file itself, as an attachment; the download is recorded first."""
    return send_evidence(services.get_item(db(), item_id), actor())


@bp.post("/<int:item_id>/withdraw")
@roles(*UPLOADERS)
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
        try:
            services.withdraw(db(), actor(), item, form.reason.data or "", now=now())
        except DomainError as error:
            db().rollback()
            form.reason.errors = [translated(error)]
        else:
            db().commit()
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
    return EvidenceUploadForm(controls=_all_controls(), lang=_lang())


def _prefill(form: EvidenceUploadForm) -> None:
    """A GET of the upload page may name a control, an inspection or the item to replace."""
    form.collected_on.data = today()
    code = request.args.get("control", "").strip().upper()
    if code:
        form.controls.data = [code]
    for name, arg in (("inspection_id", "inspection"), ("replaces_id", "replaces")):
        value = request.args.get(arg, "")
        if value.isdigit():
            getattr(form, name).data = int(value)
    form.next.data = request.args.get("next", "")


def _store_one(form: EvidenceUploadForm, upload: FileStorage, title: str) -> UploadResult:
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
        # The part's stream is read in chunks straight into the blob store: never whole.
        item = services.add_evidence(
            db(),
            local_store(settings()),
            actor(),
            upload.stream,
            data,
            max_bytes=max_bytes(),
            now=now(),
        )
    except DomainError as error:
        # A refused file stores nothing: no blob (the store vets before it commits), no row.
        db().rollback()
        return UploadResult(name, error=translated(error), status=error.status_code)
    finally:
        upload.close()
    db().commit()  # each file stands alone: a later failure does not undo this one
    return UploadResult(name, item=item)


def _render_upload(
    form: EvidenceUploadForm, results: list[UploadResult] | None = None, status: int = 200
) -> ResponseReturnValue:
    page = render_template("evidence/upload.html", form=form, results=results or [])
    return page, status


@bp.route("/upload", methods=["GET", "POST"])
@roles(*UPLOADERS)
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
        form.inspection_id.data = form.inspection_id.data or previous.inspection_id
    given = " ".join((form.title.data or "").split())
    results: list[UploadResult] = []
    for part in uploads:
        name = services.display_name(part.filename or "")
        # Several files under one title: each keeps its own name so the list tells them apart.
        title = f"{given} ({name})" if given and len(uploads) > 1 else given
        results.append(_store_one(form, part, title))
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
    if stored:
        status = 200
    elif all(r.status == 413 for r in results):
        status = 413
    else:
        status = 400
    return _render_upload(form, results, status)
