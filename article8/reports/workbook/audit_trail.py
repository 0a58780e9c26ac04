"""The audit trail sheet: every event recorded during the period, streamed in chain order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.core.errors import N_
from article8.core.models import AuditEvent
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per event, by sequence; memory stays flat however long the trail."""
    tz = context.timezone
    found = context.session.execute(
        select(
            AuditEvent.seq,
            AuditEvent.occurred_at,
            AuditEvent.actor_label,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
            AuditEvent.client_addr,
            AuditEvent.hash,
        )
        .where(
            AuditEvent.occurred_at >= context.period.starts_at(tz),
            AuditEvent.occurred_at < context.period.ends_at(tz),
        )
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=5000)
    )
    with found:
        for row in found:
            yield (
                row.seq,
                row.occurred_at,
                row.actor_label,
                row.action,
                row.object_type or "",
                row.object_id or "",
                "" if row.details == "{}" else row.details,
                row.client_addr or "",
                row.hash,
            )


SHEET = TableSheet(
    N_("Audit trail"),
    (
        Column(N_("Sequence"), 10, "int"),
        Column(N_("Time"), 17, "datetime"),
        Column(N_("Actor"), 28),
        Column(N_("Action"), 26),
        Column(N_("Object"), 14),
        Column(N_("Object id"), 10),
        Column(N_("Details"), 60),
        Column(N_("Client address"), 16),
        Column(N_("Hash"), 66),
    ),
    rows,
)
