"""The read side of the catalogue: filtered lists, one control, and the coverage crosswalk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.iso27001 import ANNEX_A, sort_key
from article8.controls.catalogue.models import (
    ARTICLE8_CLAUSES,
    PPC_HEADINGS,
    ChecklistRevision,
    Control,
    ControlMapping,
)


@dataclass(frozen=True)
class ControlFilter:
    """Criteria for the catalogue list; empty fields do not filter."""

    category: str | None = None
    clause: str | None = None
    frequency: str | None = None
    owner_id: int | None = None
    active: bool | None = None
    search: str | None = None


def filtered(criteria: ControlFilter) -> Select[Control]:
    """Controls matching ``criteria``, by code."""
    query = select(Control).options(selectinload(Control.mappings), selectinload(Control.owner))
    if criteria.category:
        query = query.where(Control.category == criteria.category)
    if criteria.frequency:
        query = query.where(Control.frequency == criteria.frequency)
    if criteria.owner_id is not None:
        query = query.where(Control.owner_id == criteria.owner_id)
    if criteria.active is not None:
        query = query.where(Control.active.is_(criteria.active))
    if criteria.clause:
        clause = select(ControlMapping.control_id).where(ControlMapping.scheme == "article8")
        if criteria.clause == "guideline":
            query = query.where(Control.id.not_in(clause))
        else:
            query = query.where(Control.id.in_(clause.where(ControlMapping.ref == criteria.clause)))
    if criteria.search:
        needle = f"%{criteria.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Control.code).like(needle),
                func.lower(Control.title_en).like(needle),
                func.lower(Control.title_ja).like(needle),
            )
        )
    return query.order_by(Control.code)


def list_controls(session: Session, criteria: ControlFilter | None = None) -> list[Control]:
    """The catalogue, filtered."""
    return list(session.scalars(filtered(criteria or ControlFilter())))


def control_detail(session: Session, code: str) -> Control | None:
    """One control with its mappings and every checklist revision loaded."""
    return session.scalar(
        select(Control)
        .where(Control.code == code)
        .options(
            selectinload(Control.mappings),
            selectinload(Control.owner),
            selectinload(Control.revisions).selectinload(ChecklistRevision.items),
        )
    )


def coverage(session: Session) -> dict[str, object]:
    """Which active controls implement each Article 8 clause, PPC heading and Annex A control."""
    rows = session.execute(
        select(ControlMapping.scheme, ControlMapping.ref, Control.code)
        .join(Control, Control.id == ControlMapping.control_id)
        .where(Control.active.is_(True))
        .order_by(Control.code)
    ).all()
    by_scheme: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for scheme, ref, code in rows:
        by_scheme[scheme][ref].append(code)
    iso_refs = sorted(set(ANNEX_A) | set(by_scheme["iso27001"]), key=sort_key)
    active = session.scalar(select(func.count()).select_from(Control).where(Control.active))
    return {
        "article8": {c: by_scheme["article8"].get(c, []) for c in ARTICLE8_CLAUSES},
        "ppc": {h: by_scheme["ppc"].get(h, []) for h in PPC_HEADINGS},
        "iso27001": {ref: by_scheme["iso27001"].get(ref, []) for ref in iso_refs},
        "controls": active or 0,
    }


def beyond_annex(session: Session) -> list[Control]:
    """Active controls mapped to no heading of the guideline annex: the duties beside the safety
    control measures (provision records, foreign recipients, ...), each with its own sections."""
    mapped = select(ControlMapping.control_id).where(ControlMapping.scheme == "ppc")
    return list(
        session.scalars(
            select(Control)
            .where(Control.active.is_(True), Control.id.not_in(mapped))
            .order_by(Control.code)
        )
    )
