"""Provision and receipt records: the list, recording one (the basis first: an exempt basis needs
no record, and the page says so), one record with its retention, import and export."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from article8.core import audit, vocabulary
from article8.core.errors import DomainError
from article8.core.guarded import WorkbookLimits
from article8.core.xlsx import header_cell, inert, safe_text
from article8.privacy.provisions import queries
from article8.privacy.provisions import services as service
from article8.privacy.provisions.importing import SHEET, read_provisions, store_provisions
from article8.privacy.provisions.lists import MAX_LIST_BYTES, names_in
from article8.privacy.provisions.models import ProvisionRecord
from article8.web import edge
from article8.web.context import actor, db, now, settings, today
from article8.web.forms import EmptyForm
from article8.web.permissions import can, requires
from article8.web.problems import Refusal, refusal
from article8.web.provisions import files
from article8.web.provisions.forms import (
    BasisForm,
    FurtherProvisionForm,
    ProvisionCorrectionForm,
    ProvisionForm,
    ProvisionImportForm,
)

bp = Blueprint("provisions", __name__, url_prefix="/provisions", template_folder="templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _record(record_id: int) -> ProvisionRecord:
    found = queries.record(db(), record_id)
    if found is None:
        abort(404)
    return found


def _to_record(record: ProvisionRecord) -> ResponseReturnValue:
    return redirect(url_for("provisions.record_page", record_id=record.id))


@bp.get("/")
@requires("provision.read")
def record_list() -> ResponseReturnValue:
    """Every record, newest first: basis, record form and the end of its retention."""
    args = request.args
    direction = args.get("direction", "")
    basis = args.get("basis", "")
    foreign = args.get("foreign", "")
    criteria = queries.ProvisionFilter(
        direction=direction if direction in vocabulary.PROVISION_DIRECTIONS else None,
        basis=basis if basis in vocabulary.PROVISION_BASES else None,
        foreign=True if foreign == "yes" else None,
        search=args.get("q", "").strip()[:200] or None,
    )
    return render_template(
        "provisions/list.html",
        records=queries.records(db(), criteria, limit=500),
        args=args,
        today=today(),
        is_manager=can("provision.manage"),
        ending=len(queries.ending_soon(db(), today())),
        directions=vocabulary.PROVISION_DIRECTIONS,
        bases=vocabulary.PROVISION_BASES,
    )


# --- recording -------------------------------------------------------------------------------


def _chosen() -> tuple[str, str] | None:
    direction, basis = request.args.get("direction", ""), request.args.get("basis", "")
    if direction in vocabulary.PROVISION_DIRECTIONS and basis in vocabulary.PROVISION_BASES:
        return direction, basis
    return None


def _relabel(form: ProvisionForm, direction: str, basis: str) -> None:
    # The same fields read differently on the receiving side and for an opt-out.
    if direction == "receipt" or basis == "opt_out":
        form.consent_evidence.label.text = _("Consent or opt-out publication")
    if direction == "receipt":
        form.provided_on.label.text = _("Date of receipt")
        form.last_provided_on.label.text = _("Date of the last receipt")


def _render_new(form: ProvisionForm, direction: str, basis: str, status: int = 200) -> Any:
    _relabel(form, direction, basis)
    page = render_template(
        "provisions/new.html",
        form=form,
        direction=direction,
        basis=basis,
        exempt=basis in vocabulary.EXEMPT_BASES,
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@requires("provision.manage")
def record_new() -> ResponseReturnValue:
    """Record a provision or receipt: first its direction and basis, then what the Act asks."""
    chosen = _chosen()
    if chosen is None:
        return render_template("provisions/basis.html", form=BasisForm(formdata=None))
    direction, basis = chosen
    form = ProvisionForm()
    if request.method == "GET":
        form.provided_on.data = today()
        return _render_new(form, direction, basis)
    if not form.validate_on_submit():
        return _render_new(form, direction, basis, 400)
    edge.on_refusal(lambda _error: _render_new(form, direction, basis, 400), form=form)
    names, evidence_id = _store_list(form.individuals_file.data, form.foreign_country.data)
    data = _input(form, direction, basis, names, evidence_id)
    record = service.record_provision(db(), actor(), data, now=now(), today=today())
    flash(_("The record has been saved."), "success")
    return _to_record(record)


def _input(
    form: ProvisionForm, direction: str, basis: str, names: str, evidence_id: int | None
) -> service.ProvisionInput:
    """What the record form says (the creation form and the correction form alike)."""
    return service.ProvisionInput(
        direction=direction,
        basis=basis,
        record_form=form.record_form.data or None,
        party_name=form.party_name.data or "",
        party_address=form.party_address.data or "",
        party_representative=form.party_representative.data or "",
        individuals_description=form.individuals_description.data or "",
        individuals_count=form.individuals_count.data,
        individuals_list=names,
        individuals_list_evidence_id=evidence_id,
        data_items=form.data_items.data or "",
        consent_evidence=form.consent_evidence.data or "",
        provided_on=form.provided_on.data,
        last_provided_on=form.last_provided_on.data,
        foreign_country=form.foreign_country.data or "",
        foreign_information=form.foreign_information.data or "",
        foreign_consent=bool(form.foreign_consent.data),
        provider_acquisition=form.provider_acquisition.data or "",
        related_information=bool(form.related_information.data),
        related_consent_confirmed=bool(form.related_consent_confirmed.data),
        note=form.note.data or "",
    )


def _store_list(upload: FileStorage | None, foreign_country: str | None) -> tuple[str, int | None]:
    """The names in the uploaded list, and the evidence item that keeps the file."""
    if upload is None or not getattr(upload, "filename", ""):
        return "", None
    try:
        data = upload.stream.read(MAX_LIST_BYTES + 1)
        rest = upload.stream
        stream = io.BytesIO(data)
        codes = (
            (files.LIST_CONTROL, files.FOREIGN_CONTROL)
            if foreign_country
            else (files.LIST_CONTROL,)
        )
        if len(data) > MAX_LIST_BYTES:
            # A long list is stored whole (streamed) and not searched.
            evidence_id = files.store(
                _Chained(data, rest), upload.filename or "list.csv", _("List of individuals"), codes
            )
            return "", evidence_id
        evidence_id = files.store(
            stream, upload.filename or "list.csv", _("List of individuals"), codes
        )
        return names_in(data), evidence_id
    finally:
        upload.close()


class _Chained(io.RawIOBase):
    """The bytes already read, then the rest of the stream."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self.head, self.rest = io.BytesIO(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.head.read(len(buffer)) or self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --- one record ------------------------------------------------------------------------------


def _render_record(
    record: ProvisionRecord, *, further: FurtherProvisionForm | None = None, status: int = 200
) -> ResponseReturnValue:
    is_manager = can("provision.manage")
    page = render_template(
        "provisions/record.html",
        record=record,
        today=today(),
        is_manager=is_manager,
        may_remove=service.may_remove(record, today()),
        further_form=further or FurtherProvisionForm(formdata=None, provided_on=today()),
        remove_form=EmptyForm(formdata=None),
        listed=len(service.listed_people(record)),
        corrections=queries.corrections(db(), record.id),  # issue 17 (p-edit)
        history_labels=queries.HISTORY_LABELS,
    )
    return page, status


@bp.get("/<id:record_id>")
@requires("provision.read")
def record_page(record_id: int) -> ResponseReturnValue:
    """One record: what was provided to whom, on what basis, and how long it is kept."""
    return _render_record(_record(record_id))


@bp.post("/<id:record_id>/further")
@requires("provision.manage")
def record_further(record_id: int) -> ResponseReturnValue:
    """A further provision under a bulk or contract record (the retention runs from it)."""
    record = _record(record_id)
    form = FurtherProvisionForm()
    if not form.validate_on_submit() or form.provided_on.data is None:
        return _render_record(record, further=form, status=400)
    edge.on_refusal(
        lambda _error: _render_record(_record(record_id), further=form, status=400),
        form=form,
        fields={"last_provided_on": "provided_on"},
    )
    service.record_further_provision(db(), actor(), record, form.provided_on.data, now=now())
    flash(_("The further provision has been recorded."), "success")
    return _to_record(record)


# --- issue 17 (p-edit): correcting a record ----------------------------------------------------


def _render_edit(
    record: ProvisionRecord, form: ProvisionCorrectionForm, status: int = 200
) -> ResponseReturnValue:
    direction = form.direction.data or record.direction
    basis = form.basis.data or record.basis
    _relabel(form, direction, basis)
    # The retention the record will have with what the form says now (shown before saving).
    until, computed = service.retention_after_correction(
        record, _input(form, direction, basis, "", None)
    )
    page = render_template(
        "provisions/edit.html",
        record=record,
        form=form,
        direction=direction,
        basis=basis,
        exempt=basis in vocabulary.EXEMPT_BASES,
        listed=len(service.listed_people(record)),
        retention_after=until,
        retention_computed=computed,
    )
    return page, status


@bp.route("/<id:record_id>/edit", methods=["GET", "POST"])
@requires("provision.manage")
def record_edit(record_id: int) -> ResponseReturnValue:
    """Correct a record: the creation form's fields and rules, a reason, the retention computed
    again (never shorter than before); the audit trail keeps the record before and after."""
    record = _record(record_id)
    if request.method == "GET":
        return _render_edit(record, ProvisionCorrectionForm(formdata=None, obj=record))
    form = ProvisionCorrectionForm()
    if request.form.get("preview"):
        # "Show the retention": the page again with the retention the form's values give.
        return _render_edit(record, form)
    if not form.validate_on_submit():
        return _render_edit(record, form, 400)
    edge.on_refusal(lambda _error: _render_edit(_record(record_id), form, 400), form=form)
    names, evidence_id = _store_list(form.individuals_file.data, form.foreign_country.data)
    if evidence_id is None:  # no new list: the record keeps the one it has
        names, evidence_id = record.individuals_list, record.individuals_list_evidence_id
    data = _input(form, form.direction.data, form.basis.data, names, evidence_id)
    reason = form.reason.data or ""
    if not service.update_provision(db(), actor(), record, data, reason=reason, now=now()):
        flash(_("Nothing was changed."), "info")
    elif record.retention_until is not None:
        flash(
            _(
                "The correction has been saved. The record is kept until %(date)s.",
                date=record.retention_until.isoformat(),
            ),
            "success",
        )
    else:
        flash(_("The correction has been saved. No retention period runs."), "success")
    return _to_record(record)


@bp.post("/<id:record_id>/remove")
@requires("provision.manage")
def record_remove(record_id: int) -> ResponseReturnValue:
    """Remove a record whose retention has ended (refused before)."""
    record = _record(record_id)
    if not EmptyForm().validate_on_submit():
        return _render_record(record, status=400)
    edge.on_refusal(
        lambda _error: _render_record(_record(record_id), status=409),
        announce=True,
        catch=(DomainError,),
    )
    service.remove_record(db(), actor(), record, today=today(), now=now())
    flash(_("The record has been removed; the audit trail keeps its hash."), "success")
    return redirect(url_for("provisions.record_list"))


# --- import and export -----------------------------------------------------------------------


def _render_import(form: ProvisionImportForm, error: Refusal | None, status: int) -> Any:
    page = render_template(
        "provisions/import.html", form=form, error=error, columns=queries.COLUMNS
    )
    return page, status


@bp.route("/import", methods=["GET", "POST"])
@requires("provision.manage")
def record_import() -> ResponseReturnValue:
    """Import records from a CSV (UTF-8 or CP932) or XLSX; all or nothing."""
    form = ProvisionImportForm()
    if form.validate_on_submit():
        upload: FileStorage = form.file.data
        edge.on_refusal(
            lambda problem: _render_import(form, refusal(problem), 400), catch=(DomainError,)
        )
        try:
            rows = read_provisions(
                upload.stream, upload.filename or "", WorkbookLimits.from_settings(settings())
            )
            count = store_provisions(db(), rows, actor=actor(), now=now(), today=today())
        finally:
            upload.close()
        flash(ngettext("%(num)d record imported.", "%(num)d records imported.", count), "success")
        if rows.encoding:
            flash(_("The file was read as %(encoding)s.", encoding=rows.encoding), "info")
        return redirect(url_for("provisions.record_list"))
    return _render_import(form, None, 400 if request.method == "POST" else 200)


@bp.get("/export")
@requires("provision.read")
def record_export() -> ResponseReturnValue:
    """Every record as a CSV (UTF-8 with BOM) or an XLSX (?format=xlsx) that imports again."""
    fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    rows = queries.export_rows(db())
    audit.record(
        db(),
        actor(),
        "provision.export",
        now=now(),
        object_type="provision_record",
        details={"records": len(rows) - 1, "format": fmt},
    )
    edge.keep_changes()  # the export is on the record, though this is a GET
    out = io.BytesIO()
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(SHEET)
        sheet.append([header_cell(sheet, name) for name in rows[0]])
        for row in rows[1:]:
            sheet.append([inert(sheet, value) for value in row])
        workbook.save(out)
        mimetype = XLSX
    else:
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(
            [[safe_text(value) for value in row] for row in rows]
        )
        out.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
        mimetype = "text/csv; charset=utf-8"
    out.seek(0)
    name = f"provisions-{today().isoformat()}.{fmt}"
    return send_file(out, mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/concerning")
@requires("provision.read")
def concerning() -> ResponseReturnValue:
    """The records that concern one person (for a disclosure under Art. 33(5)), as a CSV."""
    person = request.args.get("person", "").strip()[:200]
    if not person:
        abort(400)
    audit.record(
        db(),
        actor(),
        "provision.extract",
        now=now(),
        object_type="provision_record",
        details={"records": len(queries.concerning(db(), person))},
    )
    edge.keep_changes()
    out = io.BytesIO(queries.extract_csv(db(), person))
    return send_file(
        out,
        mimetype="text/csv; charset=utf-8",
        as_attachment=True,
        download_name=f"provision-records-extract-{today().isoformat()}.csv",
    )
