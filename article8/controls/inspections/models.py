"""Inspections of controls per period and their answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from article8.controls.catalogue.models import ChecklistItem, ChecklistRevision, Control
from article8.core import vocabulary
from article8.core.calendar import local_date, local_day_sql
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

INSPECTION_STATES = vocabulary.INSPECTION_STATES.codes
PENDING_STATES = vocabulary.PENDING_STATES
ANSWERS = vocabulary.ANSWERS.codes


class Inspection(Base):
    """The one inspection of a control for one period."""

    __tablename__ = "inspection"
    __table_args__ = (
        # Exactly one inspection per control and period, whoever (or whatever) creates it.
        UniqueConstraint("control_id", "period_start"),
        CheckConstraint(one_of("status", INSPECTION_STATES), name="status"),
        CheckConstraint("result IS NULL OR result IN ('pass', 'fail')", name="result"),
        Index("ix_inspection_status_due", "status", "due_on"),
        Index("ix_inspection_assignee_status", "assignee_id", "status"),
    )

    id: Mapped[intpk]
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    period_label: Mapped[str] = mapped_column(String(30))
    opens_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The checklist revision the inspection is performed against, fixed when work starts.
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("checklist_revision.id"))
    performed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(10))
    # JSON snapshot of the checklist revision and answers, written at approval.
    snapshot: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    control: Mapped[Control] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    performed_by: Mapped[User | None] = relationship(foreign_keys=[performed_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    revision: Mapped[ChecklistRevision | None] = relationship()
    answers: Mapped[list[ChecklistAnswer]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )

    def is_overdue(self, today: date) -> bool:
        """Past its due date with work still owed."""
        return self.status in PENDING_STATES and today > self.due_on


# --- timeliness: one rule for the workbook, the OSCAL results and the dashboard --------------


def submitted_on_time(submitted_at: datetime, due_on: date, tz: ZoneInfo) -> bool:
    """Whether a submission at ``submitted_at`` met ``due_on``, a calendar day in ``tz``.

    The due date is a local date, so the submission counts by its local day: 05:00 in Tokyo on
    the day after the due date is late although it is still the due date in UTC.
    """
    return local_date(submitted_at, tz) <= due_on


def submitted_on_time_sql(
    submitted_at: Any, due_on: Any, tz: ZoneInfo, dialect: str, *, near: date
) -> ColumnElement[bool]:
    """:func:`submitted_on_time` as a SQL condition on stored columns (see ``local_day_sql``)."""
    return local_day_sql(submitted_at, tz, dialect, near=near) <= due_on


def timeliness(inspection: Inspection, *, today: date, tz: ZoneInfo) -> str:
    """on time, late, missed, overdue or open: how the inspection met its due date.

    ``today`` is the local day in ``tz`` an unsubmitted inspection is judged against.
    """
    if inspection.status == "missed":
        return "missed"
    if inspection.submitted_at is not None and inspection.status in ("submitted", "approved"):
        on_time = submitted_on_time(inspection.submitted_at, inspection.due_on, tz)
        return "on time" if on_time else "late"
    return "overdue" if today > inspection.due_on else "open"


class ChecklistAnswer(Base):
    """The answer to one checklist question within an inspection."""

    __tablename__ = "checklist_answer"
    __table_args__ = (
        UniqueConstraint("inspection_id", "item_id"),
        CheckConstraint(one_of("answer", ANSWERS), name="answer"),
    )

    id: Mapped[intpk]
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("checklist_item.id"))
    answer: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime]

    inspection: Mapped[Inspection] = relationship(back_populates="answers")
    item: Mapped[ChecklistItem] = relationship()
