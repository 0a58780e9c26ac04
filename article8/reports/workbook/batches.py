"""The access-log batches sheet: every access log imported during the period."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.access.models import AccessBatch
from article8.core.audit import actor_name
from article8.core.errors import N_
from article8.core.vocabulary import LOG_KINDS
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per imported batch, by id."""
    tz = context.timezone
    for batch in context.session.scalars(
        select(AccessBatch)
        .where(
            AccessBatch.imported_at >= context.period.starts_at(tz),
            AccessBatch.imported_at < context.period.ends_at(tz),
        )
        .order_by(AccessBatch.id)
    ):
        yield (
            batch.id,
            batch.kind,
            batch.filename,
            batch.sha256,
            batch.row_count,
            batch.rejected_count,
            batch.first_date,
            batch.last_date,
            actor_name(batch.imported_by_label, context.translate),
            batch.imported_at,
        )


SHEET = TableSheet(
    N_("Access-log batches"),
    (
        Column(N_("Batch"), 8, "int"),
        Column(N_("Kind"), 10, "status", (LOG_KINDS,)),
        Column(N_("File"), 30),
        Column(N_("SHA-256"), 34),
        Column(N_("Rows"), 10, "int"),
        Column(N_("Rejected"), 10, "int"),
        Column(N_("First date"), 12, "date"),
        Column(N_("Last date"), 12, "date"),
        Column(N_("Imported by"), 24),
        Column(N_("Imported"), 17, "datetime"),
    ),
    rows,
    holds=N_("Every access log imported, with its SHA-256 and row counts"),
    scope=N_("Imported during the range"),
)
