"""The evidence sheet: every item in force in the range or linked to an inspection of it, with
its controls and its inspection."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.core.audit import actor_name
from article8.core.errors import N_
from article8.core.vocabulary import EVIDENCE_STATES, FRESHNESS
from article8.evidence.models import EvidenceItem, evidence_control
from article8.reports.queries import evidence_in
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Evidence")
INSPECTIONS = N_("Inspections")


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per evidence item, by id; a current item past its validity shows as expired."""
    session, today = context.session, context.today
    codes: dict[int, list[str]] = {}
    links: Iterable[Any] = session.execute(
        select(evidence_control.c.evidence_id, Control.code)
        .join(Control, Control.id == evidence_control.c.control_id)
        .order_by(Control.code)
    )
    for evidence_id, code in links:
        codes.setdefault(evidence_id, []).append(code)
    for item in session.scalars(
        select(EvidenceItem)
        .where(evidence_in(context.period, context.timezone))
        .where(EvidenceItem.restricted.is_(False))  # issue 16: identity documents stay out
        .order_by(EvidenceItem.id)
    ):
        status = item.status
        if status == "current" and item.valid_until is not None and item.valid_until < today:
            status = "expired"
        yield (
            item.id,
            item.title,
            ", ".join(codes.get(item.id, [])),
            item.original_name,
            item.collected_on,
            item.valid_until,
            actor_name(item.uploaded_by_label, context.translate),
            item.uploaded_at,
            item.sha256,
            item.version,
            status,
            context.ref(INSPECTIONS, item.inspection_id),
        )


def keys(context: Context) -> Iterable[int]:
    """The evidence item of each row, in row order."""
    return context.session.scalars(
        select(EvidenceItem.id)
        .where(evidence_in(context.period, context.timezone))
        .where(EvidenceItem.restricted.is_(False))
        .order_by(EvidenceItem.id)
    )


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Id"), 8, "int"),
        Column(N_("Title"), 40),
        Column(N_("Controls"), 20),
        Column(N_("File"), 30),
        Column(N_("Collected on"), 12, "date"),
        Column(N_("Valid until"), 12, "date"),
        Column(N_("Uploaded by"), 24),
        Column(N_("Uploaded"), 17, "datetime"),
        Column(N_("SHA-256"), 34),
        Column(N_("Version"), 8, "int"),
        Column(N_("Status"), 12, "status", (EVIDENCE_STATES, FRESHNESS)),
        Column(N_("Inspection"), 10, "link"),
    ),
    rows,
    holds=N_(
        "Every evidence item with its controls, file, SHA-256, status and the inspection it "
        "supports"
    ),
    scope=N_(
        "Items in force at some time in the range (collected by its last day, valid, neither "
        "withdrawn nor superseded before it began) and every item linked to an inspection of "
        "the range; status as at generation"
    ),
    keys=keys,
)
