"""Register pages: the people who handle personal data, their aliases and authorisations."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from article8.access import columns, queries
from article8.access import register as register_service
from article8.access.models import Handler
from article8.access.register_import import read_register, store_register
from article8.core.errors import DomainError
from article8.core.guarded import WorkbookLimits
from article8.web import edge
from article8.web.access.forms import AuthorisationForm, PersonForm, RegisterImportForm
from article8.web.context import actor, db, now, settings, today
from article8.web.forms import EmptyForm
from article8.web.permissions import can, requires
from article8.web.problems import Refusal, refusal

bp = Blueprint("register", __name__, url_prefix="/register", template_folder="templates")

EMPLOYMENT = ("employed", "left")


def _person(person_id: int) -> Handler:
    handler = queries.person(db(), person_id)
    if handler is None:
        abort(404)
    return handler


def _to_person(handler: Handler) -> ResponseReturnValue:
    return redirect(url_for("register.person_page", person_id=handler.id))


@bp.get("/")
@requires("register.read")
def people_list() -> ResponseReturnValue:
    """The register: search by id, name, department or alias; employed or left."""
    employment = request.args.get("employment", "")
    search = request.args.get("q", "").strip()[:200]
    return render_template(
        "register/list.html",
        people=queries.people(
            db(),
            search=search or None,
            employment=employment if employment in EMPLOYMENT else None,
            today=today(),
        ),
        args=request.args,
        today=today(),
        is_manager=can("register.manage"),
    )


def _render_person(
    handler: Handler, *, grant_form: AuthorisationForm | None = None, status: int = 200
) -> ResponseReturnValue:
    is_manager = can("register.manage")
    if is_manager and grant_form is None:
        grant_form = AuthorisationForm(formdata=None, valid_from=today())
    page = render_template(
        "register/person.html",
        person=handler,
        today=today(),
        is_manager=is_manager,
        grant_form=grant_form if is_manager else None,
        delete_form=EmptyForm(formdata=None) if is_manager else None,
    )
    return page, status


@bp.get("/<id:person_id>")
@requires("register.read")
def person_page(person_id: int) -> ResponseReturnValue:
    """One person: employment, aliases, authorisations, and a link to their history."""
    return _render_person(_person(person_id))


def _save_person(form: PersonForm, handler: Handler | None) -> Handler | None:
    """Save the form through the service; None (with the error on the form) when the employee
    id is taken; a refusal by the service shows the form again (see the callers)."""
    assert form.employed_from.data is not None
    data = register_service.PersonInput(
        employee_id=handler.employee_id if handler else (form.employee_id.data or "").strip(),
        name=(form.name.data or "").strip(),
        department=(form.department.data or "").strip(),
        employed_from=form.employed_from.data,
        employed_until=form.employed_until.data,
        aliases=form.alias_list(),
    )
    if handler is None and register_service.find_person(db(), data.employee_id) is not None:
        form.employee_id.errors = [
            *form.employee_id.errors,
            _("This employee ID is already in the register."),
        ]
        return None
    saved = register_service.save_person(db(), actor(), data, now=now())
    flash(_("%(id)s has been saved.", id=data.employee_id), "success")
    return saved.item


@bp.route("/new", methods=["GET", "POST"])
@requires("register.manage")
def person_new() -> ResponseReturnValue:
    """Add a person to the register."""
    form = PersonForm()
    if request.method == "GET":
        form.employed_from.data = today()
    elif form.validate_on_submit():
        edge.on_refusal(lambda _error: _render_edit(form, None, 400), form=form)
        saved = _save_person(form, None)
        if saved is not None:
            return _to_person(saved)
    return _render_edit(form, None, 400 if request.method == "POST" else 200)


def _render_edit(form: PersonForm, handler: Handler | None, status: int) -> ResponseReturnValue:
    return render_template("register/edit.html", form=form, person=handler), status


@bp.route("/<id:person_id>/edit", methods=["GET", "POST"])
@requires("register.manage")
def person_edit(person_id: int) -> ResponseReturnValue:
    """Change a person's name, department, employment dates and aliases."""
    handler = _person(person_id)
    if request.method == "GET":
        form = PersonForm(obj=handler)
        form.aliases.data = "\n".join(a.alias for a in handler.aliases)
    else:
        form = PersonForm()
        # The employee id keys the person: it is shown, never changed here.
        form.employee_id.data = handler.employee_id
        if form.validate_on_submit():
            edge.on_refusal(lambda _error: _render_edit(form, _person(person_id), 400), form=form)
            saved = _save_person(form, handler)
            if saved is not None:
                return _to_person(saved)
    return _render_edit(form, handler, 400 if request.method == "POST" else 200)


@bp.post("/<id:person_id>/authorisations")
@requires("register.manage")
def authorisation_save(person_id: int) -> ResponseReturnValue:
    """Add an authorisation, or change the one with the same kind and target."""
    handler = _person(person_id)
    form = AuthorisationForm()
    if not form.validate_on_submit() or form.valid_from.data is None:
        return _render_person(handler, grant_form=form, status=400)
    data = register_service.AuthorisationInput(
        employee_id=handler.employee_id,
        kind=form.kind.data or "",
        target=(form.target.data or "").strip(),
        actions=form.action_list() if form.kind.data == "system" else (),
        valid_from=form.valid_from.data,
        valid_until=form.valid_until.data,
    )
    edge.on_refusal(
        lambda _error: _render_person(_person(person_id), grant_form=form, status=400), form=form
    )
    saved = register_service.save_authorisation(db(), actor(), data, now=now())
    if saved.outcome == "unchanged":
        flash(_("Nothing was changed."), "info")
    else:
        flash(_("The authorisation for %(target)s has been saved.", target=data.target), "success")
    return redirect(url_for("register.person_page", person_id=person_id))


@bp.post("/<id:person_id>/authorisations/delete")
@requires("register.manage")
def authorisation_delete(person_id: int) -> ResponseReturnValue:
    """Remove an authorisation (the audit trail keeps what it was)."""
    handler = _person(person_id)
    form = EmptyForm()
    if form.validate_on_submit():
        kind, target = request.form.get("kind", ""), request.form.get("target", "")
        register_service.delete_authorisation(
            db(), actor(), handler.employee_id, kind, target, now=now()
        )
        flash(_("The authorisation for %(target)s has been removed.", target=target), "success")
    return redirect(url_for("register.person_page", person_id=person_id))


@bp.route("/import", methods=["GET", "POST"])
@requires("register.manage")
def register_import() -> ResponseReturnValue:
    """Import people or authorisations (CSV) or both (XLSX); all or nothing."""
    form = RegisterImportForm()
    if form.validate_on_submit():
        upload: FileStorage = form.file.data
        # Nothing of a refused file is kept: the import runs in the request's transaction.
        edge.on_refusal(
            lambda problem: _render_import(form, refusal(problem), 400), catch=(DomainError,)
        )
        try:
            # The file is read and checked before the session runs its first statement: on
            # SQLite that statement takes the write lock, which a slow or hostile file must
            # not hold (see load_user, which keeps the sign-in check out of this session).
            rows = read_register(
                upload.stream, upload.filename or "", WorkbookLimits.from_settings(settings())
            )
            report = store_register(db(), rows, actor=actor(), now=now())
        finally:
            upload.close()
        people, grants = report.people, report.authorisations
        flash(
            _(
                "Register imported. People: %(pc)d created, %(pu)d updated, %(pn)d "
                "unchanged. Authorisations: %(ac)d created, %(au)d updated, %(an)d unchanged.",
                pc=people["created"],
                pu=people["updated"],
                pn=people["unchanged"],
                ac=grants["created"],
                au=grants["updated"],
                an=grants["unchanged"],
            ),
            "success",
        )
        if report.encoding:
            flash(_("The file was read as %(encoding)s.", encoding=report.encoding), "info")
        return redirect(url_for("register.people_list"))
    return _render_import(form, None, 400 if request.method == "POST" else 200)


def _render_import(
    form: RegisterImportForm, error: Refusal | None, status: int
) -> ResponseReturnValue:
    samples = [
        ("people.csv", _("People (CSV, UTF-8)")),
        ("people-cp932.csv", _("People (CSV, CP932 for Excel)")),
        ("authorisations.csv", _("Authorisations (CSV, UTF-8)")),
        ("authorisations-cp932.csv", _("Authorisations (CSV, CP932 for Excel)")),
        ("register.xlsx", _("People and authorisations (XLSX)")),
    ]
    page = render_template(
        "register/import.html",
        form=form,
        error=error,
        columns=columns.REGISTER,
        samples=samples,
    )
    return page, status


@bp.get("/import/samples/<name>")
@requires("register.manage")
def register_sample(name: str) -> ResponseReturnValue:
    """A sample register file made of the documented examples: CSV (UTF-8 or CP932) or XLSX."""
    if name == "register.xlsx":
        return _download(columns.sample_workbook(), name, XLSX)
    stem, _sep, encoding = name.removesuffix(".csv").partition("-")
    if not name.endswith(".csv") or stem not in columns.REGISTER or encoding not in ("", "cp932"):
        abort(404)
    # A BOM tells Excel that a UTF-8 file is UTF-8.
    data = columns.sample_csv(columns.REGISTER[stem], encoding or "utf-8-sig")
    return _download(data, name, "text/csv")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, name: str, mimetype: str) -> ResponseReturnValue:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)
