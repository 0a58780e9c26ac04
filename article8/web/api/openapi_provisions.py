"""The OpenAPI paths and schemas of the provision and receipt records (issue 17)."""

from __future__ import annotations

from typing import Any

from article8.core.vocabulary import PROVISION_BASES, PROVISION_DIRECTIONS, RECORD_FORMS
from article8.web.params import ID_MAX

_ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
_DATE = {"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD."}
_TEXT = {"type": "string"}
_REF = {"$ref": "#/components/schemas/Provision"}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _input_properties() -> dict[str, Any]:
    return {
        "direction": {"type": "string", "enum": list(PROVISION_DIRECTIONS.codes)},
        "basis": {
            "type": "string",
            "enum": list(PROVISION_BASES.codes),
            "description": "law, entrustment, succession and joint_use (Art. 27(1), 27(5)) "
            "need no record: record_form is ignored and retention_until is null.",
        },
        "record_form": {
            "type": ["string", "null"],
            "enum": [*RECORD_FORMS.codes, None],
            "description": "Rules Arts. 21/24: per_provision (kept 3 years from creation), "
            "bulk (3 years from the last provision), contract (1 year from the last provision).",
        },
        "party_name": {**_TEXT, "description": "The recipient, or for a receipt the provider."},
        "party_address": _TEXT,
        "party_representative": _TEXT,
        "individuals_description": _TEXT,
        "individuals_count": {"type": ["integer", "null"], "minimum": 0},
        "data_items": _TEXT,
        "consent_evidence": {
            **_TEXT,
            "description": "How consent was obtained (or the provider's opt-out publication).",
        },
        "provided_on": {**_DATE, "description": "Required for opt-out (Art. 27(2))."},
        "last_provided_on": {**_DATE, "description": "The last provision of a bulk record."},
        "foreign_country": {**_TEXT, "description": "A recipient abroad (Art. 28, EXT-03)."},
        "foreign_information": {**_TEXT, "description": "What was given under Rules Art. 17."},
        "foreign_consent": {"type": "boolean"},
        "provider_acquisition": {**_TEXT, "description": "Art. 30: how the provider got it."},
        "related_information": {"type": "boolean", "description": "Art. 31 (cookies etc.)."},
        "related_consent_confirmed": {"type": "boolean"},
        "note": _TEXT,
    }


def schemas() -> dict[str, Any]:
    """ProvisionInput, Provision and ProvisionList."""
    output = {
        **_input_properties(),
        "id": {"type": "integer"},
        "record_required": {"type": "boolean"},
        "retention_until": {
            **_DATE,
            "description": "The last day it must be kept; null when no record is required.",
        },
        "created_on": {"type": "string", "format": "date"},
        "individuals_list_evidence_id": {"type": ["integer", "null"]},
        "links": {"type": "object"},
    }
    return {
        "ProvisionInput": {
            "type": "object",
            "required": ["direction", "basis", "party_name"],
            "additionalProperties": False,
            "properties": _input_properties(),
        },
        # issue 17 (p-edit): a correction
        "ProvisionUpdate": {
            "type": "object",
            "required": ["reason"],
            "additionalProperties": False,
            "properties": {
                **_input_properties(),
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Why the record is corrected (kept in the audit trail with "
                    "the record before and after).",
                },
            },
        },
        "Provision": {"type": "object", "required": sorted(output), "properties": output},
        "ProvisionList": {
            "type": "object",
            "required": ["items", "limit", "offset"],
            "properties": {
                "items": {"type": "array", "items": _REF},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
        },
    }


def paths(unauthorised: dict[str, Any]) -> dict[str, Any]:
    """GET/POST /provisions and GET/PATCH /provisions/{record_id}."""

    def query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema}

    def ok(description: str, ref: str) -> dict[str, Any]:
        schema = {"$ref": f"#/components/schemas/{ref}"}
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    forbidden = {
        "description": "Inspectors may not read these records; only responsible "
        "persons and administrators record them.",
        "content": _ERROR,
    }
    return {
        "/provisions": {
            "get": {
                "operationId": "listProvisions",
                "summary": "Third-party provision and receipt records, newest first",
                "parameters": [
                    query(
                        "direction", {"type": "string", "enum": list(PROVISION_DIRECTIONS.codes)}
                    ),
                    query("basis", {"type": "string", "enum": list(PROVISION_BASES.codes)}),
                    query(
                        "limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}
                    ),
                    query(
                        "offset", {"type": "integer", "minimum": 0, "maximum": ID_MAX, "default": 0}
                    ),
                ],
                "responses": {
                    "200": ok("Matching records.", "ProvisionList"),
                    "400": {"description": "A parameter has a bad value.", "content": _ERROR},
                    "401": unauthorised,
                    "403": forbidden,
                },
            },
            "post": {
                "operationId": "recordProvision",
                "summary": "Record one provision or receipt (e.g. from a nightly partner export)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ProvisionInput"}
                        }
                    },
                },
                "responses": {
                    "201": {
                        **ok("Recorded; its retention computed.", "Provision"),
                        "headers": {"Location": {"schema": {"type": "string"}}},
                    },
                    "400": {
                        "description": "A field is missing or wrong; nothing was stored.",
                        "content": _ERROR,
                    },
                    "401": unauthorised,
                    "403": forbidden,
                },
            },
        },
        "/provisions/{record_id}": {
            "get": {
                "operationId": "getProvision",
                "summary": "One record with direction, basis, record form and retention",
                "parameters": [
                    {"name": "record_id", "in": "path", "required": True, "schema": _ID}
                ],
                "responses": {
                    "200": ok("The record.", "Provision"),
                    "401": unauthorised,
                    "403": forbidden,
                    "404": {"description": "No such record.", "content": _ERROR},
                },
            },
            # issue 17 (p-edit): a correction
            "patch": {
                "operationId": "correctProvision",
                "summary": "Correct a record (responsible persons and administrators)",
                "description": "Only the fields sent change; the same rules as POST apply to the "
                "record that results. `reason` is required. The audit trail keeps the record "
                "before and after. The retention is computed again but never ends earlier than "
                "it did: a basis corrected to an exempt one (no record required) keeps the record "
                "until the end already set, so `retention_until` may be a date while "
                "`record_required` is false. Moving `last_provided_on` of a bulk or contract "
                "record forward records a further provision.",
                "parameters": [
                    {"name": "record_id", "in": "path", "required": True, "schema": _ID}
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ProvisionUpdate"}
                        }
                    },
                },
                "responses": {
                    "200": ok("The corrected record, its retention computed again.", "Provision"),
                    "401": unauthorised,
                    "403": {
                        "description": "Only responsible persons and administrators correct "
                        "records.",
                        "content": _ERROR,
                    },
                    "404": {"description": "No such record.", "content": _ERROR},
                    "422": {
                        "description": "A field is missing or wrong (its name in `field`); "
                        "nothing was changed.",
                        "content": _ERROR,
                    },
                },
            },
        },
    }
