"""The hand-written OpenAPI 3.1 description of the JSON API (served at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from article8.evidence.filetypes import BY_EXTENSION
from article8.web.api import (
    openapi_incidents,  # issue 15
    openapi_provisions,  # issue 17
)
from article8.web.api.openapi_privacy import paths as privacy_paths  # issue 16
from article8.web.api.openapi_privacy import schemas as privacy_schemas  # issue 16
from article8.web.api.openapi_schemas import ID, list_parameters, schemas


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
    "schema": ID,
    "description": "Any other value matches no evidence (404).",
}

# issue 14: the audit package's query
_PACKAGE_PARAMETERS = [
    {
        "name": "from",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "First day of the period (default: the start of the fiscal year).",
    },
    {
        "name": "to",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "format": "date"},
        "description": "Last day of the period (default: today).",
    },
    {
        "name": "lang",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["ja", "en"], "default": "ja"},
        "description": "The language of the workbook, the README and verify.py's messages.",
    },
]


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
                    "parameters": list_parameters(),
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
            # issue 14: the audit package
            "/exports/package": {
                "get": {
                    "operationId": "exportPackage",
                    "summary": "The audit package (ZIP) for a period",
                    "description": "Auditors, responsible persons and administrators. One ZIP: "
                    "workbook.xlsx, evidence/ (every evidence file in force in the period and "
                    "every file linked to an inspection of the period), manifest.csv (path, "
                    "SHA-256, bytes, evidence id, controls, inspection), audit-trail.jsonl (the "
                    "period's events and the one before them), oscal/*.json, README.txt and "
                    "verify.py, which checks every hash (python3 verify.py in the unzipped "
                    "folder). The package's SHA-256 is recorded in the audit trail before it is "
                    "sent.",
                    "parameters": _PACKAGE_PARAMETERS,
                    "responses": {
                        "200": {
                            "description": "The package as an attachment.",
                            "headers": {
                                "Content-Disposition": {
                                    "required": True,
                                    "schema": {"type": "string", "pattern": "^attachment"},
                                },
                            },
                            "content": {
                                "application/zip": {
                                    "schema": {
                                        "type": "string",
                                        "contentMediaType": "application/zip",
                                    }
                                }
                            },
                        },
                        "400": _error(
                            "A bad date or language, or a period that ends before it starts."
                        ),
                        "401": _UNAUTHORISED,
                        "403": _error("Inspectors do not export packages."),
                        "409": _error(
                            "An evidence file is missing from the store or no longer matches "
                            "its SHA-256; nothing was made."
                        ),
                    },
                }
            },
            **openapi_provisions.paths(_UNAUTHORISED),  # issue 17
            **openapi_incidents.paths(),  # issue 15
            **privacy_paths(),  # issue 16
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
            "schemas": {
                **schemas(),
                **openapi_provisions.schemas(),  # issue 17
                **openapi_incidents.schemas(),  # issue 15
                **privacy_schemas(),  # issue 16
            },
        },
    }
