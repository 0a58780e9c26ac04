"""Reports of violations (or signs of them) and the PPC leak-report assessment of incidents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.catalogue.models import Control
from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

INCIDENT_STATES = vocabulary.INCIDENT_STATES.codes
CERTAINTY = vocabulary.LEAK_CERTAINTY.codes
MEDIA = vocabulary.LEAK_MEDIA.codes
PERSONAL_DATA = vocabulary.YES_NO_UNKNOWN.codes
ENTRUSTMENTS = vocabulary.ENTRUSTMENTS.codes
NOTIFICATION_WAYS = vocabulary.NOTIFICATION_WAYS.codes
FILING_KINDS = vocabulary.FILING_KINDS.codes
FILING_DESTINATIONS = vocabulary.FILING_DESTINATIONS.codes
REPORT_ITEMS = vocabulary.REPORT_ITEMS.codes
OVER_1000 = 1000  # PPC Rules Art. 7(iv): more than 1,000 individuals


class Incident(Base):
    """A reported violation or sign of one (Article 8(2)), assessed for PPC leak reporting.

    Reportable when any of the four PPC Rules Art. 7 conditions holds; then a preliminary report
    is due promptly (shown as within 5 days) and a final report within 30 days of awareness, or
    60 days where an unlawful purpose is possible (PPC Rules Art. 8).
    """

    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint(one_of("status", INCIDENT_STATES), name="status"),
        CheckConstraint(one_of("certainty", CERTAINTY), name="certainty"),
        CheckConstraint(one_of("media", MEDIA), name="media"),
        CheckConstraint(one_of("personal_data", PERSONAL_DATA), name="personal_data"),
        CheckConstraint(one_of("entrustment", ENTRUSTMENTS), name="entrustment"),
        CheckConstraint(one_of("notification", NOTIFICATION_WAYS), name="notification"),
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
    preliminary_target_on: Mapped[date | None] = mapped_column(Date)
    final_due_on: Mapped[date | None] = mapped_column(Date)
    preliminary_reported_on: Mapped[date | None] = mapped_column(Date)
    final_reported_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    # Issue 15: the record a leak report to the PPC is filed from.
    # 事態を知った日時 is confirmed at triage by the responsible person (until then it is the
    # reporter's statement); later edits need a reason and are audited.
    aware_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    aware_confirmed_at: Mapped[datetime | None]
    occurred_at: Mapped[datetime | None]
    occurred_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    kind_leak: Mapped[bool] = mapped_column(Boolean, default=False)
    kind_loss: Mapped[bool] = mapped_column(Boolean, default=False)
    kind_damage: Mapped[bool] = mapped_column(Boolean, default=False)
    certainty: Mapped[str | None] = mapped_column(String(20))
    media: Mapped[str | None] = mapped_column(String(20))
    personal_data: Mapped[str | None] = mapped_column(String(20))
    personal_data_reason: Mapped[str] = mapped_column(Text, default="")
    # 規則7条柱書: 高度な暗号化その他の個人の権利利益を保護するために必要な措置を講じたもの.
    encrypted_exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    encryption_note: Mapped[str] = mapped_column(Text, default="")
    # 本人の数: an exact count, or an estimate with its range; (iv) follows from it.
    individuals: Mapped[int | None] = mapped_column(Integer)
    individuals_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    individuals_low: Mapped[int | None] = mapped_column(Integer)
    individuals_high: Mapped[int | None] = mapped_column(Integer)
    entrustment: Mapped[str] = mapped_column(String(20), default="none")
    # As contractor (委託先), notifying the entrusting party ends our own duty (規則9条).
    principal_notified_on: Mapped[date | None] = mapped_column(Date)
    principal_recipient: Mapped[str] = mapped_column(String(300), default="")
    # 本人通知 (法26条2項, 規則10条) or, where it is difficult, the alternative measures.
    notification: Mapped[str | None] = mapped_column(String(20))
    notified_on: Mapped[date | None] = mapped_column(Date)
    notification_method: Mapped[str] = mapped_column(String(300), default="")
    notification_content: Mapped[str] = mapped_column(Text, default="")
    alternative_published_on: Mapped[date | None] = mapped_column(Date)
    alternative_where: Mapped[str] = mapped_column(Text, default="")
    inquiry_desk: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    assessed_by: Mapped[User | None] = relationship(foreign_keys=[assessed_by_id])
    control: Mapped[Control | None] = relationship()
    item_versions: Mapped[list[ReportItemVersion]] = relationship(
        back_populates="incident", order_by="ReportItemVersion.id"
    )
    filings: Mapped[list[Filing]] = relationship(back_populates="incident", order_by="Filing.id")

    @property
    def kinds(self) -> list[str]:
        """漏えい / 滅失 / 毀損, as codes, in the rules' order."""
        flags = (("leak", self.kind_leak), ("loss", self.kind_loss), ("damage", self.kind_damage))
        return [code for code, on in flags if on]

    @property
    def principal_path(self) -> bool:
        """As contractor, the entrusting party has been notified: our own duty ends (規則9条)."""
        return (
            self.entrustment == "contractor"
            and self.principal_notified_on is not None
            and bool(self.principal_recipient)
        )

    def items(self) -> dict[str, ReportItemVersion]:
        """The current version of each report item (規則8条1項) that has one."""
        return {version.item: version for version in self.item_versions}

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
    def triggered(self) -> bool:
        """Whether any of the four conditions of PPC Rules Art. 7 holds."""
        return bool(
            self.sensitive_data
            or self.financial_harm
            or self.unlawful_purpose
            or self.over_1000_people
        )

    @property
    def reportable(self) -> bool:
        """Whether a leak report to the PPC is required.

        A trigger holds, personal data is (or may be) involved, and the data was not protected by
        高度な暗号化その他の措置 (規則7条柱書).
        """
        return self.triggered and self.personal_data != "no" and not self.encrypted_exempt


class ReportItemVersion(Base):
    """One version of one item of the report form (規則8条1項); every version is kept."""

    __tablename__ = "incident_item_version"
    __table_args__ = (
        CheckConstraint(one_of("item", REPORT_ITEMS), name="item"),
        UniqueConstraint("incident_id", "item", "version"),
    )

    id: Mapped[intpk]
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    item: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    written_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship(back_populates="item_versions")
    written_by: Mapped[User | None] = relationship()


class Filing(Base):
    """A report made to the PPC (or the ministry it delegated to): 速報, 確報, 速報兼確報, 追完.

    A filing stays on record even when the incident is later found not reportable; a report made
    although not required is voluntary and says why.
    """

    __tablename__ = "incident_filing"
    __table_args__ = (
        CheckConstraint(one_of("kind", FILING_KINDS), name="kind"),
        CheckConstraint(one_of("destination", FILING_DESTINATIONS), name="destination"),
    )

    id: Mapped[intpk]
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    destination: Mapped[str] = mapped_column(String(20))
    authority: Mapped[str] = mapped_column(String(300), default="")
    receipt_number: Mapped[str] = mapped_column(String(100), default="")
    filed_on: Mapped[date] = mapped_column(Date)
    voluntary: Mapped[bool] = mapped_column(Boolean, default=False)
    voluntary_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship(back_populates="filings")
