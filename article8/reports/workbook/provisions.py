"""The provisions sheet: third-party provision and receipt records of the period, with their legal
basis and the end of their retention (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from article8.core.errors import N_
from article8.core.vocabulary import PROVISION_BASES, PROVISION_DIRECTIONS, RECORD_FORMS
from article8.privacy.provisions.queries import in_range
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per record provided (or received) during the period, by date."""
    _ = context.translate
    for record in in_range(context.session, context.period.start, context.period.end):
        yield (
            record.id,
            PROVISION_DIRECTIONS.translated(record.direction, _),
            record.provided_on or record.created_on,
            record.last_provided_on,
            record.party_name,
            record.foreign_country,
            PROVISION_BASES.translated(record.basis, _),
            record.record_required,
            RECORD_FORMS.translated(record.record_form, _) if record.record_form else "",
            record.individuals_description,
            record.individuals_count,
            record.data_items,
            record.consent_evidence,
            record.retention_until,
        )


SHEET = TableSheet(
    N_("Provisions and receipts"),
    (
        Column(N_("Record"), 8, "int"),
        Column(N_("Direction"), 16),
        Column(N_("Date"), 12, "date"),
        Column(N_("Last provision"), 12, "date"),
        Column(N_("Other party"), 28),
        Column(N_("Foreign country"), 12),
        Column(N_("Legal basis"), 24),
        Column(N_("Record required"), 10, "bool"),
        Column(N_("Record form"), 24),
        Column(N_("Individuals"), 24),
        Column(N_("Number of individuals"), 10, "int"),
        Column(N_("Data items"), 24),
        Column(N_("Consent or opt-out publication"), 24),
        Column(N_("Kept until"), 12, "date"),
    ),
    rows,
    holds=N_("Third-party provision and receipt records, with their basis and retention end"),
    scope=N_("Provided or received during the period (bulk records: any provision in it)"),
)
