"""The controls sheet: the whole catalogue, its mappings, owners and latest approved result."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.controls.catalogue.models import Control, ControlMapping
from article8.controls.inspections.models import Inspection
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import (
    ARTICLE8_CLAUSES,
    CATEGORIES,
    FREQUENCIES,
    INSPECTION_RESULTS,
)
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per control, by code."""
    session = context.session
    mappings: dict[int, dict[str, list[str]]] = {}
    for control_id, scheme, ref in session.execute(
        select(ControlMapping.control_id, ControlMapping.scheme, ControlMapping.ref).order_by(
            ControlMapping.id
        )
    ):
        mappings.setdefault(control_id, {}).setdefault(scheme, []).append(ref)
    # Ordered by period: the dict keeps each control's latest approved result.
    latest = dict(
        session.execute(
            select(Inspection.control_id, Inspection.result)
            .where(Inspection.status == "approved")
            .order_by(Inspection.control_id, Inspection.period_start)
        ).all()
    )
    owners = dict(session.execute(select(User.id, User.display_name)).all())
    for control in session.scalars(select(Control).order_by(Control.code)):
        refs = mappings.get(control.id, {})
        yield (
            control.code,
            control.category,
            control.title(context.lang),
            ", ".join(refs.get("article8", []))
            or ARTICLE8_CLAUSES.translated("guideline", context.translate),
            control.article8_explicit,
            control.ppc_ref,
            ", ".join(refs.get("ppc", [])),
            ", ".join(refs.get("iso27001", [])),
            owners.get(control.owner_id or 0),
            control.frequency,
            control.active,
            latest.get(control.id),
        )


SHEET = TableSheet(
    N_("Controls"),
    (
        Column(N_("Code"), 10),
        Column(N_("Category"), 18, "status", (CATEGORIES,)),
        Column(N_("Title"), 36),
        Column(N_("Article 8 clause"), 10),
        Column(N_("Named in Article 8"), 10, "bool"),
        Column(N_("PPC reference"), 20),
        Column(N_("PPC headings"), 12),
        Column(N_("ISO/IEC 27001:2022"), 24),
        Column(N_("Owner"), 20),
        Column(N_("Frequency"), 12, "status", (FREQUENCIES,)),
        Column(N_("Active"), 8, "bool"),
        Column(N_("Latest result"), 12, "status", (INSPECTION_RESULTS,)),
    ),
    rows,
    holds=N_("The catalogue: each control, its references, owner, frequency and latest result"),
    scope=N_("Every control at generation; latest approved result at generation"),
)
