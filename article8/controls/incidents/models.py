"""Reports of violations (or signs of them) and the PPC leak-report assessment of incidents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.catalogue.models import Control
from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

INCIDENT_STATES = vocabulary.INCIDENT_STATES.codes


class Incident(Base):
    """A reported violation or sign of one (Article 8(2)), assessed for PPC leak reporting.

    Reportable when any of the four PPC Rules Art. 7 conditions holds; then a preliminary report
    is due promptly (shown as within 5 days) and a final report within 30 days of awareness, or
    60 days where an unlawful purpose is possible (PPC Rules Art. 8).
    """

    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint(one_of("status", INCIDENT_STATES), name="status"),
        Index("ix_incident_status", "status", "final_due_on"),
    )

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reported_at: Mapped[datetime]
    # When the company became aware: the deadlines run from this (local) day.
    aware_at: Mapped[datetime]
    control_id: Mapped[int | None] = mapped_column(ForeignKey("control.id"))
    status: Mapped[str] = mapped_column(String(20), default="reported")
    # PPC Rules Art. 7: (i) sensitive data, (ii) risk of financial harm, (iii) possible unlawful
    # purpose, (iv) more than 1,000 people. None while not yet assessed.
    sensitive_data: Mapped[bool | None] = mapped_column(Boolean)
    financial_harm: Mapped[bool | None] = mapped_column(Boolean)
    unlawful_purpose: Mapped[bool | None] = mapped_column(Boolean)
    over_1000_people: Mapped[bool | None] = mapped_column(Boolean)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assessed_at: Mapped[datetime | None]
    preliminary_due_on: Mapped[date | None] = mapped_column(Date)
    final_due_on: Mapped[date | None] = mapped_column(Date)
    preliminary_reported_on: Mapped[date | None] = mapped_column(Date)
    final_reported_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    assessed_by: Mapped[User | None] = relationship(foreign_keys=[assessed_by_id])
    control: Mapped[Control | None] = relationship()

    @property
    def assessed(self) -> bool:
        """Whether all four PPC conditions have been answered."""
        return None not in (
            self.sensitive_data,
            self.financial_harm,
            self.unlawful_purpose,
            self.over_1000_people,
        )

    @property
    def reportable(self) -> bool:
        """Whether a leak report to the PPC is required."""
        return bool(
            self.sensitive_data
            or self.financial_harm
            or self.unlawful_purpose
            or self.over_1000_people
        )
