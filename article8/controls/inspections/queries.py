"""The read side of inspections: lists for people, pages and `inspections list`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session, joinedload, selectinload

from article8.controls.catalogue.models import Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.inspections.models import PENDING_STATES, Inspection


@dataclass(frozen=True)
class InspectionFilter:
    """Criteria for inspection lists; empty fields do not filter."""

    # A state; "overdue" (derived from the due date); or "pending" (work still owed).
    status: str | None = None
    control_code: str | None = None
    category: str | None = None
    assignee_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None


def filtered(criteria: InspectionFilter, today: date) -> Select[Inspection]:
    """Inspections matching ``criteria``, by due date then control code."""
    query = (
        select(Inspection)
        .join(Control, Control.id == Inspection.control_id)
        .options(joinedload(Inspection.control), joinedload(Inspection.assignee))
    )
    if criteria.status == "overdue":
        query = query.where(Inspection.status.in_(PENDING_STATES), Inspection.due_on < today)
    elif criteria.status == "pending":
        query = query.where(Inspection.status.in_(PENDING_STATES))
    elif criteria.status:
        query = query.where(Inspection.status == criteria.status)
    if criteria.control_code:
        query = query.where(Control.code == criteria.control_code)
    if criteria.category:
        query = query.where(Control.category == criteria.category)
    if criteria.assignee_id is not None:
        query = query.where(Inspection.assignee_id == criteria.assignee_id)
    if criteria.due_from:
        query = query.where(Inspection.due_on >= criteria.due_from)
    if criteria.due_to:
        query = query.where(Inspection.due_on <= criteria.due_to)
    return query.order_by(Inspection.due_on, Control.code, Inspection.id)


def list_inspections(
    session: Session, criteria: InspectionFilter, today: date, limit: int | None = None
) -> list[Inspection]:
    """Inspections matching ``criteria``."""
    query = filtered(criteria, today)
    return list(session.scalars(query.limit(limit) if limit else query))


def as_json(inspection: Inspection) -> dict[str, Any]:
    """The shape `inspections list --format json` promises to scripts."""
    return {
        "id": inspection.id,
        "control": inspection.control.code,
        "period_start": inspection.period_start.isoformat(),
        "period_end": inspection.period_end.isoformat(),
        "due": inspection.due_on.isoformat(),
        "status": inspection.status,
        "assignee": inspection.assignee.email if inspection.assignee else None,
        "result": inspection.result,
    }


def my_inspections(session: Session, user_id: int, today: date) -> dict[str, list[Inspection]]:
    """The inspector's work: open, due within 7 days, overdue, returned."""
    mine = list_inspections(session, InspectionFilter(assignee_id=user_id), today)
    pending = [i for i in mine if i.status in ("open", "in_progress", "returned")]
    return {
        "overdue": [i for i in pending if i.due_on < today],
        "returned": [i for i in pending if i.status == "returned" and i.due_on >= today],
        "due_soon": [
            i
            for i in pending
            if i.status != "returned"
            and today <= i.due_on <= date.fromordinal(today.toordinal() + 7)
        ],
        "open": [
            i
            for i in pending
            if i.status != "returned" and i.due_on > date.fromordinal(today.toordinal() + 7)
        ],
        "submitted": [i for i in mine if i.status == "submitted"],
    }


def review_queue(session: Session, today: date) -> list[Inspection]:
    """Submitted inspections waiting for the responsible person."""
    return list_inspections(session, InspectionFilter(status="submitted"), today)


def findings(
    session: Session,
    *,
    status: str | None = None,
    severity: str | None = None,
    inspection_id: int | None = None,
) -> list[Finding]:
    """Findings with their control: those still being worked on first, then newest first."""
    settled = case((Finding.status.in_(("open", "in_progress")), 0), else_=1)
    query = (
        select(Finding)
        .options(
            joinedload(Finding.control),
            selectinload(Finding.actions),
            # What the title is rebuilt from when shown (controls.findings.titles): one query each.
            selectinload(Finding.inspection),
            selectinload(Finding.item),
        )
        .order_by(settled, Finding.id.desc())
    )
    if status:
        query = query.where(Finding.status == status)
    if severity:
        query = query.where(Finding.severity == severity)
    if inspection_id is not None:
        query = query.where(Finding.inspection_id == inspection_id)
    return list(session.scalars(query).unique())


def overdue_actions(session: Session, today: date) -> list[CorrectiveAction]:
    """Corrective actions past their due date and not yet resolved."""
    return list(
        session.scalars(
            select(CorrectiveAction)
            .options(
                joinedload(CorrectiveAction.owner),
                joinedload(CorrectiveAction.finding).selectinload(Finding.inspection),
                joinedload(CorrectiveAction.finding).selectinload(Finding.item),
                joinedload(CorrectiveAction.finding).joinedload(Finding.control),
            )
            .where(
                CorrectiveAction.status.in_(("open", "in_progress")),
                CorrectiveAction.due_on < today,
            )
            .order_by(CorrectiveAction.due_on)
        )
    )


def actions_owned(session: Session, owner_id: int) -> list[CorrectiveAction]:
    """The corrective actions someone still has to do, the earliest due first."""
    return list(
        session.scalars(
            select(CorrectiveAction)
            .options(joinedload(CorrectiveAction.finding))
            .where(
                CorrectiveAction.owner_id == owner_id,
                CorrectiveAction.status.in_(("open", "in_progress")),
            )
            .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
        )
    )
