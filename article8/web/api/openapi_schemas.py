"""The schemas and parameters of the OpenAPI description (article8/web/openapi.py): as strict as
the validation behind them, so that generated requests exercise it."""

from __future__ import annotations

from typing import Any

from article8.core.tabular import Code
from article8.evidence.models import EVIDENCE_STATES
from article8.evidence.queries import FRESHNESS
from article8.web.params import EARLIEST_DAY, ID_MAX, LATEST_DAY

# A database id, as the routes (the `id` converter) and the parameter parsers accept it.
ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
DAY = {
    "type": "string",
    "format": "date",
    "description": f"YYYY-MM-DD, from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}.",
}


def schemas() -> dict[str, Any]:
    """The request and response bodies (components/schemas)."""
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
                "code": {
                    "type": "string",
                    "enum": [code.value for code in Code],
                    "description": "What kind of problem, for clients that word it themselves.",
                },
                "expected": {"type": ["string", "null"]},
                "found": {"type": ["string", "null"]},
                "problem": {"type": "string"},
                "total": {"type": "integer", "description": "How many lines are bad in all."},
                "problems": {
                    "type": "array",
                    "description": "Every bad line (the first 100), each as the fields above.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "error": {"type": "string"},
                            "line": {"type": ["integer", "null"]},
                            "column": {"type": ["string", "null"]},
                            "code": {"type": "string", "enum": [code.value for code in Code]},
                            "expected": {"type": ["string", "null"]},
                            "found": {"type": ["string", "null"]},
                            "problem": {"type": "string"},
                        },
                    },
                },
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
                "collected_on": {**DAY, "description": f"{DAY['description']} Default today."},
                "valid_until": {**DAY, "description": "Not before collected_on."},
                "inspection_id": {
                    **ID,
                    "description": "Only its assignee or performer (while it is open, in "
                    "progress or returned), the responsible person or an administrator link "
                    "evidence to an inspection; an approved or missed one takes none.",
                },
                "replaces_id": {
                    **ID,
                    "description": "The current version to supersede: only its uploader, the "
                    "responsible person or an administrator may.",
                },
            },
        },
    }


def list_parameters() -> list[dict[str, Any]]:
    """The query parameters of GET /evidence."""

    def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "schema": schema, "description": description}

    return [
        query("control", {"type": "string"}, "A control code, e.g. ORG-04."),
        query("status", {"type": "string", "enum": list(EVIDENCE_STATES)}, "Status."),
        query("freshness", {"type": "string", "enum": list(FRESHNESS)}, "Validity."),
        query("inspection_id", ID, "Collected for this inspection."),
        query("q", {"type": "string"}, "Text in the title or the file name."),
        query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, ""),
        query("offset", {"type": "integer", "minimum": 0, "maximum": ID_MAX, "default": 0}, ""),
    ]
