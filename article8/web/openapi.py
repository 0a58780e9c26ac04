"""The hand-written OpenAPI 3.1 description of the JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from article8.evidence.filetypes import BY_EXTENSION
from article8.evidence.models import EVIDENCE_STATES


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
    "schema": {"type": "integer", "minimum": 1},
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
            "properties": {
                "id": {"type": "integer"},
                "series_id": {"type": "integer", "description": "Shared by all versions."},
                "version": {"type": "integer"},
                "status": {"type": "string", "enum": list(EVIDENCE_STATES)},
                "title": {"type": "string"},
                "description": {"type": "string"},
                "original_name": {"type": "string", "description": "Display only, sanitised."},
                "size": {"type": "integer"},
                "media_type": {"type": "string"},
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
                "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                "controls": {
                    "type": "string",
                    "description": "Control codes, comma-separated or the field repeated. "
                    "Optional when inspection_id is given (its control is added).",
                },
                "title": {"type": "string", "description": "Defaults to the file name."},
                "description": {"type": "string"},
                "collected_on": {
                    "type": "string",
                    "format": "date",
                    "description": "Default today.",
                },
                "valid_until": {"type": "string", "format": "date"},
                "inspection_id": {"type": "integer"},
                "replaces_id": {"type": "integer", "description": "The version to supersede."},
            },
        },
    }


def _list_parameters() -> list[dict[str, Any]]:
    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema, "description": description}

    return [
        query("control", {"type": "string"}, "A control code, e.g. ORG-04."),
        query("status", {"type": "string", "enum": list(EVIDENCE_STATES)}, "Status."),
        query("freshness", {"type": "string", "enum": ["expiring", "expired"]}, "Validity."),
        query("inspection_id", {"type": "integer"}, "Collected for this inspection."),
        query("q", {"type": "string"}, "Text in the title or the file name."),
        query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, ""),
        query("offset", {"type": "integer", "minimum": 0, "default": 0}, ""),
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
                        "400": _error("Refused: wrong type or content, empty, bad field."),
                        "401": _UNAUTHORISED,
                        "403": _error("The token's owner may not upload (auditors)."),
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
                            "description": "The file as an attachment, with its stored type.",
                            "content": {"application/octet-stream": {}},
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
