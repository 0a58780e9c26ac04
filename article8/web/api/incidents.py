"""Incidents in the JSON API (issue 15): help desks and monitoring systems raise incidents, the
responsible person's tools keep the leak-report record, and anyone allowed reads it with its
reportability, PPC deadlines and what still blocks closing it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from article8.controls.incidents import deadlines as ppc
from article8.controls.incidents import record, services
from article8.controls.incidents.errors import NotClosable
from article8.controls.incidents.models import REPORT_ITEMS, Incident
from article8.core.audit import Actor
from article8.core.errors import N_, ValidationError
from article8.core.vocabulary import CLOSING_BLOCKERS
from article8.web.api.views import api_requires, bp
from article8.web.context import client_addr, db, now, settings
from article8.web.permissions import public


def _actor() -> Actor:
    """The token's owner (authenticated by the blueprint before the view runs)."""
    user = g.api_user
    return Actor(user.id, user.email, client_addr(), user.role)


def _body() -> Mapping[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, Mapping):
        raise ValidationError(N_("Send a JSON object (Content-Type: application/json)."))
    return body


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def incident_json(incident: Incident) -> dict[str, Any]:
    """One incident as the API shows it: the record, reportability, deadlines, blockers."""
    tz = settings().timezone
    items = incident.items()
    due = incident.final_due_on is not None
    return {
        "id": incident.id,
        "title": incident.title,
        "description": incident.description,
        "status": incident.status,
        "reported_at": incident.reported_at.isoformat(),
        "aware_at": incident.aware_at.astimezone(tz).isoformat(),
        "aware_confirmed": incident.aware_confirmed_at is not None,
        "occurred_at": incident.occurred_at.astimezone(tz).isoformat()
        if incident.occurred_at
        else None,
        "occurred_unknown": incident.occurred_unknown,
        "kinds": incident.kinds,
        "certainty": incident.certainty,
        "media": incident.media,
        "personal_data": incident.personal_data,
        "personal_data_reason": incident.personal_data_reason,
        "encrypted_exempt": incident.encrypted_exempt,
        "encryption_note": incident.encryption_note,
        "triggers": {
            "sensitive": incident.sensitive_data,
            "financial": incident.financial_harm,
            "unlawful_purpose": incident.unlawful_purpose,
            "over_1000": incident.over_1000_people,
        },
        "individuals": incident.individuals,
        "individuals_estimate": {
            "low": incident.individuals_low,
            "high": incident.individuals_high,
        }
        if incident.individuals_estimated
        else None,
        "entrustment": incident.entrustment,
        "principal_notified_on": _day(incident.principal_notified_on),
        "principal_recipient": incident.principal_recipient,
        "items": {
            code: {"text": items[code].text, "version": items[code].version}
            for code in REPORT_ITEMS
            if code in items
        },
        "reports": [record.filing_json(f) for f in incident.filings],
        "notification": {
            "way": incident.notification,
            "notified_on": _day(incident.notified_on),
            "method": incident.notification_method,
            "content": incident.notification_content,
            "published_on": _day(incident.alternative_published_on),
            "where": incident.alternative_where,
            "inquiry_desk": incident.inquiry_desk,
        }
        if incident.notification
        else None,
        "reportable": bool(incident.assessed and incident.reportable),
        "deadlines": {
            "preliminary_target": _day(incident.preliminary_target_on),
            "preliminary": _day(incident.preliminary_due_on),
            "final": _day(incident.final_due_on),
        }
        if due
        else None,
        "missing": services.missing(incident),
        "links": {
            "self": url_for("api.incident_item", incident_id=incident.id),
            "page": url_for("incidents.incident_page", incident_id=incident.id),
        },
    }


@bp.errorhandler(NotClosable)
def _not_closable(error: NotClosable) -> ResponseReturnValue:
    labels = [_(CLOSING_BLOCKERS.label(code)) for code in error.missing]
    message = _("The incident cannot be closed yet: %(missing)s.", missing="; ".join(labels))
    return jsonify(error=message, missing=list(error.missing)), 409


@bp.post("/incidents")
@public
@api_requires("incident.raise")
def incident_create() -> ResponseReturnValue:
    """Report an incident (title, description, aware_at?, occurred_at?); 201 with the record."""
    body = _body()
    tz, at = settings().timezone, now()
    aware, occurred = body.get("aware_at"), body.get("occurred_at")
    incident = services.report_violation(
        db(),
        _actor(),
        _string(body, "title"),
        _string(body, "description"),
        record.parse_instant(aware, "aware_at") if aware not in (None, "") else at,
        now=at,
        tz=tz,
        base_url=settings().base_url,
        occurred_at=record.parse_instant(occurred, "occurred_at")
        if occurred not in (None, "")
        else None,
    )
    location = url_for("api.incident_item", incident_id=incident.id)
    return jsonify(incident_json(incident)), 201, {"Location": location}


def _string(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ValidationError(N_("%(name)s: expected text."), field=name, name=name)
    return value


@bp.route("/incidents/<id:incident_id>", methods=["GET", "PATCH"])
@public
@api_requires("incident.report")
def incident_item(incident_id: int) -> ResponseReturnValue:
    """GET: the record (a reporter without incident.read sees only their own, 403 otherwise).
    PATCH: set fields of the record (the service allows responsible persons and administrators);
    200 with the record, deadlines recomputed."""
    # One rule for both methods: with two, an id out of range answered 405 instead of 404.
    if request.method == "GET":
        return jsonify(incident_json(services.visible_incident(db(), _actor(), incident_id)))
    incident = services.get_incident(db(), incident_id)
    services.check(_actor(), incident)  # a role that may not change it hears 403 before 400
    record.update_record(
        db(),
        _actor(),
        incident,
        _body(),
        now=now(),
        tz=settings().timezone,
        policy=ppc.Policy.from_settings(settings()),
    )
    return jsonify(incident_json(incident))


@bp.post("/incidents/<id:incident_id>/reports")
@public
@api_requires("incident.manage")
def incident_report_filed(incident_id: int) -> ResponseReturnValue:
    """Record a report made (kind, reported_at, destination, authority?, receipt_number?)."""
    incident = services.get_incident(db(), incident_id)
    body = _body()
    destination = body.get("destination", "ppc")
    record.record_filing(
        db(),
        _actor(),
        incident,
        kind=_string(body, "kind"),
        filed_on=record.parse_day(body.get("reported_at"), "reported_at"),
        destination=destination if isinstance(destination, str) else "",
        authority=_string(body, "authority"),
        receipt_number=_string(body, "receipt_number"),
        voluntary_reason=_string(body, "voluntary_reason"),
        now=now(),
        tz=settings().timezone,
    )
    return jsonify(incident_json(incident)), 201


@bp.post("/incidents/<id:incident_id>/notification")
@public
@api_requires("incident.manage")
def incident_notification(incident_id: int) -> ResponseReturnValue:
    """Record the notification of the individuals, or 通知困難 with the alternative measures."""
    incident = services.get_incident(db(), incident_id)
    body = _body()

    def day(name: str) -> Any:
        value = body.get(name)
        return None if value in (None, "") else record.parse_day(value, name)

    record.record_notification(
        db(),
        _actor(),
        incident,
        _string(body, "way"),
        notified_on=day("notified_on"),
        method=_string(body, "method"),
        content=_string(body, "content"),
        published_on=day("published_on"),
        where=_string(body, "where"),
        inquiry_desk=_string(body, "inquiry_desk"),
        now=now(),
        tz=settings().timezone,
    )
    return jsonify(incident_json(incident))


@bp.post("/incidents/<id:incident_id>/close")
@public
@api_requires("incident.manage")
def incident_close(incident_id: int) -> ResponseReturnValue:
    """Close with a resolution, or 409 with ``missing`` naming what still blocks it."""
    incident = services.get_incident(db(), incident_id)
    services.close(db(), _actor(), incident, _string(_body(), "resolution"), now=now())
    return jsonify(incident_json(incident))
