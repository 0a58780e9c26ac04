"""Inspection pages: my work, the calendar list, performing, reviewing and assigning."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from article8.controls.catalogue import queries as control_queries
from article8.controls.catalogue.models import CATEGORIES
from article8.controls.inspections import queries
from article8.controls.inspections import services as workflow
from article8.controls.inspections.errors import ChecklistIncomplete
from article8.controls.inspections.models import INSPECTION_STATES, Inspection
from article8.core import roles, users
from article8.core.errors import DomainError
from article8.core.models import User
from article8.web import edge
from article8.web.context import actor, db, lang, now, today
from article8.web.errors import translated
from article8.web.evidence.forms import EvidenceUploadForm
from article8.web.evidence.views import (
    evidence_panel,
    inspection_upload_form,
    store_for_inspection,
)
from article8.web.forms import chosen_id
from article8.web.inspections.display import (
    Posted,
    failing_item,
    posted_answers,
    questions,
)
from article8.web.inspections.forms import ApproveForm, AssignForm, ReturnForm
from article8.web.params import Criteria
from article8.web.permissions import can, requires

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")

DEFAULT_HORIZON_DAYS = 60
LIST_LIMIT = 500
FILTER_KEYS = ("status", "category", "assignee", "control", "due_from", "due_to")


def assignable_people(current: User | None = None) -> list[User]:
    """Whom the service accepts as an assignee, plus the current assignee whatever they are."""
    return [
        u
        for u in users.list_users(db())
        if roles.is_assignable(u) or (current is not None and u.id == current.id)
    ]


# --- lists -----------------------------------------------------------------------------------


@bp.get("/mine")
@requires("inspection.perform")
def mine() -> ResponseReturnValue:
    """The signed-in user's inspections: overdue, returned, due soon, open, awaiting review."""
    day = today()
    return render_template(
        "inspections/mine.html",
        sections=queries.my_inspections(db(), current_user.id, day),
        today=day,
        lang=lang(),
    )


def _criteria(args: MultiDict[str, str]) -> queries.InspectionFilter:
    """The list's filter from the query string (see :class:`Criteria`)."""
    given = Criteria(args)
    return queries.InspectionFilter(
        status=given.choice("status", (*INSPECTION_STATES, "overdue", "pending")),
        category=given.choice("category", CATEGORIES),
        assignee_id=given.id("assignee"),
        control_code=given.text("control", max_length=20, upper=True),
        due_from=given.day("due_from"),
        due_to=given.day("due_to"),
    )


@dataclass(frozen=True)
class ListRow:
    """An inspection in the list, with what the list derives from the due date."""

    inspection: Inspection
    month: str
    days_overdue: int


@bp.get("/")
@requires("inspection.read")
def inspection_list() -> ResponseReturnValue:
    """Upcoming and overdue inspections, grouped by the month they are due."""
    day = today()
    args = request.args
    if not any(key in args for key in FILTER_KEYS):
        # The default view (shown in the filter, so it can be widened): work still owed in the
        # next two months, and everything overdue. A submitted empty filter shows everything.
        horizon = day + timedelta(days=DEFAULT_HORIZON_DAYS)
        args = MultiDict({"status": "pending", "due_to": horizon.isoformat()})
    found = queries.list_inspections(db(), _criteria(args), day, limit=LIST_LIMIT + 1)
    rows = [
        ListRow(i, f"{i.due_on:%Y-%m}", (day - i.due_on).days if i.is_overdue(day) else 0)
        for i in found[:LIST_LIMIT]
    ]
    return render_template(
        "inspections/list.html",
        rows=rows,
        truncated=len(found) > LIST_LIMIT,
        args=args,
        statuses=(*INSPECTION_STATES, "overdue", "pending"),
        categories=CATEGORIES,
        people=[u for u in users.list_users(db()) if u.role in roles.assignable_roles()],
        controls=control_queries.list_controls(db()),
        today=day,
        lang=lang(),
    )


@bp.get("/review")
@requires("inspection.review")
def review_queue() -> ResponseReturnValue:
    """Submitted inspections waiting for approval, the longest-waiting first."""
    queue = sorted(
        queries.review_queue(db(), today()), key=lambda i: (i.submitted_at is None, i.submitted_at)
    )
    return render_template("inspections/review.html", queue=queue, lang=lang())


# --- one inspection ------------------------------------------------------------------------


def _render(
    inspection: Inspection,
    *,
    posted: Posted | None = None,
    errors: dict[int, str] | None = None,
    assign_form: AssignForm | None = None,
    approve_form: ApproveForm | None = None,
    return_form: ReturnForm | None = None,
    upload_form: EvidenceUploadForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    day = today()
    can_assign = can("inspection.assign", inspection)
    if can_assign and assign_form is None:
        assign_form = AssignForm(
            formdata=None,
            people=assignable_people(inspection.assignee),
            assignee_id=str(inspection.assignee_id or ""),
        )
    awaiting_review = can("inspection.review") and inspection.status == "submitted"
    performed_it = inspection.performed_by_id == current_user.id
    can_review = can("inspection.review", inspection)
    page = render_template(
        "inspections/inspection.html",
        inspection=inspection,
        evidence_section=evidence_panel(inspection=inspection, form=upload_form),
        control=inspection.control,
        lang=lang(),
        today=day,
        overdue=inspection.is_overdue(day),
        days_overdue=(day - inspection.due_on).days,
        questions=questions(inspection, posted, errors or {}),
        can_perform=can("inspection.perform", inspection),
        performed_it=performed_it,
        awaiting_review=awaiting_review,
        can_review=can_review,
        approve_form=(approve_form or ApproveForm(formdata=None)) if can_review else None,
        return_form=(return_form or ReturnForm(formdata=None)) if can_review else None,
        assign_form=assign_form if can_assign else None,
        snapshot=json.loads(inspection.snapshot) if inspection.snapshot else None,
        findings=queries.findings(db(), inspection_id=inspection.id)
        if inspection.status == "approved"
        else [],
    )
    return page, status


@bp.get("/<id:inspection_id>")
@requires("inspection.read")
def inspection_page(inspection_id: int) -> ResponseReturnValue:
    """One inspection: its facts, its checklist and what the viewer may do with it."""
    return _render(workflow.get_inspection(db(), inspection_id))


def _refused(inspection_id: int, posted: Posted) -> Callable[[DomainError], ResponseReturnValue]:
    """Show the form again with the service's complaint next to the question it names."""

    def render(error: DomainError) -> ResponseReturnValue:
        item_id = failing_item(error)
        if isinstance(error, ChecklistIncomplete):
            # Every question that is not ready is marked at once; the count goes above the page.
            flash(translated(error), "danger")
            errors = {item: translated(problem) for item, problem in error.problems.items()}
        elif item_id is None:
            flash(translated(error), "danger")
            errors = {}
        else:
            errors = {item_id: translated(error)}
        return _render(
            workflow.get_inspection(db(), inspection_id), posted=posted, errors=errors, status=400
        )

    return render


def _save(inspection: Inspection) -> tuple[Posted, ResponseReturnValue | None]:
    """Save the posted answers (not committed); a response when they were refused."""
    answers, posted, errors = posted_answers(inspection)
    if errors:
        return posted, _render(inspection, posted=posted, errors=errors, status=400)
    edge.on_refusal(_refused(inspection.id, posted))
    workflow.save_answers(db(), actor(), inspection, answers, now=now())
    return posted, None


@bp.post("/<id:inspection_id>/answers")
@requires("inspection.perform")
def save_answers(inspection_id: int) -> ResponseReturnValue:
    """Save the answers as a draft; nothing is checked for completeness yet."""
    inspection = workflow.get_inspection(db(), inspection_id)
    _posted, refused = _save(inspection)
    if refused is not None:
        return refused
    flash(_("Your answers have been saved as a draft."), "success")
    return redirect(url_for("inspections.inspection_page", inspection_id=inspection_id))


@bp.post("/<id:inspection_id>/submit")
@requires("inspection.perform")
def submit(inspection_id: int) -> ResponseReturnValue:
    """Save the answers, then hand the inspection over for review."""
    inspection = workflow.get_inspection(db(), inspection_id)
    posted, refused = _save(inspection)
    if refused is not None:
        return refused
    show_again = _refused(inspection_id, posted)

    def kept_as_draft(error: DomainError) -> ResponseReturnValue:
        flash(
            _("Your answers have been saved as a draft, but the inspection was not submitted."),
            "warning",
        )
        return show_again(error)

    # An incomplete checklist is refused, but the answers given are kept: the submission runs
    # in a savepoint, and the edge commits the answers saved before it.
    edge.on_refusal(kept_as_draft, keep_earlier=True)
    with db().begin_nested():
        workflow.submit(db(), actor(), inspection, now=now())
    flash(_("The inspection has been submitted for review."), "success")
    return redirect(url_for("inspections.inspection_page", inspection_id=inspection_id))


@bp.post("/<id:inspection_id>/evidence")
@requires("evidence.upload")
def upload_evidence(inspection_id: int) -> ResponseReturnValue:
    """Upload evidence from the inspection page: the answers posted with the files are saved as
    a draft in the same transaction, and a refused file leaves the page with its message next
    to the file field and the answers as they were."""
    inspection = workflow.get_inspection(db(), inspection_id)
    posted: Posted | None = None
    saved = False
    if can("inspection.perform", inspection):
        # The upload sits inside the checklist's form: whatever was answered comes with it.
        answers, posted, errors = posted_answers(inspection)
        if errors:
            return _render(inspection, posted=posted, errors=errors, status=400)
        if answers:
            edge.on_refusal(_refused(inspection.id, posted))
            workflow.save_answers(db(), actor(), inspection, answers, now=now())
            saved = True
    form = inspection_upload_form(inspection)
    results = store_for_inspection(form, inspection) if form.validate_on_submit() else []
    for result in results:
        if result.item is not None:
            message = _(
                "Stored “%(name)s” as evidence %(id)d.", name=result.name, id=result.item.id
            )
            flash(message, "success")
    if saved:
        flash(_("Your answers have been saved as a draft."), "success")
    refused = [r for r in results if r.item is None]
    if results and not refused:
        return redirect(url_for("inspections.inspection_page", inspection_id=inspection_id))
    # Nothing is lost: the draft and the files that were accepted are committed all the same.
    edge.keep_changes()
    # The file field is far down a long page: say at the top that something needs attention.
    flash(_("The upload was refused: the reason is shown next to the file field."), "danger")
    form.files.errors = [
        *form.files.errors,
        *(f"{r.name}: {r.error}" for r in refused),
    ]
    statuses = {r.status for r in refused}
    status = statuses.pop() if len(statuses) == 1 else 400
    return _render(
        workflow.get_inspection(db(), inspection_id),
        posted=posted,
        upload_form=form,
        status=status,
    )


# --- review and assignment -----------------------------------------------------------------


@bp.post("/<id:inspection_id>/approve")
@requires("inspection.review")
def approve(inspection_id: int) -> ResponseReturnValue:
    """Approve a submitted inspection (never one's own: the service refuses with 403)."""
    inspection = workflow.get_inspection(db(), inspection_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _render(inspection, approve_form=form, status=400)
    edge.on_refusal(lambda _error: _render(inspection, status=400), announce=True)
    findings = workflow.approve(
        db(),
        actor(),
        inspection,
        now=now(),
        comment=form.approve_comment.data or "",
        severity=form.severity.data or "medium",
    )
    if findings:
        message = ngettext(
            "The inspection has been approved; %(num)d finding was opened.",
            "The inspection has been approved; %(num)d findings were opened.",
            len(findings),
        )
        flash(message, "success")
    else:
        flash(_("The inspection has been approved."), "success")
    return redirect(url_for("inspections.inspection_page", inspection_id=inspection_id))


@bp.post("/<id:inspection_id>/return")
@requires("inspection.review")
def return_for_rework(inspection_id: int) -> ResponseReturnValue:
    """Send a submitted inspection back to its performer with a comment."""
    inspection = workflow.get_inspection(db(), inspection_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render(inspection, return_form=form, status=400)
    edge.on_refusal(
        lambda _error: _render(inspection, return_form=form, status=400),
        form=form,
        fields={"*": "return_comment"},
    )
    workflow.return_for_rework(db(), actor(), inspection, form.return_comment.data or "", now=now())
    flash(_("The inspection has been returned to its performer."), "success")
    return redirect(url_for("inspections.review_queue"))


@bp.post("/<id:inspection_id>/assign")
@requires("inspection.assign")
def assign(inspection_id: int) -> ResponseReturnValue:
    """Give the inspection to someone, or take it back (unassigned)."""
    inspection = workflow.get_inspection(db(), inspection_id)
    form = AssignForm(people=assignable_people(inspection.assignee))
    if not form.validate_on_submit():
        return _render(inspection, assign_form=form, status=400)
    chosen = chosen_id(form.assignee_id)
    assignee = db().get(User, chosen) if chosen is not None else None
    edge.on_refusal(
        lambda _error: _render(inspection, assign_form=form, status=400),
        form=form,
        fields={"*": "assignee_id"},
    )
    workflow.assign(db(), actor(), inspection, assignee, now=now())
    if assignee is None:
        flash(_("The inspection is now unassigned."), "success")
    else:
        flash(_("The inspection is assigned to %(name)s.", name=assignee.display_name), "success")
    return redirect(url_for("inspections.inspection_page", inspection_id=inspection_id))
