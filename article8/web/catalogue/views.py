"""The control catalogue: list, one control, edits, custom controls and the coverage crosswalk."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import Field

from article8.controls.catalogue import queries, services
from article8.controls.catalogue.errors import CatalogueError
from article8.controls.catalogue.files import Bilingual, parse_control, shipped_references
from article8.controls.catalogue.iso27001 import ANNEX_A
from article8.controls.catalogue.models import (
    ARTICLE8_CLAUSES,
    CATEGORIES,
    FREQUENCIES,
    PPC_HEADINGS,
    Control,
)
from article8.core import users
from article8.core.errors import N_, DomainError, NotFound, Phrase, ValidationError
from article8.core.models import User
from article8.web import edge
from article8.web.catalogue.forms import (
    ANNEX_A_THEMES,
    CATEGORY_NAMES,
    CLAUSE_NAMES,
    FREQUENCY_NAMES,
    PPC_HEADING_NAMES,
    ChecklistForm,
    ControlSettingsForm,
    CustomControlForm,
    clause_label,
)
from article8.web.context import actor, db, lang, now
from article8.web.errors import translated
from article8.web.evidence.views import evidence_panel
from article8.web.params import Criteria
from article8.web.permissions import can, requires

bp = Blueprint("catalogue", __name__, url_prefix="/controls", template_folder="templates")

ACTIVE_ARGS = {"yes": True, "no": False}
CUSTOM_PREFIX = "CUS"


@bp.app_template_filter("category_name")
def category_name(category: str) -> str:
    """A category in the user's language."""
    return str(CATEGORY_NAMES.get(category, category))


@bp.app_template_filter("frequency_name")
def frequency_name(frequency: str) -> str:
    """An inspection frequency in the user's language."""
    return str(FREQUENCY_NAMES.get(frequency, frequency))


bp.add_app_template_filter(clause_label, "clause_label")


def _other(lang: str) -> str:
    return "en" if lang == "ja" else "ja"


def _criteria(args: MultiDict[str, str]) -> queries.ControlFilter:
    """The list's filter from the query string (see :class:`Criteria`)."""
    given = Criteria(args)
    return queries.ControlFilter(
        category=given.choice("category", CATEGORIES),
        clause=given.choice("clause", (*ARTICLE8_CLAUSES, "guideline")),
        frequency=given.choice("frequency", FREQUENCIES),
        owner_id=given.id("owner"),
        active=ACTIVE_ARGS.get(args.get("active", "")),
        search=given.text("q"),
    )


def _can_edit() -> bool:
    return can("catalogue.edit")


@bp.get("/")
@requires("catalogue.read")
def control_list() -> ResponseReturnValue:
    """The catalogue, filtered by category, clause, frequency, owner, status and text."""
    return render_template(
        "catalogue/list.html",
        controls=queries.list_controls(db(), _criteria(request.args)),
        owners=users.list_users(db()),
        args=request.args,
        categories=CATEGORIES,
        clauses=(*ARTICLE8_CLAUSES, "guideline"),
        frequencies=FREQUENCIES,
        annex_a=ANNEX_A,
        lang=lang(),
        can_edit=_can_edit(),
    )


def _detail(code: str) -> Control:
    control = queries.control_detail(db(), code)
    if control is None:
        raise NotFound(N_("No control with code %(code)s."), code=code)
    return control


def _owners(control: Control) -> list[User]:
    """Active users, plus the current owner even when deactivated (so the page tells the truth)."""
    return [u for u in users.list_users(db()) if u.active or u.id == control.owner_id]


def _lines(items: list[Bilingual], lang: str) -> str:
    return "\n".join(getattr(item, lang) for item in items)


def _render_control(
    control: Control,
    *,
    settings_form: ControlSettingsForm | None = None,
    checklist_form: ChecklistForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    language = lang()
    revision = control.current_revision
    questions = [Bilingual(i.text_en, i.text_ja) for i in revision.items] if revision else []
    can_edit = _can_edit()
    if can_edit and settings_form is None:
        # formdata=None: on a POST for the other form, this one shows the stored values.
        settings_form = ControlSettingsForm(
            formdata=None,
            owners=_owners(control),
            owner_id=str(control.owner_id or ""),
            frequency=control.frequency,
            active=control.active,
        )
    if can_edit and control.source == "custom" and checklist_form is None:
        checklist_form = ChecklistForm(
            formdata=None,
            checklist_en=_lines(questions, "en"),
            checklist_ja=_lines(questions, "ja"),
        )
    page = render_template(
        "catalogue/control.html",
        control=control,
        evidence_section=evidence_panel(control=control),
        lang=language,
        other=_other(language),
        clauses=control.refs("article8"),
        ppc_headings=control.refs("ppc"),
        iso_refs=[(ref, ANNEX_A.get(ref, "")) for ref in control.refs("iso27001")],
        revision=revision,
        earlier=list(reversed(control.revisions[:-1])),
        evidence=services.evidence_expected(control),
        reference=shipped_references().get(control.code) if control.source == "catalogue" else None,
        can_edit=can_edit,
        settings_form=settings_form,
        checklist_form=checklist_form if control.source == "custom" else None,
    )
    return page, status


@bp.get("/<code>")
@requires("catalogue.read")
def control_page(code: str) -> ResponseReturnValue:
    """One control: texts, mappings, checklist and its revisions, evidence expected."""
    return _render_control(_detail(code))


def _add_error(field: Field | None, message: str) -> None:
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "danger")


@bp.post("/<code>/settings")
@requires("catalogue.edit")
def control_settings(code: str) -> ResponseReturnValue:
    """Change the owner, the inspection frequency and whether the control is active."""
    control = _detail(code)
    form = ControlSettingsForm(owners=_owners(control))
    if not form.validate_on_submit():
        return _render_control(control, settings_form=form, status=400)
    edge.on_refusal(
        lambda _error: _render_control(control, settings_form=form, status=400), form=form
    )
    changes = services.update_settings(
        db(),
        actor(),
        control,
        owner_id=form.owner,
        frequency=form.frequency.data or "",
        active=bool(form.active.data),
        now=now(),
    )
    if changes:
        flash(_("The settings of %(code)s have been saved.", code=code), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("catalogue.control_page", code=code))


@bp.post("/<code>/checklist")
@requires("catalogue.edit")
def control_checklist(code: str) -> ResponseReturnValue:
    """Give a custom control a new checklist revision."""
    control = _detail(code)
    form = ChecklistForm()
    if not form.validate_on_submit():
        return _render_control(control, checklist_form=form, status=400)
    edge.on_refusal(
        lambda _error: _render_control(control, checklist_form=form, status=400),
        form=form,
        fields={"checklist": "checklist_en"},
    )
    revision = services.revise_checklist(db(), actor(), control, form.items(), now=now())
    if revision is None:
        flash(_("The checklist is unchanged."), "info")
    else:
        flash(_("Checklist revision %(number)d has been saved.", number=revision.number), "success")
    return redirect(url_for("catalogue.control_page", code=code))


def _next_custom_code() -> str:
    taken = {
        c.code
        for c in queries.list_controls(db(), queries.ControlFilter(search=f"{CUSTOM_PREFIX}-"))
    }
    number = 1
    while f"{CUSTOM_PREFIX}-{number:02d}" in taken:
        number += 1
    return f"{CUSTOM_PREFIX}-{number:02d}"


@bp.route("/new", methods=["GET", "POST"])
@requires("catalogue.edit")
def control_new() -> ResponseReturnValue:
    """Add an organisation's own control with its own checklist."""
    form = CustomControlForm()
    if request.method == "GET":
        form.code.data = _next_custom_code()
        form.frequency.data = "annual"
    if form.validate_on_submit():

        def refused(error: DomainError) -> ResponseReturnValue:
            if isinstance(error, CatalogueError):
                problem = error.params.get("problem", error)
                shown = translated(problem) if isinstance(problem, Phrase) else str(problem)
                message = _("This value was not accepted: %(problem)s", problem=shown)
                _add_error(form.field_for(error.field), message)
            else:
                edge.put_on_form(form, error)
            return render_template("catalogue/new.html", form=form), 400

        edge.on_refusal(refused, catch=(CatalogueError, ValidationError))
        # The catalogue's own validation, so a custom control meets the rules a file must.
        spec = parse_control(form.raw(), "form")
        control = services.create_custom_control(db(), actor(), spec, now=now())
        flash(_("The control %(code)s has been added.", code=control.code), "success")
        return redirect(url_for("catalogue.control_page", code=control.code))
    return render_template("catalogue/new.html", form=form), 400 if form.errors else 200


@bp.get("/coverage")
@requires("catalogue.read")
def coverage() -> ResponseReturnValue:
    """Which active controls implement each Article 8 clause, PPC heading and Annex A control."""
    data = queries.coverage(db())
    article8, ppc, iso = (
        cast(dict[str, list[str]], data[k]) for k in ("article8", "ppc", "iso27001")
    )
    themes: dict[str, list[tuple[str, str, list[str]]]] = {theme: [] for theme in ANNEX_A_THEMES}
    for ref, codes in iso.items():
        theme = ".".join(ref.split(".")[:2])
        themes.setdefault(theme, []).append((ref, ANNEX_A.get(ref, ""), codes))
    return render_template(
        "catalogue/coverage.html",
        article8=[(f"({c})", str(CLAUSE_NAMES[c]), article8[c]) for c in ARTICLE8_CLAUSES],
        ppc=[(h, str(PPC_HEADING_NAMES[h]), ppc[h]) for h in PPC_HEADINGS],
        themes=[(ANNEX_A_THEMES.get(t, t), rows) for t, rows in themes.items() if rows],
        gaps={
            "article8": sum(1 for codes in article8.values() if not codes),
            "ppc": sum(1 for codes in ppc.values() if not codes),
            "iso27001": sum(1 for codes in iso.values() if not codes),
        },
        totals={"article8": len(article8), "ppc": len(ppc), "iso27001": len(iso)},
        active_controls=data["controls"],
        titles={c.code: c.title(lang()) for c in queries.list_controls(db())},
        beyond_annex=queries.beyond_annex(db()),  # issue 17
    )
