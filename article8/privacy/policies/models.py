"""Versions of the privacy policy and the changes of purposes of use they made."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.core import vocabulary
from article8.core.db import Base, intpk

MATTERS = vocabulary.PUBLICATION_MATTERS.codes


class PolicyVersion(Base):
    """One version of the published privacy policy: its full text (also kept as evidence, with
    its SHA-256), when it took effect, who approved it, and how it was published (Art. 21(3))."""

    __tablename__ = "policy_version"

    id: Mapped[intpk]
    label: Mapped[str] = mapped_column(String(100), unique=True)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The snapshot of the text stored in the evidence vault.
    # No foreign key: the vault is a sibling package this one does not import.
    evidence_id: Mapped[int | None] = mapped_column(Integer)
    effective_on: Mapped[date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[date | None] = mapped_column(Date)
    publication_method: Mapped[str] = mapped_column(String(300), default="")
    # The matters of Art. 32(1) and Order Art. 10 this version publishes (codes of
    # vocabulary.PUBLICATION_MATTERS).
    matters: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]

    purpose_changes: Mapped[list[PurposeChange]] = relationship(
        back_populates="version", cascade="all, delete-orphan", order_by="PurposeChange.position"
    )

    @property
    def gaps(self) -> list[str]:
        """The matters the policy must publish that this version does not (in canonical order)."""
        return [code for code in MATTERS if code not in (self.matters or [])]


class PurposeChange(Base):
    """A purpose of use the version changed: within what is reasonably related to the old one
    (Art. 17(2), with the reasoning) or with the individuals' consent (Art. 18)."""

    __tablename__ = "policy_purpose_change"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    purpose: Mapped[str] = mapped_column(Text)
    within_relation: Mapped[bool] = mapped_column(Boolean)
    reasoning: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[str] = mapped_column(Text, default="")
    notified_on: Mapped[date | None] = mapped_column(Date)
    notification_method: Mapped[str] = mapped_column(String(300), default="")

    version: Mapped[PolicyVersion] = relationship(back_populates="purpose_changes")
