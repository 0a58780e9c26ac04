"""The incident part of the OpenAPI document (issue 15): paths and schemas."""

from __future__ import annotations

from typing import Any

from article8.core import vocabulary
from article8.web.api.openapi_schemas import ID

_DAY = {"type": ["string", "null"], "format": "date"}
_INSTANT = {"type": ["string", "null"], "format": "date-time"}
_BOOL = {"type": ["boolean", "null"]}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_INCIDENT_ID = {
    "name": "incident_id",
    "in": "path",
    "required": True,
    "schema": ID,
    "description": "Any other value matches no incident (404).",
}


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _answer(description: str, ref: str = "Incident") -> dict[str, Any]:
    return {"description": description, **_json(ref)}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, **_ERROR}


_COMMON = {
    "400": _error("Bad input; `field` names it and nothing changed."),
    "401": _error("No token, an unknown token, or a revoked one."),
    "403": _error("The token's role may not do this."),
    "404": _error("No such incident."),
}


def _write(summary: str, operation: str, body: str, ok: str, doc: str) -> dict[str, Any]:
    return {
        "post": {
            "operationId": operation,
            "summary": summary,
            "description": doc,
            "parameters": [_INCIDENT_ID],
            "requestBody": {"required": True, **_json(body)},
            "responses": {"200": _answer(ok), "201": _answer(ok), **_COMMON},
        }
    }


def paths() -> dict[str, Any]:
    """The /incidents paths."""
    return {
        "/incidents": {
            "post": {
                "operationId": "reportIncident",
                "summary": "Report a personal-data incident or rule breach (near misses included)",
                "description": "Any role but auditor. The responsible persons are mailed at once. "
                "`aware_at` defaults to now; the responsible person confirms it at triage.",
                "requestBody": {"required": True, **_json("IncidentReport")},
                "responses": {"201": _answer("Reported."), **_COMMON},
            }
        },
        "/incidents/{incident_id}": {
            "get": {
                "operationId": "getIncident",
                "summary": "The leak-report record, whether it is reportable, deadlines, blockers",
                "description": "Responsible persons, administrators and auditors read every "
                "incident; anyone else only the incidents they reported.",
                "parameters": [_INCIDENT_ID],
                "responses": {"200": _answer("The record."), **_COMMON},
            },
            "patch": {
                "operationId": "updateIncident",
                "summary": "Set fields of the record (responsible persons and administrators)",
                "description": "Only the fields sent change. Changing a confirmed `aware_at` "
                "needs `aware_reason`; the deadlines are recomputed and the change audited. "
                "`triggers.over_1000` follows from `individuals` once it is known.",
                "parameters": [_INCIDENT_ID],
                "requestBody": {"required": True, **_json("IncidentUpdate")},
                "responses": {"200": _answer("The updated record."), **_COMMON},
            },
        },
        "/incidents/{incident_id}/reports": _write(
            "Record a report made to the PPC or a delegated ministry",
            "recordIncidentReport",
            "IncidentFiling",
            "Recorded.",
            "速報 (preliminary), 確報 (final), 速報兼確報 (combined) or 追完 (supplement). "
            "A report the assessment does not require is voluntary and needs "
            "`voluntary_reason`.",
        ),
        "/incidents/{incident_id}/notification": _write(
            "Record the notification of the individuals, or the alternative measures",
            "recordIncidentNotification",
            "IncidentNotification",
            "Recorded.",
            "`way`: `notified` (notified_on, method, content) or `alternative` where notifying "
            "is difficult (published_on, where, inquiry_desk).",
        ),
        "/incidents/{incident_id}/close": {
            "post": {
                "operationId": "closeIncident",
                "summary": "Close the incident with its resolution",
                "parameters": [_INCIDENT_ID],
                "requestBody": {"required": True, **_json("IncidentClose")},
                "responses": {
                    "200": _answer("Closed."),
                    **_COMMON,
                    "409": _answer(
                        "Something required is missing; `missing` names it.", "IncidentBlocked"
                    ),
                },
            }
        },
    }


def schemas() -> dict[str, Any]:
    """The incident request and response bodies."""
    text = {"type": "string"}
    codes = {"type": "string", "enum": list(vocabulary.CLOSING_BLOCKERS.codes)}
    triggers = {
        "type": "object",
        "properties": {
            "sensitive": _BOOL,
            "financial": _BOOL,
            "unlawful_purpose": _BOOL,
            "over_1000": _BOOL,
        },
        "additionalProperties": False,
    }
    estimate = {
        "type": ["object", "null"],
        "required": ["low", "high"],
        "properties": {"low": {"type": "integer"}, "high": {"type": "integer"}},
    }
    filing = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(vocabulary.FILING_KINDS.codes)},
            "reported_at": {"type": "string", "format": "date"},
            "destination": {"type": "string", "enum": list(vocabulary.FILING_DESTINATIONS.codes)},
            "authority": text,
            "receipt_number": text,
            "voluntary": {"type": "boolean"},
            "voluntary_reason": text,
        },
    }
    return {
        "IncidentReport": {
            "type": "object",
            "required": ["title", "description"],
            "properties": {
                "title": {"type": "string", "maxLength": 300},
                "description": text,
                "aware_at": {"type": "string", "format": "date-time"},
                "occurred_at": {"type": "string", "format": "date-time"},
            },
        },
        "IncidentUpdate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "aware_at": {"type": "string", "format": "date-time"},
                "aware_reason": text,
                "occurred_at": _INSTANT,
                "occurred_unknown": {"type": "boolean"},
                "kinds": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(vocabulary.LEAK_KINDS.codes)},
                },
                "certainty": {"type": "string", "enum": list(vocabulary.LEAK_CERTAINTY.codes)},
                "media": {"type": "string", "enum": list(vocabulary.LEAK_MEDIA.codes)},
                "personal_data": {
                    "type": "string",
                    "enum": list(vocabulary.YES_NO_UNKNOWN.codes),
                },
                "personal_data_reason": text,
                "encrypted_exempt": {"type": "boolean"},
                "encryption_note": text,
                "triggers": triggers,
                "individuals": {"type": ["integer", "null"], "minimum": 0},
                "individuals_estimate": estimate,
                "entrustment": {"type": "string", "enum": list(vocabulary.ENTRUSTMENTS.codes)},
                "principal_notified_on": _DAY,
                "principal_recipient": text,
                "items": {
                    "type": "object",
                    "description": "規則8条1項 items; each change is kept as a new version.",
                    "properties": {code: text for code in vocabulary.REPORT_ITEMS.codes},
                    "additionalProperties": False,
                },
            },
        },
        "IncidentFiling": {
            "type": "object",
            "required": ["kind", "reported_at"],
            "properties": {
                "kind": filing["properties"]["kind"],
                "reported_at": {"type": "string", "format": "date"},
                "destination": filing["properties"]["destination"],
                "authority": text,
                "receipt_number": text,
                "voluntary_reason": text,
            },
        },
        "IncidentNotification": {
            "type": "object",
            "required": ["way"],
            "properties": {
                "way": {"type": "string", "enum": list(vocabulary.NOTIFICATION_WAYS.codes)},
                "notified_on": {"type": "string", "format": "date"},
                "method": text,
                "content": text,
                "published_on": {"type": "string", "format": "date"},
                "where": text,
                "inquiry_desk": text,
            },
        },
        "IncidentClose": {
            "type": "object",
            "required": ["resolution"],
            "properties": {"resolution": text},
        },
        "IncidentBlocked": {
            "type": "object",
            "required": ["error", "missing"],
            "properties": {"error": text, "missing": {"type": "array", "items": codes}},
        },
        "Incident": {
            "type": "object",
            "required": ["id", "status", "aware_at", "reportable", "deadlines", "missing"],
            "properties": {
                "id": {"type": "integer"},
                "title": text,
                "description": text,
                "status": {"type": "string", "enum": list(vocabulary.INCIDENT_STATES.codes)},
                "reported_at": {"type": "string", "format": "date-time"},
                "aware_at": {"type": "string", "format": "date-time"},
                "aware_confirmed": {"type": "boolean"},
                "occurred_at": _INSTANT,
                "occurred_unknown": {"type": "boolean"},
                "kinds": {"type": "array", "items": text},
                "certainty": {"type": ["string", "null"]},
                "media": {"type": ["string", "null"]},
                "personal_data": {"type": ["string", "null"]},
                "personal_data_reason": text,
                "encrypted_exempt": {"type": "boolean"},
                "encryption_note": text,
                "triggers": triggers,
                "individuals": {"type": ["integer", "null"]},
                "individuals_estimate": estimate,
                "entrustment": text,
                "principal_notified_on": _DAY,
                "principal_recipient": text,
                "items": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "properties": {"text": text, "version": {"type": "integer"}},
                    },
                },
                "reports": {"type": "array", "items": filing},
                "notification": {"type": ["object", "null"]},
                "reportable": {"type": "boolean"},
                "deadlines": {
                    "type": ["object", "null"],
                    "description": "Local dates (configured time zone); null when no report "
                    "is due from the company.",
                    "properties": {
                        "preliminary_target": _DAY,
                        "preliminary": _DAY,
                        "final": _DAY,
                    },
                },
                "missing": {"type": "array", "items": codes},
                "links": {"type": "object"},
            },
        },
    }
