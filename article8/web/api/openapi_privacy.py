"""The OpenAPI paths and schemas of the request and inquiry registers (issue 16)."""

from __future__ import annotations

from typing import Any

from article8.core import vocabulary
from article8.web.api.openapi_schemas import ID

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_STRING = {"type": "string"}
_NULLABLE = {"type": ["string", "null"]}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _answer(description: str, ref: str | None = None) -> dict[str, Any]:
    return {"description": description, "content": _json(ref) if ref else _ERROR}


def _unauthorised() -> dict[str, Any]:
    return {
        "description": "No token, an unknown token, or a revoked one.",
        "headers": {"WWW-Authenticate": {"schema": _STRING}},
        "content": _ERROR,
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


def paths() -> dict[str, Any]:
    """/requests, /requests/{request_id}, /inquiries."""
    overdue = _query(
        "overdue",
        {"type": "string", "enum": ["true", "false"]},
        "true: only those open past their due day.",
    )
    refused = {
        "400": _answer("A parameter has a bad value."),
        "401": _unauthorised(),
    }
    return {
        "/requests": {
            "get": {
                "operationId": "listRequests",
                "summary": "Requests from individuals, newest first",
                "description": "An inspector's token lists only the requests assigned to them.",
                "parameters": [
                    _query(
                        "state",
                        {"type": "string", "enum": list(vocabulary.REQUEST_STATES.codes)},
                        "State.",
                    ),
                    overdue,
                ],
                "responses": {"200": _answer("Matching requests.", "RequestList"), **refused},
            },
            "post": {
                "operationId": "createRequest",
                "summary": "Record a request that reached the company (a web form, a help desk)",
                "description": "Responsible persons and administrators (and tokens made for a "
                "web form under such an account). The internal target and the 法39条 marker "
                "(two weeks after receipt) are set from received_at. A fee is allowed only for "
                "purpose_notice and disclosure (法38条).",
                "requestBody": {"required": True, "content": _json("RequestInput")},
                "responses": {
                    "201": {
                        "description": "Recorded.",
                        "headers": {"Location": {"schema": _STRING}},
                        "content": _json("Request"),
                    },
                    "401": refused["401"],
                    "403": _answer("The token's owner may not record requests."),
                    "422": _answer(
                        "A field is invalid (its name in `field`), e.g. a fee on a kind that "
                        "may not be charged (fee_yen); nothing was stored."
                    ),
                },
            },
        },
        "/requests/{request_id}": {
            "get": {
                "operationId": "getRequest",
                "summary": "One request with its due day, statutory marker, fee rule and state",
                "parameters": [
                    {"name": "request_id", "in": "path", "required": True, "schema": ID}
                ],
                "responses": {
                    "200": _answer("The request.", "Request"),
                    "401": refused["401"],
                    "403": _answer("An inspector's token, for a request not assigned to them."),
                    "404": _answer("No such request."),
                },
            }
        },
        "/inquiries": {
            "get": {
                "operationId": "listInquiries",
                "summary": "Inquiries and complaints, newest first",
                "parameters": [
                    _query(
                        "state",
                        {"type": "string", "enum": list(vocabulary.INQUIRY_STATES.codes)},
                        "State.",
                    ),
                    overdue,
                ],
                "responses": {
                    "200": _answer("Matching inquiries.", "InquiryList"),
                    **refused,
                    "403": _answer("Inspectors do not read inquiries."),
                },
            },
            "post": {
                "operationId": "createInquiry",
                "summary": "Record an inquiry or complaint (法40条)",
                "description": "The first reply is due a number of business days after receipt "
                "(weekends, Japanese holidays and company closures skipped).",
                "requestBody": {"required": True, "content": _json("InquiryInput")},
                "responses": {
                    "201": _answer("Recorded.", "Inquiry"),
                    "401": refused["401"],
                    "403": _answer("The token's owner may not record inquiries."),
                    "422": _answer("A field is invalid (its name in `field`); nothing was stored."),
                },
            },
        },
    }


def schemas() -> dict[str, Any]:
    """The bodies of the request and inquiry operations."""
    when = {
        "type": "string",
        "format": "date-time",
        "description": "ISO 8601 with its offset, e.g. 2026-11-24T10:00:00+09:00.",
    }
    kinds = list(vocabulary.REQUEST_KINDS.codes)
    channels = list(vocabulary.CHANNELS.codes)
    return {
        "RequestInput": {
            "type": "object",
            "required": ["kind", "received_at", "requester"],
            "properties": {
                "kind": {"type": "string", "enum": kinds},
                "received_at": when,
                "channel": {"type": "string", "enum": channels, "default": "web_form"},
                "requester": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "contact": {"type": "string", "maxLength": 300},
                    },
                },
                "agent": {
                    "type": "object",
                    "required": ["kind", "name"],
                    "properties": {
                        "kind": {
                            "type": "string",
                            "enum": list(vocabulary.AGENT_KINDS.codes),
                        },
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                },
                "disclosure_method": {
                    "type": "string",
                    "enum": list(vocabulary.DISCLOSURE_METHODS.codes),
                },
                "data_concerned": {"type": "string", "maxLength": 20000},
                "fee_yen": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Only for purpose_notice and disclosure (法38条).",
                },
            },
        },
        "Request": {
            "type": "object",
            "required": ["id", "kind", "state", "received_at", "due", "statutory_marker"],
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": kinds},
                "channel": {"type": "string", "enum": channels},
                "received_at": when,
                "state": {"type": "string", "enum": list(vocabulary.REQUEST_STATES.codes)},
                "due": {"type": "string", "format": "date", "description": "Internal target."},
                "statutory_marker": {
                    "type": "string",
                    "format": "date",
                    "description": "Two weeks after receipt (法39条).",
                },
                "fee_allowed": {"type": "boolean"},
                "fee_yen": {"type": ["integer", "null"]},
                "fee_state": _NULLABLE,
                "requester": {"type": "object"},
                "agent": {"type": ["object", "null"]},
                "disclosure_method": _NULLABLE,
                "owner_id": {"type": ["integer", "null"]},
                "verification_result": _NULLABLE,
                "decision": _NULLABLE,
                "refusal_ground": _NULLABLE,
                "responded_on": _NULLABLE_DATE,
                "response_evidence_id": {"type": ["integer", "null"]},
                "systems": {"type": "array", "items": _STRING},
                "inquiry_id": {"type": ["integer", "null"]},
                "links": {"type": "object"},
            },
        },
        "RequestList": {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Request"}}
            },
        },
        "InquiryInput": {
            "type": "object",
            "required": ["kind", "received_at", "subject"],
            "properties": {
                "kind": {"type": "string", "enum": list(vocabulary.INQUIRY_KINDS.codes)},
                "received_at": when,
                "channel": {"type": "string", "enum": channels, "default": "web_form"},
                "subject": {"type": "string", "minLength": 1, "maxLength": 300},
                "details": {"type": "string", "maxLength": 20000},
                "contact": {"type": "string", "maxLength": 300},
            },
        },
        "Inquiry": {
            "type": "object",
            "required": ["id", "kind", "state", "received_at", "due"],
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string"},
                "channel": {"type": "string"},
                "received_at": when,
                "subject": {"type": "string"},
                "state": {"type": "string", "enum": list(vocabulary.INQUIRY_STATES.codes)},
                "due": {"type": "string", "format": "date", "description": "First reply due."},
                "first_reply_at": _NULLABLE,
                "closed_at": _NULLABLE,
                "owner_id": {"type": ["integer", "null"]},
                "finding_id": {"type": ["integer", "null"]},
                "request_id": {"type": ["integer", "null"]},
            },
        },
        "InquiryList": {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Inquiry"}}
            },
        },
    }
