"""Anomaly pages: the filtered list with counts per rule, one anomaly's events, and triage."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from article8.access import queries, triage
from article8.access.models import ANOMALY_STATES, Anomaly
from article8.access.rules import AREA_RULES, RULES
from article8.controls.catalogue.models import Control
from article8.controls.findings.models import SEVERITIES
from article8.core.errors import DomainError
from article8.web import edge
from article8.web.access.forms import AcknowledgeForm, DismissForm, EscalateForm, rule_name
from article8.web.context import actor, db, lang, now, settings
from article8.web.errors import translated
from article8.web.params import Criteria
from article8.web.permissions import can, requires

bp = Blueprint("anomalies", __name__, url_prefix="/access/anomalies", template_folder="templates")
bp.add_app_template_filter(rule_name, "rule_name")

LIST_LIMIT = 500
# The list opens on what needs triage; "all" shows every status.
DEFAULT_STATUS = "new"


def _criteria(args: MultiDict[str, str]) -> queries.AnomalyFilter:
    """The list's filter from the query string (see :class:`Criteria`)."""
    given = Criteria(args)
    return queries.AnomalyFilter(
        date_from=given.day("from"),
        date_to=given.day("to"),
        rule=given.choice("rule", RULES),
        status=given.choice("status", ANOMALY_STATES, default=DEFAULT_STATUS),
        person=given.text("person"),
        severity=given.choice("severity", SEVERITIES),
    )


@bp.get("/")
@requires("anomaly.read")
def anomaly_list() -> ResponseReturnValue:
    """Anomalies by rule, status (new by default), person, date range and severity."""
    criteria = _criteria(request.args)
    found = queries.anomalies(db(), criteria, limit=LIST_LIMIT + 1)
    return render_template(
        "access/anomalies.html",
        anomalies=found[:LIST_LIMIT],
        more=len(found) > LIST_LIMIT,
        counts=queries.counts_by_rule(db(), criteria),
        criteria=criteria,
        args=request.args,
        rules=RULES,
        states=ANOMALY_STATES,
        severities=SEVERITIES,
        status_arg=request.args.get("status", DEFAULT_STATUS),
    )


def _controls() -> list[Control]:
    return list(db().scalars(select(Control).where(Control.active).order_by(Control.code)))


def _render(
    anomaly: Anomaly,
    *,
    ack_form: AcknowledgeForm | None = None,
    dismiss_form: DismissForm | None = None,
    escalate_form: EscalateForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    may_triage = can("anomaly.triage", anomaly)
    if may_triage:
        ack_form = ack_form or AcknowledgeForm(formdata=None)
        dismiss_form = dismiss_form or DismissForm(formdata=None)
        escalate_form = escalate_form or EscalateForm(
            formdata=None,
            controls=_controls(),
            lang=lang(),
            control=triage.default_control(anomaly.rule),
            severity=anomaly.severity,
        )
    page = render_template(
        "access/anomaly.html",
        anomaly=anomaly,
        events=queries.anomaly_events(db(), anomaly),
        area_rules=AREA_RULES,
        tz=settings().timezone,
        may_triage=may_triage,
        ack_form=ack_form if may_triage else None,
        dismiss_form=dismiss_form if may_triage else None,
        escalate_form=escalate_form if may_triage else None,
    )
    return page, status


@bp.get("/<id:anomaly_id>")
@requires("anomaly.read")
def anomaly_page(anomaly_id: int) -> ResponseReturnValue:
    """One anomaly: what the rule found, the events behind it, its triage."""
    return _render(triage.get_anomaly(db(), anomaly_id))


def _done(anomaly_id: int, message: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(url_for("anomalies.anomaly_page", anomaly_id=anomaly_id))


def _on_refusal(anomaly_id: int, form: FlaskForm, fields: dict[str, str], **forms: Any) -> None:
    """Show the service's refusal on the form field it names (or above the page) and the form
    again; an anomaly settled meanwhile by someone else sends back to its page, which says so."""

    def render(error: DomainError) -> ResponseReturnValue:
        if getattr(error, "field", None) == "status":
            flash(translated(error), "warning")
            return redirect(url_for("anomalies.anomaly_page", anomaly_id=anomaly_id))
        edge.put_on_form(form, error, fields)
        return _render(triage.get_anomaly(db(), anomaly_id), status=400, **forms)

    edge.on_refusal(render)


@bp.post("/<id:anomaly_id>/acknowledge")
@requires("anomaly.triage")
def acknowledge(anomaly_id: int) -> ResponseReturnValue:
    """Acknowledge the anomaly (a note is optional)."""
    anomaly = triage.get_anomaly(db(), anomaly_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return _render(anomaly, ack_form=form, status=400)
    _on_refusal(anomaly_id, form, {"*": "ack_reason"}, ack_form=form)
    triage.acknowledge(db(), actor(), anomaly, form.ack_reason.data or "", now=now())
    return _done(anomaly_id, _("The anomaly has been acknowledged."))


@bp.post("/<id:anomaly_id>/dismiss")
@requires("anomaly.triage")
def dismiss(anomaly_id: int) -> ResponseReturnValue:
    """Dismiss the anomaly with a reason."""
    anomaly = triage.get_anomaly(db(), anomaly_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return _render(anomaly, dismiss_form=form, status=400)
    _on_refusal(anomaly_id, form, {"*": "dismiss_reason"}, dismiss_form=form)
    triage.dismiss(db(), actor(), anomaly, form.dismiss_reason.data or "", now=now())
    return _done(anomaly_id, _("The anomaly has been dismissed."))


@bp.post("/<id:anomaly_id>/escalate")
@requires("anomaly.triage")
def escalate(anomaly_id: int) -> ResponseReturnValue:
    """Open a finding on the chosen control with the chosen severity, linked to the anomaly."""
    anomaly = triage.get_anomaly(db(), anomaly_id)
    form = EscalateForm(controls=_controls(), lang=lang())
    if not form.validate_on_submit():
        return _render(anomaly, escalate_form=form, status=400)
    fields = {"control": "control", "severity": "severity", "*": "escalate_reason"}
    _on_refusal(anomaly_id, form, fields, escalate_form=form)
    finding = triage.escalate(
        db(),
        actor(),
        anomaly,
        form.control.data,
        form.severity.data,
        now=now(),
        reason=form.escalate_reason.data or "",
        tz=settings().timezone,
    )
    flash(_("The anomaly has been escalated into finding %(id)d.", id=finding.id), "success")
    return redirect(url_for("findings.finding_page", finding_id=finding.id))
