"""Incident pages: report a violation (anyone), the list, and one incident's PPC assessment."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.incidents import queries, record
from article8.controls.incidents import services as service
from article8.controls.incidents.models import INCIDENT_STATES, Incident
from article8.web import edge
from article8.web.context import actor, db, lang, now, settings, today
from article8.web.incidents.forms import (
    ASSESSMENT_QUESTIONS,
    AssessForm,
    PpcReportForm,
    ReportForm,
    StatusForm,
)
from article8.web.permissions import can, requires

bp = Blueprint("incidents", __name__, url_prefix="/incidents", template_folder="templates")
log = logging.getLogger(__name__)


def _controls() -> list[Control]:
    return list(db().scalars(select(Control).where(Control.active).order_by(Control.code)))


def _incident(incident_id: int) -> Incident:
    # A reporter sees their own reports, not other people's (403 from the service).
    return service.visible_incident(db(), actor(), incident_id)


def _to_incident(incident_id: int) -> ResponseReturnValue:
    return redirect(url_for("incidents.incident_page", incident_id=incident_id))


# --- reporting -------------------------------------------------------------------------------


def _render_report(form: ReportForm, status: int = 200) -> ResponseReturnValue:
    page = render_template(
        "incidents/report.html",
        form=form,
        mine=queries.my_reports(db(), current_user.id),
        today=today(),
    )
    return page, status


@bp.route("/report", methods=["GET", "POST"])
@requires("incident.report")
def report() -> ResponseReturnValue:
    """Report a violation of the handling rules, or a sign of one (Article 8(2))."""
    form = ReportForm(controls=_controls(), lang=lang())
    if request.method == "GET":
        local_now = now().astimezone(settings().timezone)
        form.aware_at.data = local_now.replace(second=0, microsecond=0, tzinfo=None)
        form.control.data = request.args.get("control", "").upper()
        return _render_report(form)
    if not form.validate_on_submit() or form.aware_at.data is None:
        return _render_report(form, 400)
    edge.on_refusal(lambda _error: _render_report(form, 400), form=form)
    incident = service.report_violation(
        db(),
        actor(),
        form.title.data or "",
        form.description.data or "",
        form.aware_at.data.replace(tzinfo=settings().timezone),
        form.control.data or None,
        now=now(),
        tz=settings().timezone,
        base_url=settings().base_url,
    )
    flash(
        _("Thank you. Your report has been recorded and the responsible person informed."),
        "success",
    )
    return _to_incident(incident.id)


# --- the list and one incident ---------------------------------------------------------------


@bp.get("/")
@requires("incident.read")
def incident_list() -> ResponseReturnValue:
    """Incidents: open ones first, overdue PPC reports first and highlighted."""
    status = request.args.get("status", "")
    day = today()
    incidents = queries.incident_list(
        db(), day, status=status if status in INCIDENT_STATES else None
    )
    return render_template(
        "incidents/list.html",
        incidents=incidents,
        deadlines={i.id: queries.deadlines(i, day) for i in incidents},
        overdue={i.id for i in incidents if queries.is_overdue(i, day)},
        states=INCIDENT_STATES,
        args=request.args,
        today=day,
    )


def _render(incident: Incident, status: int = 200, **forms: Any) -> ResponseReturnValue:
    is_manager = can("incident.manage")
    is_open = incident.status != "closed"
    if is_manager:
        if is_open:
            forms.setdefault("assess_form", AssessForm.for_incident(incident))
            forms.setdefault("ppc_form", PpcReportForm(formdata=None, reported_on=today()))
        forms.setdefault("status_form", StatusForm(formdata=None, status=incident.status))
    page = render_template(
        "incidents/incident.html",
        incident=incident,
        deadlines=queries.deadlines(incident, today()),
        questions=ASSESSMENT_QUESTIONS,
        lang=lang(),
        today=today(),
        is_manager=is_manager,
        assess_form=forms.get("assess_form") if is_manager and is_open else None,
        ppc_form=forms.get("ppc_form") if is_manager and is_open and incident.reportable else None,
        status_form=forms.get("status_form") if is_manager else None,
    )
    return page, status


@bp.get("/<id:incident_id>")
@requires("incident.report")
def incident_page(incident_id: int) -> ResponseReturnValue:
    """One incident: what was reported, the PPC assessment, deadlines and reports, status."""
    return _render(_incident(incident_id))


@bp.post("/<id:incident_id>/assess")
@requires("incident.manage")
def assess(incident_id: int) -> ResponseReturnValue:
    """Answer the four PPC conditions; deadlines follow when a report is required."""
    incident = _incident(incident_id)
    form = AssessForm()
    if not form.validate_on_submit():
        return _render(incident, 400, assess_form=form)
    edge.on_refusal(lambda _error: _to_incident(incident_id), announce=True)
    service.assess(db(), actor(), incident, **form.answers(), now=now(), tz=settings().timezone)
    if incident.reportable:
        flash(_("Assessed: a leak report to the PPC is required."), "warning")
    else:
        flash(_("Assessed: no leak report to the PPC is required."), "success")
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/ppc-report")
@requires("incident.manage")
def ppc_report(incident_id: int) -> ResponseReturnValue:
    """Record the day the preliminary or the final report was made to the PPC."""
    incident = _incident(incident_id)
    form = PpcReportForm()
    if not form.validate_on_submit() or form.reported_on.data is None:
        return _render(incident, 400, ppc_form=form)
    edge.on_refusal(
        lambda _error: _render(incident, 400, ppc_form=form),
        form=form,
        fields={"reported_on": "reported_on"},
    )
    record.record_filing(
        db(),
        actor(),
        incident,
        kind=form.kind.data or "",
        filed_on=form.reported_on.data,
        now=now(),
        tz=settings().timezone,
    )
    flash(_("The report date has been recorded."), "success")
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/status")
@requires("incident.manage")
def set_status(incident_id: int) -> ResponseReturnValue:
    """Move the incident on, or close it with how it was resolved."""
    incident = _incident(incident_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _render(incident, 400, status_form=form)
    edge.on_refusal(
        lambda _error: _render(incident, 400, status_form=form),
        form=form,
        fields={"resolution": "resolution"},
    )
    service.set_status(
        db(),
        actor(),
        incident,
        form.status.data or "",
        now=now(),
        resolution=form.resolution.data or "",
    )
    flash(_("The incident has been updated."), "success")
    return _to_incident(incident_id)
