"""Incident pages: report an incident or rule breach (anyone), the list, and one incident's
leak-report record: facts, assessment, report items, reports filed, notification, status."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.incidents import deadlines as ppc
from article8.controls.incidents import queries, record
from article8.controls.incidents import services as service
from article8.controls.incidents.errors import NotClosable
from article8.controls.incidents.models import INCIDENT_STATES, Incident
from article8.core.errors import ValidationError
from article8.evidence.blobstore import evidence_store
from article8.reports import leak_report
from article8.web import edge
from article8.web.context import actor, db, lang, now, settings, today
from article8.web.incidents.forms import (
    ASSESSMENT_QUESTIONS,
    AssessForm,
    ReportForm,
    StatusForm,
)
from article8.web.incidents.record_forms import (
    ITEM_HINTS,
    FilingForm,
    ItemsForm,
    NotificationForm,
    RecordForm,
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
    """Report a personal-data incident or a rule breach, near misses included (Article 8(2))."""
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


def _policy() -> ppc.Policy:
    return ppc.Policy.from_settings(settings())


def _render(incident: Incident, status: int = 200, **forms: Any) -> ResponseReturnValue:
    is_manager = can("incident.manage")
    is_open = incident.status != "closed"
    tz = settings().timezone
    if is_manager:
        if is_open:
            forms.setdefault("assess_form", AssessForm.for_incident(incident))
            forms.setdefault("record_form", RecordForm.for_incident(incident, tz))
            forms.setdefault("items_form", ItemsForm.for_incident(incident))
            forms.setdefault("ppc_form", FilingForm(formdata=None, reported_on=today()))
            forms.setdefault("notification_form", NotificationForm.for_incident(incident))
        forms.setdefault("status_form", StatusForm(formdata=None, status=incident.status))
    editable = is_manager and is_open
    page = render_template(
        "incidents/incident.html",
        incident=incident,
        deadlines=queries.deadlines(incident, today()),
        questions=ASSESSMENT_QUESTIONS,
        item_hints=ITEM_HINTS,
        missing=service.missing(incident),
        report_required=service.report_required(incident),
        documents=_documents(incident),
        next_stage=leak_report.stage_of(incident),
        policy=_policy(),
        lang=lang(),
        today=today(),
        is_manager=is_manager,
        assess_form=forms.get("assess_form") if editable else None,
        record_form=forms.get("record_form") if editable else None,
        items_form=forms.get("items_form") if editable else None,
        ppc_form=forms.get("ppc_form") if editable else None,
        notification_form=forms.get("notification_form") if editable else None,
        status_form=forms.get("status_form") if is_manager else None,
    )
    return page, status


def _documents(incident: Incident) -> list[Any]:
    return leak_report.documents(db(), incident.id)


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
    edge.on_refusal(
        lambda _error: _render(incident, 400, assess_form=form),
        form=form,
        fields={"over_1000": "over_1000"},
    )
    service.assess(
        db(),
        actor(),
        incident,
        **form.answers(),
        now=now(),
        tz=settings().timezone,
        policy=_policy(),
    )
    if incident.reportable:
        flash(_("Assessed: a leak report to the PPC is required."), "warning")
    else:
        flash(_("Assessed: no leak report to the PPC is required."), "success")
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/ppc-report")
@requires("incident.manage")
def ppc_report(incident_id: int) -> ResponseReturnValue:
    """Record a report made to the PPC or the ministry it delegated to."""
    incident = _incident(incident_id)
    form = FilingForm()
    if not form.validate_on_submit() or form.reported_on.data is None:
        return _render(incident, 400, ppc_form=form)
    edge.on_refusal(
        lambda _error: _render(incident, 400, ppc_form=form),
        form=form,
        fields={"filed_on": "reported_on", **{n: n for n in form.data if n != "csrf_token"}},
    )
    record.record_filing(
        db(),
        actor(),
        incident,
        kind=form.kind.data or "",
        filed_on=form.reported_on.data,
        destination=form.destination.data or "ppc",
        authority=form.authority.data or "",
        receipt_number=form.receipt_number.data or "",
        voluntary_reason=form.voluntary_reason.data or "",
        now=now(),
        tz=settings().timezone,
    )
    flash(_("The report has been recorded."), "success")
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/record")
@requires("incident.manage")
def update_record(incident_id: int) -> ResponseReturnValue:
    """Save the facts: awareness (a change needs a reason), occurrence, kinds, data, count."""
    incident = _incident(incident_id)
    form = RecordForm()
    if not form.validate_on_submit() or form.aware_at.data is None:
        return _render(incident, 400, record_form=form)
    fields = {n: n for n in form.data if n != "csrf_token"}
    fields |= {"individuals_estimate": "individuals_low"}
    edge.on_refusal(
        lambda _error: _render(incident, 400, record_form=form), form=form, fields=fields
    )
    record.update_record(
        db(),
        actor(),
        incident,
        form.fields_for(settings().timezone),
        now=now(),
        tz=settings().timezone,
        policy=_policy(),
    )
    flash(_("The record has been saved."), "success")
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/items")
@requires("incident.manage")
def update_items(incident_id: int) -> ResponseReturnValue:
    """Save the report items (規則8条1項); each change is kept as a new version."""
    incident = _incident(incident_id)
    form = ItemsForm()
    if not form.validate_on_submit():
        return _render(incident, 400, items_form=form)
    edge.on_refusal(lambda _error: _render(incident, 400, items_form=form), form=form)
    added = record.revise_items(db(), actor(), incident, form.items(), now=now())
    flash(
        ngettext("%(num)d item revised.", "%(num)d items revised.", len(added))
        if added
        else _("Nothing changed."),
        "success",
    )
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/notification")
@requires("incident.manage")
def notification(incident_id: int) -> ResponseReturnValue:
    """Record 本人通知, or the alternative measures where notifying is difficult."""
    incident = _incident(incident_id)
    form = NotificationForm()
    if not form.validate_on_submit():
        return _render(incident, 400, notification_form=form)
    edge.on_refusal(
        lambda _error: _render(incident, 400, notification_form=form),
        form=form,
        fields={n: n for n in form.data if n != "csrf_token"},
    )
    record.record_notification(
        db(),
        actor(),
        incident,
        form.way.data or "",
        notified_on=form.notified_on.data,
        method=form.method.data or "",
        content=form.content.data or "",
        published_on=form.published_on.data,
        where=form.where.data or "",
        inquiry_desk=form.inquiry_desk.data or "",
        now=now(),
        tz=settings().timezone,
    )
    flash(_("The notification of the individuals has been recorded."), "success")
    return _to_incident(incident_id)


@bp.post("/<id:incident_id>/document")
@requires("incident.manage")
def document(incident_id: int) -> ResponseReturnValue:
    """Generate the report document (xlsx) and keep it as evidence on ORG-07."""
    incident = _incident(incident_id)
    edge.on_refusal(lambda _error: _to_incident(incident_id), announce=True)
    stage = request.form.get("stage", "")
    generated = leak_report.generate_and_store(
        db(),
        evidence_store(settings()),
        actor(),
        incident,
        settings=settings(),
        now=now(),
        stage=stage if stage in leak_report.STAGES else None,
    )
    flash(
        _(
            "Version %(version)d of the report document has been kept as evidence.",
            version=generated.version,
        ),
        "success",
    )
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
        lambda _error: _render(
            incident, 409 if isinstance(_error, NotClosable) else 400, status_form=form
        ),
        form=form,
        fields={"resolution": "resolution"},
        catch=(ValidationError, NotClosable),
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
