"""NIST's OSCAL JSON schemas (tests/reports/oscal_schema), checked with jsonschema.

The schemas are JSON Schema draft-07 and write their token and string patterns with Unicode
property classes (``^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$``) that Python's ``re`` rejects
("bad escape \\p"). The validator below is jsonschema's Draft7Validator with two things handed to
the ``regex`` module, which implements those classes: the ``pattern`` keyword, and the ``regex``
format the draft-07 metaschema puts on ``pattern`` when the schema itself is checked. Nothing in
the schema files is rewritten. The other formats are checked as well (date-time with
rfc3339-validator, uri and uri-reference with rfc3986-validator, email by jsonschema itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import regex
from jsonschema import Draft7Validator, FormatChecker, ValidationError, validators

SCHEMAS = Path(__file__).parent / "oscal_schema"
FILES = {
    "catalog": "oscal_catalog_schema.json",
    "assessment-plan": "oscal_assessment-plan_schema.json",
    "assessment-results": "oscal_assessment-results_schema.json",
}


@cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})
FORMATS = FormatChecker(Draft7Validator.FORMAT_CHECKER.checkers)


@FORMATS.checks("regex", raises=regex.error)
def _is_regex(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_compiled(instance))


@cache
def validator(model: str) -> Any:
    """A validator for the OSCAL model ``model`` (catalog, assessment-plan, …)."""
    schema = json.loads((SCHEMAS / FILES[model]).read_text(encoding="utf-8"))
    OscalValidator(OscalValidator.META_SCHEMA, format_checker=FORMATS).validate(schema)
    return OscalValidator(schema, format_checker=FORMATS)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every way ``document`` breaks its model's schema, as ``path: message`` lines."""
    [model] = document
    return [
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in validator(model).iter_errors(document)
    ]
