"""Findings on controls and the corrective actions that close them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.catalogue.models import ChecklistItem, Control
from article8.controls.inspections.models import Inspection
from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

SEVERITIES = vocabulary.SEVERITIES.codes
FINDING_STATES = vocabulary.FINDING_STATES.codes
ACTION_STATES = vocabulary.ACTION_STATES.codes


class Finding(Base):
    """A shortfall found on a control, e.g. by a failed checklist item."""

    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint(one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(one_of("status", FINDING_STATES), name="status"),
        Index("ix_finding_status", "status", "severity"),
    )

    id: Mapped[intpk]
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_item.id"))
    source: Mapped[str] = mapped_column(String(30), default="inspection")
    severity: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    control: Mapped[Control] = relationship()
    inspection: Mapped[Inspection | None] = relationship()
    item: Mapped[ChecklistItem | None] = relationship()
    actions: Mapped[list[CorrectiveAction]] = relationship(
        back_populates="finding", order_by="CorrectiveAction.id"
    )


class CorrectiveAction(Base):
    """What someone will do, by when, to close a finding; verified by the responsible person."""

    __tablename__ = "corrective_action"
    __table_args__ = (
        CheckConstraint(one_of("status", ACTION_STATES), name="status"),
        Index("ix_corrective_action_status_due", "status", "due_on"),
    )

    id: Mapped[intpk]
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    finding: Mapped[Finding] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
