"""Requests from individuals: what was asked, by whom, how it was verified, decided and answered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

REQUEST_KINDS = vocabulary.REQUEST_KINDS.codes
REQUEST_STATES = vocabulary.REQUEST_STATES.codes
# 法38条: a fee may be charged only for the notice of purpose and for disclosure.
FEE_KINDS = ("purpose_notice", "disclosure")
# Kinds that hand personal data to the requester: never worked on before identity is confirmed.
DISCLOSURE_KINDS = ("disclosure", "provision_record_disclosure")
OPEN_STATES = ("received", "verifying", "in_progress", "decided")

privacy_request_system = Table(
    "privacy_request_system",
    Base.metadata,
    Column("request_id", ForeignKey("privacy_request.id"), primary_key=True),
    # A system of the handler register (a 'system' authorisation's target), kept by name.
    Column("system", String(200), primary_key=True),
)

# Copies of identity documents: restricted evidence items (personal data, seen only by the
# responsible person and administrators; every view and download audited by the vault).
privacy_request_identity = Table(
    "privacy_request_identity",
    Base.metadata,
    Column("request_id", ForeignKey("privacy_request.id"), primary_key=True),
    Column("evidence_id", ForeignKey("evidence_item.id"), primary_key=True),
)


class PrivacyRequest(Base):
    """One request from an individual (開示等の請求等); never deleted, closed at most."""

    __tablename__ = "privacy_request"
    __table_args__ = (
        CheckConstraint(one_of("kind", REQUEST_KINDS), name="kind"),
        CheckConstraint(one_of("state", REQUEST_STATES), name="state"),
        CheckConstraint(one_of("channel", vocabulary.CHANNELS.codes), name="channel"),
        CheckConstraint("fee_yen IS NULL OR fee_yen >= 0", name="fee_yen"),
        Index("ix_privacy_request_state", "state", "target_on"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    # 到達日時: the deadlines run from the local day the request reached the company.
    received_at: Mapped[datetime]
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_contact: Mapped[str] = mapped_column(String(300), default="")
    agent_kind: Mapped[str | None] = mapped_column(String(30))
    agent_name: Mapped[str | None] = mapped_column(String(200))
    data_concerned: Mapped[str] = mapped_column(Text, default="")
    disclosure_method: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="received")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    target_on: Mapped[date] = mapped_column(Date)
    statutory_on: Mapped[date] = mapped_column(Date)
    verification_method: Mapped[str | None] = mapped_column(String(300))
    verification_result: Mapped[str | None] = mapped_column(String(20))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None]
    fee_yen: Mapped[int | None] = mapped_column(Integer)
    fee_state: Mapped[str | None] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(String(20))
    refusal_ground: Mapped[str | None] = mapped_column(String(20))
    # 法36条: the reasons given when refusing or acting differently from the request.
    reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    responded_on: Mapped[date | None] = mapped_column(Date)
    response_method: Mapped[str | None] = mapped_column(String(20))
    # The copy of the response, stored in the evidence vault, and its SHA-256.
    response_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_item.id"))
    response_sha256: Mapped[str | None] = mapped_column(String(64))
    # The inquiry this request was converted from, kept so either leads to the other.
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry.id"), index=True)
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def fee_allowed(self) -> bool:
        """Whether a fee may be charged for this kind of request (法38条)."""
        return self.kind in FEE_KINDS

    @property
    def is_open(self) -> bool:
        """Whether the company still owes a response."""
        return self.state in OPEN_STATES
