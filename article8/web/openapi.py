"""The hand-written OpenAPI 3.1 description of the JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from article8.evidence.filetypes import BY_EXTENSION
from article8.evidence.models import EVIDENCE_STATES
from article8.evidence.queries import FRESHNESS
from article8.web.params import EARLIEST_DAY, ID_MAX, LATEST_DAY

# A database id, as the routes (the `id` converter) and the parameter parsers accept it.
_ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
_DAY = {
    "type": "string",
    "format": "date",
    "description": f"YYYY-MM-DD, from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}.",
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_UNAUTHORISED = {
    "description": "No token, an unknown token, or a revoked one.",
    "headers": {
        "WWW-Authenticate": {"schema": {"type": "string"}, "example": 'Bearer realm="article8"'}
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_ITEM_ID = {
    "name": "item_id",
    "in": "path",
    "required": True,
    "schema": _ID,
    "description": "Any other value matches no evidence (404).",
}


def _download_types() -> dict[str, Any]:
    """What a download is sent as: the type stored at upload (text with its real charset)."""
    types = sorted({kind.media_type.split(";")[0] for kind in BY_EXTENSION.values()})
    return {
        media_type: {"schema": {"type": "string", "contentMediaType": media_type}}
        for media_type in types
    }


def _batch(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AccessBatch"}}},
    }


def _schemas() -> dict[str, Any]:
    nullable_date = {"type": ["string", "null"], "format": "date"}
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string", "description": "A message meant for a person."},
                "field": {"type": "string", "description": "The input at fault, if any."},
            },
        },
        "Evidence": {
            "type": "object",
            "required": [
                "id",
                "series_id",
                "version",
                "status",
                "title",
                "description",
                "original_name",
                "size",
                "media_type",
                "sha256",
                "uploaded_by",
                "uploaded_at",
                "collected_on",
                "valid_until",
                "freshness",
                "controls",
                "inspection_id",
                "withdrawn_reason",
                "links",
            ],
            "properties": {
                "id": {"type": "integer"},
                "series_id": {"type": "integer", "description": "Shared by all versions."},
                "version": {"type": "integer"},
                "status": {"type": "string", "enum": list(EVIDENCE_STATES)},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "original_name": {"type": "string", "description": "Display only, sanitised."},
                "size": {"type": "integer", "minimum": 1},
                "media_type": {
                    "type": "string",
                    "description": "As sent on download, e.g. text/csv; charset=shift_jis.",
                },
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "uploaded_by": {"type": "string"},
                "uploaded_at": {"type": "string", "format": "date-time"},
                "collected_on": {"type": "string", "format": "date"},
                "valid_until": nullable_date,
                "freshness": {
                    "type": ["string", "null"],
                    "enum": ["expiring", "expired", None],
                    "description": "Current evidence ending within 30 days, or already ended.",
                },
                "controls": {"type": "array", "items": {"type": "string"}},
                "inspection_id": {"type": ["integer", "null"]},
                "withdrawn_reason": {"type": ["string", "null"]},
                "links": {
                    "type": "object",
                    "required": ["self", "content", "page"],
                    "properties": {
                        "self": {"type": "string"},
                        "content": {"type": "string"},
                        "page": {"type": "string"},
                    },
                },
            },
        },
        "EvidenceList": {
            "type": "object",
            "required": ["items", "limit", "offset"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}},
                "limit": {"type": "integer"},
                "offset": {"type": "integer"},
            },
        },
        "AccessLogUpload": {
            "type": "object",
            "required": ["file", "kind"],
            "properties": {
                "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                "kind": {"type": "string", "enum": ["system", "entry"]},
                "map": {
                    "type": "string",
                    "description": "COLUMN=FIELD renames, comma-separated or the field repeated.",
                },
                "skip_invalid": {
                    "type": "boolean",
                    "description": "Store the valid lines; the invalid ones are listed.",
                },
            },
        },
        "AccessBatch": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "filename": {"type": "string"},
                "kind": {"type": "string", "enum": ["system", "entry"]},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "rows": {"type": "integer"},
                "rejected": {"type": "integer"},
                "first_date": nullable_date,
                "last_date": nullable_date,
                "imported_by": {"type": "string"},
                "imported_at": {"type": "string", "format": "date-time"},
                "duplicate": {"type": "boolean"},
                "message": {"type": "string", "description": "Set when duplicate."},
                "anomalies": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                    "description": "Anomalies per rule on the dates the file covers.",
                },
                "rejects": {
                    "type": "array",
                    "description": "The first 100 invalid lines (skip_invalid).",
                    "items": {
                        "type": "object",
                        "properties": {
                            "line": {"type": "integer"},
                            "column": {"type": ["string", "null"]},
                            "problem": {"type": "string"},
                        },
                    },
                },
            },
        },
        "AccessLogError": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "string", "description": "File, line, column and problem."},
                "file": {"type": "string"},
                "line": {"type": ["integer", "null"]},
                "column": {"type": ["string", "null"]},
                "problem": {"type": "string"},
            },
        },
        "EvidenceUpload": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {
                    "type": "string",
                    "contentMediaType": "application/octet-stream",
                    "description": "The file name's extension must match the content.",
                },
                "controls": {
                    "type": "string",
                    "description": "Control codes, comma-separated or the field repeated. "
                    "Optional when inspection_id is given (its control is added).",
                },
                "title": {"type": "string", "description": "Defaults to the file name."},
                "description": {"type": "string"},
                "collected_on": {**_DAY, "description": f"{_DAY['description']} Default today."},
                "valid_until": {**_DAY, "description": "Not before collected_on."},
                "inspection_id": {
                    **_ID,
                    "description": "Only its assignee or performer (while it is open, in "
                    "progress or returned), the responsible person or an administrator link "
                    "evidence to an inspection; an approved or missed one takes none.",
                },
                "replaces_id": {
                    **_ID,
                    "description": "The current version to supersede: only its uploader, the "
                    "responsible person or an administrator may.",
                },
            },
        },
    }


def _list_parameters() -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema, "description": description}

    return [
        query("control", {"type": "string"}, "A control code, e.g. ORG-04."),
        query("status", {"type": "string", "enum": list(EVIDENCE_STATES)}, "Status."),
        query("freshness", {"type": "string", "enum": list(FRESHNESS)}, "Validity."),
        query("inspection_id", _ID, "Collected for this inspection."),
        query("q", {"type": "string"}, "Text in the title or the file name."),
        query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, ""),
        query("offset", {"type": "integer", "minimum": 0, "maximum": ID_MAX, "default": 0}, ""),
    ]


def document(*, max_upload_mb: int) -> dict[str, Any]:
    """The OpenAPI document; paths are relative to the server URL ``/api/v1``."""
    types = ", ".join(sorted({kind.name for kind in BY_EXTENSION.values()}))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "article8 API",
            "version": "1",
            "description": "Deliver and read evidence and import access logs for APPI "
            "Article 8 safety control measures. "
            "Authenticate with a personal API token (My account → API tokens) sent as "
            "`Authorization: Bearer a8_…`. Tokens act with their owner's role: auditors read "
            "and download, inspectors, responsible persons and administrators also upload "
            "evidence; only responsible persons and administrators import access logs. "
            "Every view and download is written to the audit trail. Messages follow "
            "Accept-Language (ja or en).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/evidence": {
                "get": {
                    "operationId": "listEvidence",
                    "summary": "List evidence, newest first",
                    "parameters": _list_parameters(),
                    "responses": {
                        "200": {
                            "description": "Matching evidence.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/EvidenceList"}
                                }
                            },
                        },
                        "400": _error("A parameter has a bad value."),
                        "401": _UNAUTHORISED,
                    },
                },
                "post": {
                    "operationId": "uploadEvidence",
                    "summary": "Upload one file as evidence",
                    "description": f"Accepted types, checked by extension and by content: "
                    f"{types}. At most {max_upload_mb} MB.",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {"$ref": "#/components/schemas/EvidenceUpload"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored. Identical content is stored only once.",
                            "headers": {"Location": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Evidence"}
                                }
                            },
                        },
                        "400": _error(
                            "Refused: wrong type or content, empty, a bad field, or an "
                            "inspection that takes no new evidence."
                        ),
                        "401": _UNAUTHORISED,
                        "403": _error(
                            "The token's owner may not upload (auditors), may not add evidence "
                            "to this inspection, or may not replace this evidence."
                        ),
                        "404": _error("The version to replace does not exist."),
                        "413": _error(f"Larger than {max_upload_mb} MB."),
                    },
                },
            },
            "/evidence/{item_id}": {
                "get": {
                    "operationId": "getEvidence",
                    "summary": "One item's metadata (recorded as a view)",
                    "parameters": [_ITEM_ID],
                    "responses": {
                        "200": {
                            "description": "The item.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Evidence"}
                                }
                            },
                        },
                        "401": _UNAUTHORISED,
                        "404": _error("No such evidence."),
                    },
                }
            },
            "/evidence/{item_id}/content": {
                "get": {
                    "operationId": "downloadEvidence",
                    "summary": "The file (recorded as a download)",
                    "parameters": [_ITEM_ID],
                    "responses": {
                        "200": {
                            "description": "The file as an attachment, sent as the type stored "
                            "at upload (one Content-Type; text types carry the charset the file "
                            "is in: utf-8 or shift_jis).",
                            "headers": {
                                "Content-Disposition": {
                                    "required": True,
                                    "schema": {"type": "string", "pattern": "^attachment"},
                                },
                            },
                            "content": _download_types(),
                        },
                        "401": _UNAUTHORISED,
                        "404": _error("No such evidence."),
                    },
                }
            },
            "/access-logs": {
                "post": {
                    "operationId": "importAccessLog",
                    "summary": "Import one access log and run the anomaly rules on its dates",
                    "description": "Responsible persons and administrators only. System logs: "
                    "timestamp,user,system,action,records,source_ip,result; entry/exit logs: "
                    "timestamp,person,area,door,direction,result; CSV with a header or JSON "
                    "Lines. One invalid line stores nothing unless skip_invalid is true. The "
                    "same file again is a no-op (200, duplicate true).",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {"$ref": "#/components/schemas/AccessLogUpload"}
                            }
                        },
                    },
                    "responses": {
                        "201": _batch("Imported."),
                        "200": _batch("Already imported before: nothing changed."),
                        "400": _error("A bad request: no file, an unknown kind, a bad map."),
                        "401": _UNAUTHORISED,
                        "403": _error("Only responsible persons and administrators import logs."),
                        "413": _error(f"Larger than {max_upload_mb} MB."),
                        "422": {
                            "description": "A line of the file is invalid; nothing was stored.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/AccessLogError"}
                                }
                            },
                        },
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document."}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "a8_ followed by 43 URL-safe characters",
                }
            },
            "schemas": _schemas(),
        },
    }
