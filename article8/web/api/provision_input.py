"""Reading a provision record from a JSON body: each field of the right type, or a 400 naming it."""

from __future__ import annotations

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
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ValidationError(
            N_("Unknown field %(name)s."), field=str(unknown[0])[:40], name=str(unknown[0])[:40]
        )
    values: dict[str, Any] = {}
    for name in TEXTS:
        value = body.get(name, "")
        if not isinstance(value, str):
            raise _bad(name, "a string")
        values[name] = value
    for name in FLAGS:
        value = body.get(name, False)
        if not isinstance(value, bool):
            raise _bad(name, "true or false")
        values[name] = value
    for name in DAYS:
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
    form = body.get("record_form")
    if form is not None and not isinstance(form, str):
        raise _bad("record_form", "per_provision, bulk, contract or null")
    count = body.get("individuals_count")
    if count is not None and (
        not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT
    ):
        raise _bad("individuals_count", "a whole number or null")
    return ProvisionInput(record_form=form or None, individuals_count=count, **values)
