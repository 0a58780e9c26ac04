"""Inquiries and complaints (苦情・問合せ, 法40条) with the target for a first reply."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.findings.models import Finding
from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

INQUIRY_KINDS = vocabulary.INQUIRY_KINDS.codes
INQUIRY_STATES = vocabulary.INQUIRY_STATES.codes
OPEN_STATES = ("received", "in_progress", "responded")


class Inquiry(Base):
    """One inquiry or complaint; never deleted, closed at most."""

    __tablename__ = "inquiry"
    __table_args__ = (
        CheckConstraint(one_of("kind", INQUIRY_KINDS), name="kind"),
        CheckConstraint(one_of("state", INQUIRY_STATES), name="state"),
        CheckConstraint(one_of("channel", vocabulary.CHANNELS.codes), name="channel"),
        Index("ix_inquiry_state", "state", "reply_due_on"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(20), default="received")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The first reply is due this many business days after receipt (holidays and closures skipped).
    reply_due_on: Mapped[date] = mapped_column(Date)
    first_reply_at: Mapped[datetime | None]
    # A copy of the first reply, stored as evidence, and its SHA-256 (optional).
    reply_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"))
    reply_sha256: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(Text, default="")
    # A complaint that shows a control failing links to the finding raised for it.
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    finding: Mapped[Finding | None] = relationship()

    @property
    def is_open(self) -> bool:
        """Whether the inquiry is not yet closed."""
        return self.state in OPEN_STATES
