"""Finding pages: the list, one finding, its severity and its corrective actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from article8.controls.catalogue.models import ChecklistItem
from article8.controls.findings import services as finding_service
from article8.controls.findings.models import FINDING_STATES, SEVERITIES, CorrectiveAction, Finding
from article8.controls.inspections import queries
from article8.core import roles, users
from article8.core.models import User
from article8.web import edge
from article8.web.context import actor, db, lang, now, settings, today
from article8.web.errors import translated
from article8.web.findings.forms import ActionForm, CancelForm, ProgressForm, SeverityForm
from article8.web.forms import EmptyForm, chosen_id
from article8.web.permissions import can, requires

bp = Blueprint("findings", __name__, url_prefix="/findings", template_folder="templates")


def _action_owners() -> list[User]:
    """Active users who may work on an action; auditors stay read-only and independent."""
    return [u for u in users.list_users(db()) if roles.is_assignable(u)]


@bp.get("/")
@requires("finding.read")
def finding_list() -> ResponseReturnValue:
    """Findings, those still being worked on first; overdue corrective actions."""
    status = request.args.get("status", "")
    severity = request.args.get("severity", "")
    return render_template(
        "findings/list.html",
        findings=queries.findings(
            db(),
            status=status if status in FINDING_STATES else None,
            severity=severity if severity in SEVERITIES else None,
        ),
        overdue_actions=queries.overdue_actions(db(), today()),
        args=request.args,
        statuses=FINDING_STATES,
        severities=SEVERITIES,
        today=today(),
        lang=lang(),
    )


def _render(
    finding: Finding,
    *,
    severity_form: SeverityForm | None = None,
    action_form: ActionForm | None = None,
    progress_errors: dict[int, str] | None = None,
    cancel_forms: dict[int, CancelForm] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    is_manager = can("finding.manage")
    if is_manager and severity_form is None:
        severity_form = SeverityForm(formdata=None, severity=finding.severity)
    can_add = is_manager and finding.status != "verified"
    if can_add and action_form is None:
        action_form = ActionForm(formdata=None, people=_action_owners())
    item = db().get(ChecklistItem, finding.item_id) if finding.item_id else None
    page = render_template(
        "findings/finding.html",
        finding=finding,
        control=finding.control,
        item=item,
        lang=lang(),
        today=today(),
        is_manager=is_manager,
        severity_form=severity_form if is_manager else None,
        action_form=action_form if can_add else None,
        progress_errors=progress_errors or {},
        cancel_forms=cancel_forms or {},
    )
    return page, status


@bp.get("/<id:finding_id>")
@requires("finding.read")
def finding_page(finding_id: int) -> ResponseReturnValue:
    """One finding with its control, its inspection and its corrective actions."""
    return _render(finding_service.get_finding(db(), finding_id))


def _to_finding(finding_id: int) -> ResponseReturnValue:
    return redirect(url_for("findings.finding_page", finding_id=finding_id))


@bp.post("/<id:finding_id>/severity")
@requires("finding.manage")
def finding_severity(finding_id: int) -> ResponseReturnValue:
    """Grade the finding low, medium or high."""
    finding = finding_service.get_finding(db(), finding_id)
    form = SeverityForm()
    if not form.validate_on_submit():
        return _render(finding, severity_form=form, status=400)
    finding_service.set_severity(db(), actor(), finding, form.severity.data or "", now=now())
    flash(_("The severity has been saved."), "success")
    return _to_finding(finding_id)


@bp.post("/<id:finding_id>/actions")
@requires("finding.manage")
def action_add(finding_id: int) -> ResponseReturnValue:
    """Plan a corrective action with an owner and a due date."""
    finding = finding_service.get_finding(db(), finding_id)
    form = ActionForm(people=_action_owners())
    if not form.validate_on_submit() or form.due_on.data is None:
        return _render(finding, action_form=form, status=400)
    owner = db().get(User, chosen_id(form.owner_id) or 0)
    assert owner is not None  # the form only offers existing users
    edge.on_refusal(lambda _error: _render(finding, action_form=form, status=400), form=form)
    finding_service.add_action(
        db(),
        actor(),
        finding,
        description=form.description.data or "",
        owner=owner,
        due_on=form.due_on.data,
        now=now(),
        tz=settings().timezone,
        base_url=settings().base_url,
        fy_start_month=settings().fiscal_year_start,
    )
    flash(_("The corrective action has been added."), "success")
    return _to_finding(finding_id)


def _action(action_id: int) -> CorrectiveAction:
    return finding_service.get_action(db(), action_id)


@bp.post("/actions/<id:action_id>/progress")
@requires("action.progress")
def action_progress(action_id: int) -> ResponseReturnValue:
    """The owner (or a manager) starts, resolves or reopens a corrective action."""
    action = _action(action_id)
    finding_id = action.finding_id
    form = ProgressForm()
    if not form.validate_on_submit():
        flash(_("Choose what to do with the corrective action."), "danger")
        return _to_finding(finding_id)
    edge.on_refusal(
        lambda error: _render(
            finding_service.get_finding(db(), finding_id),
            progress_errors={action_id: translated(error)},
            status=400,
        )
    )
    finding_service.progress_action(
        db(),
        actor(),
        action,
        form.status.data or "",
        now=now(),
        resolution=form.resolution.data or "",
    )
    flash(_("The corrective action has been updated."), "success")
    return _to_finding(finding_id)


@bp.post("/actions/<id:action_id>/verify")
@requires("finding.manage")
def action_verify(action_id: int) -> ResponseReturnValue:
    """Confirm that a resolved action works (never by its owner: the service refuses)."""
    action = _action(action_id)
    finding_id = action.finding_id
    form = EmptyForm()
    if not form.validate_on_submit():
        return _to_finding(finding_id)
    edge.on_refusal(lambda _error: _to_finding(finding_id), announce=True)
    finding_service.verify_action(db(), actor(), action, now=now())
    flash(_("The corrective action has been verified."), "success")
    return _to_finding(finding_id)


@bp.post("/actions/<id:action_id>/cancel")
@requires("finding.manage")
def action_cancel(action_id: int) -> ResponseReturnValue:
    """Cancel an open or started action that is no longer needed, with the reason."""
    action = _action(action_id)
    finding_id = action.finding_id
    form = CancelForm()

    def again(_error: object = None) -> ResponseReturnValue:
        finding = finding_service.get_finding(db(), finding_id)
        return _render(finding, cancel_forms={action_id: form}, status=400)

    if not form.validate_on_submit():
        return again()
    edge.on_refusal(again, form=form, fields={"*": "reason"})
    finding_service.cancel_action(db(), actor(), action, form.reason.data or "", now=now())
    flash(_("The corrective action has been cancelled."), "success")
    return _to_finding(finding_id)
