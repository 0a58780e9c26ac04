"""Evidence items: metadata over content-addressed blobs, linked to controls and inspections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.catalogue.models import Control
from article8.controls.inspections.models import Inspection
from article8.core import vocabulary
from article8.core.db import Base, intpk
from article8.core.models import User

EVIDENCE_STATES = vocabulary.EVIDENCE_STATES.codes

evidence_control = Table(
    "evidence_control",
    Base.metadata,
    Column("evidence_id", ForeignKey("evidence_item.id"), primary_key=True),
    Column("control_id", ForeignKey("control.id"), primary_key=True, index=True),
)


class EvidenceItem(Base):
    """One version of a piece of evidence; never deleted (withdrawn at most)."""

    __tablename__ = "evidence_item"
    __table_args__ = (
        CheckConstraint("status IN ('current', 'superseded', 'withdrawn')", name="status"),
        CheckConstraint("size > 0", name="size"),
        Index("ix_evidence_item_sha256", "sha256"),
        Index("ix_evidence_item_status_valid_until", "status", "valid_until"),
        Index("ix_evidence_item_series", "series_id", "version", unique=True),
    )

    id: Mapped[intpk]
    # Versions of one piece of evidence share a series (the id of its first version).
    series_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    # Display only: sanitised, never used as a path (the blob's address is its SHA-256).
    original_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_by_label: Mapped[str] = mapped_column(String(300))
    uploaded_at: Mapped[datetime]
    collected_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="current")
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Personal data (an identity document, issue 16): seen only by those holding
    # "evidence.restricted", left out of every list, every view and download audited.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    inspection: Mapped[Inspection | None] = relationship()
    controls: Mapped[list[Control]] = relationship(
        secondary=evidence_control, order_by=Control.code
    )
