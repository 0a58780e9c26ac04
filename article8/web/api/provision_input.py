"""Reading a provision record from a JSON body: each field of the right type, or a 400 naming it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from article8.core.dates import parse_date
from article8.core.errors import N_, ValidationError
from article8.privacy.provisions.services import ProvisionInput

TEXTS = (
    "direction",
    "basis",
    "party_name",
    "party_address",
    "party_representative",
    "individuals_description",
    "data_items",
    "consent_evidence",
    "foreign_country",
    "foreign_information",
    "provider_acquisition",
    "note",
)
FLAGS = ("foreign_consent", "related_information", "related_consent_confirmed")
DAYS = ("provided_on", "last_provided_on")
FIELDS = frozenset((*TEXTS, *FLAGS, *DAYS, "record_form", "individuals_count"))
MAX_COUNT = 2**31 - 1


def _bad(name: str, expected: str) -> ValidationError:
    return ValidationError(
        N_("%(name)s: expected %(expected)s."), field=name, name=name, expected=expected
    )


def provision_input(body: dict[str, Any]) -> ProvisionInput:
    """The record ``body`` describes; unknown fields and wrong types are refused by name."""
    return ProvisionInput(**_values(body, FIELDS, partial=False))


def provision_changes(body: dict[str, Any], record: ProvisionInput) -> tuple[ProvisionInput, Any]:
    """``record`` with the fields ``body`` sends (a PATCH), and the body's ``reason``; unknown
    fields and wrong types are refused by name."""
    changes = _values(body, FIELDS | {"reason"}, partial=True)
    reason = changes.pop("reason", None)
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError(
            N_("%(name)s: expected %(expected)s."),
            field="reason",
            name="reason",
            expected="the reason for the correction (text)",
        )
    return replace(record, **changes), reason


def _values(body: dict[str, Any], allowed: frozenset[str], *, partial: bool) -> dict[str, Any]:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ValidationError(
            N_("Unknown field %(name)s."), field=str(unknown[0])[:40], name=str(unknown[0])[:40]
        )
    values: dict[str, Any] = {}
    for name in TEXTS:
        if partial and name not in body:
            continue
        value = body.get(name, "")
        if not isinstance(value, str):
            raise _bad(name, "a string")
        values[name] = value
    for name in FLAGS:
        if partial and name not in body:
            continue
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise _bad(name, "true or false")
        values[name] = value
    for name in DAYS:
        if partial and name not in body:
            continue
        value = body.get(name)
        if value is None:
            values[name] = None
            continue
        try:
            values[name] = parse_date(value) if isinstance(value, str) else None
        except ValueError:
            values[name] = None
        if values[name] is None:
            raise _bad(name, "a date YYYY-MM-DD or null")
    if not partial or "record_form" in body:
        form = body.get("record_form")
        if form is not None and not isinstance(form, str):
            raise _bad("record_form", "per_provision, bulk, contract or null")
        values["record_form"] = form or None
    if not partial or "individuals_count" in body:
        count = body.get("individuals_count")
        if count is not None and (
            not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT
        ):
            raise _bad("individuals_count", "a whole number or null")
        values["individuals_count"] = count
    if "reason" in body:
        values["reason"] = body["reason"]
    return values
