"""The read side of the evidence vault: filtered lists, freshness, gaps, and the API's shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.models import Control
from article8.core import vocabulary
from article8.evidence.models import EVIDENCE_STATES, EvidenceItem, evidence_control

EXPIRING_DAYS = 30
FRESHNESS = vocabulary.FRESHNESS.codes


@dataclass(frozen=True)
class EvidenceFilter:
    """Criteria for evidence lists; empty fields do not filter.

    ``freshness`` ("expiring" or "expired") looks at current evidence only: a superseded or
    withdrawn item is no longer relied on, so its expiry concerns nobody.
    """

    control_code: str | None = None
    status: str | None = None
    freshness: str | None = None
    uploader_id: int | None = None
    inspection_id: int | None = None
    search: str | None = None


def _expiring(today: date, days: int) -> Any:
    return and_(
        EvidenceItem.status == "current",
        EvidenceItem.valid_until >= today,
        EvidenceItem.valid_until <= today + timedelta(days=days),
    )


def _expired(today: date) -> Any:
    return and_(EvidenceItem.status == "current", EvidenceItem.valid_until < today)


def _in_force(today: date) -> Any:
    return and_(
        EvidenceItem.status == "current",
        or_(EvidenceItem.valid_until.is_(None), EvidenceItem.valid_until >= today),
    )


def filtered(
    criteria: EvidenceFilter, today: date, *, days: int = EXPIRING_DAYS
) -> Select[EvidenceItem]:
    """Evidence matching ``criteria``, newest upload first."""
    # Restricted items (identity documents) are reached from their request, never listed.
    query = (
        select(EvidenceItem)
        .where(EvidenceItem.restricted.is_(False))
        .options(selectinload(EvidenceItem.controls), selectinload(EvidenceItem.uploaded_by))
    )
    if criteria.control_code:
        linked = (
            select(evidence_control.c.evidence_id)
            .join(Control, Control.id == evidence_control.c.control_id)
            .where(Control.code == criteria.control_code.strip().upper())
        )
        query = query.where(EvidenceItem.id.in_(linked))
    if criteria.status in EVIDENCE_STATES:
        query = query.where(EvidenceItem.status == criteria.status)
    if criteria.freshness == "expiring":
        query = query.where(_expiring(today, days))
    elif criteria.freshness == "expired":
        query = query.where(_expired(today))
    if criteria.uploader_id is not None:
        query = query.where(EvidenceItem.uploaded_by_id == criteria.uploader_id)
    if criteria.inspection_id is not None:
        query = query.where(EvidenceItem.inspection_id == criteria.inspection_id)
    if criteria.search and criteria.search.strip():
        needle = criteria.search.strip().lower()
        query = query.where(
            or_(
                func.lower(EvidenceItem.title).contains(needle, autoescape=True),
                func.lower(EvidenceItem.original_name).contains(needle, autoescape=True),
            )
        )
    return query.order_by(EvidenceItem.uploaded_at.desc(), EvidenceItem.id.desc())


def list_evidence(
    session: Session,
    criteria: EvidenceFilter | None,
    today: date,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[EvidenceItem]:
    """Evidence matching ``criteria``."""
    query = filtered(criteria or EvidenceFilter(), today)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return list(session.scalars(query))


def freshness(item: EvidenceItem, today: date, *, days: int = EXPIRING_DAYS) -> str | None:
    """ "expired", "expiring" (within ``days``) or ``None``; only current evidence is flagged."""
    if item.status != "current" or item.valid_until is None:
        return None
    if item.valid_until < today:
        return "expired"
    if item.valid_until <= today + timedelta(days=days):
        return "expiring"
    return None


def expiring(session: Session, today: date, days: int = EXPIRING_DAYS) -> list[EvidenceItem]:
    """Current evidence whose validity ends within ``days`` (soonest first)."""
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(_expiring(today, days))
            .options(selectinload(EvidenceItem.controls))
            .order_by(EvidenceItem.valid_until, EvidenceItem.id)
        )
    )


def expired(session: Session, today: date) -> list[EvidenceItem]:
    """Current evidence whose validity has ended (longest expired first)."""
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(_expired(today))
            .options(selectinload(EvidenceItem.controls))
            .order_by(EvidenceItem.valid_until, EvidenceItem.id)
        )
    )


@dataclass(frozen=True)
class EvidenceGap:
    """An active control without evidence in force: none at all, or only expired evidence."""

    control: Control
    reason: str  # "missing" or "expired"
    last_valid_until: date | None = None


def controls_missing_evidence(session: Session, today: date) -> list[EvidenceGap]:
    """Active controls with no current, unexpired evidence (no end, or ending today or later)."""
    in_force = exists().where(
        evidence_control.c.control_id == Control.id,
        evidence_control.c.evidence_id == EvidenceItem.id,
        _in_force(today),
    )
    lapsed = (
        select(func.max(EvidenceItem.valid_until))
        .join(evidence_control, evidence_control.c.evidence_id == EvidenceItem.id)
        .where(evidence_control.c.control_id == Control.id, _expired(today))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Control, lapsed).where(Control.active.is_(True), ~in_force).order_by(Control.code)
    )
    return [EvidenceGap(control, "expired" if last else "missing", last) for control, last in rows]


def for_control(
    session: Session, control_id: int, *, include_old: bool = False
) -> list[EvidenceItem]:
    """A control's evidence: current and withdrawn items, plus superseded ones if asked."""
    states = EVIDENCE_STATES if include_old else ("current", "withdrawn")
    return list(
        session.scalars(
            select(EvidenceItem)
            .join(evidence_control, evidence_control.c.evidence_id == EvidenceItem.id)
            .where(
                evidence_control.c.control_id == control_id,
                EvidenceItem.status.in_(states),
                EvidenceItem.restricted.is_(False),
            )
            .options(selectinload(EvidenceItem.controls))
            .order_by(EvidenceItem.status, EvidenceItem.collected_on.desc(), EvidenceItem.id)
        )
    )


def for_inspection(session: Session, inspection_id: int) -> list[EvidenceItem]:
    """Every item collected for an inspection, whatever its status, newest first."""
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.inspection_id == inspection_id)
            .options(selectinload(EvidenceItem.controls))
            .order_by(EvidenceItem.uploaded_at.desc(), EvidenceItem.id.desc())
        )
    )


def versions(session: Session, item: EvidenceItem) -> list[EvidenceItem]:
    """Every version of the item's series, newest first."""
    series = item.series_id if item.series_id is not None else item.id
    return list(
        session.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.series_id == series)
            .order_by(EvidenceItem.version.desc())
        )
    )


def as_json(item: EvidenceItem, today: date) -> dict[str, Any]:
    """The shape the JSON API promises to scripts (times in UTC, dates ISO)."""
    return {
        "id": item.id,
        "series_id": item.series_id,
        "version": item.version,
        "status": item.status,
        "title": item.title,
        "description": item.description,
        "original_name": item.original_name,
        "size": item.size,
        "media_type": item.media_type,
        "sha256": item.sha256,
        "uploaded_by": item.uploaded_by_label,
        "uploaded_at": item.uploaded_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "collected_on": item.collected_on.isoformat(),
        "valid_until": item.valid_until.isoformat() if item.valid_until else None,
        "freshness": freshness(item, today),
        "controls": [control.code for control in item.controls],
        "inspection_id": item.inspection_id,
        "withdrawn_reason": item.withdrawn_reason,
    }
