"""Records of personal data provided to third parties and received from them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of

DIRECTIONS = vocabulary.PROVISION_DIRECTIONS.codes
BASES = vocabulary.PROVISION_BASES.codes
RECORD_FORMS = vocabulary.RECORD_FORMS.codes
EXEMPT_BASES = vocabulary.EXEMPT_BASES


class ProvisionRecord(Base):
    """One provision to (or receipt from) a third party, as Rules Arts. 20 and 24 list its items.

    A provision under an exempt basis (Art. 27(1), Art. 27(5)) is kept as a note only: no record
    is required, so it has no record form and no retention period. ``retention_until`` is the
    last day the record must be kept; it is computed from the record form and stored so that the
    dashboard and the purge can select on it.
    """

    __tablename__ = "provision_record"
    __table_args__ = (
        CheckConstraint(one_of("direction", DIRECTIONS), name="direction"),
        CheckConstraint(one_of("basis", BASES), name="basis"),
        CheckConstraint(
            f"record_form IS NULL OR {one_of('record_form', RECORD_FORMS)}", name="record_form"
        ),
        CheckConstraint("individuals_count IS NULL OR individuals_count >= 0", name="count"),
        Index("ix_provision_record_retention", "retention_until"),
        Index("ix_provision_record_provided_on", "provided_on"),
    )

    id: Mapped[intpk]
    direction: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(20))
    record_form: Mapped[str | None] = mapped_column(String(20))
    # The other party: the recipient of a provision, the provider of a receipt.
    party_name: Mapped[str] = mapped_column(String(300))
    party_address: Mapped[str] = mapped_column(Text, default="")
    party_representative: Mapped[str] = mapped_column(String(300), default="")
    # Who the data is about: a description and/or a count; the list itself is evidence.
    individuals_description: Mapped[str] = mapped_column(Text, default="")
    individuals_count: Mapped[int | None] = mapped_column(Integer)
    # The evidence item holding the list. No foreign key: the vault is a sibling package that
    # this one does not import (the edge stores the file first and passes its id).
    individuals_list_evidence_id: Mapped[int | None] = mapped_column(Integer)
    # The names in that list (one a line), kept to find the records concerning a person.
    individuals_list: Mapped[str] = mapped_column(Text, default="")
    data_items: Mapped[str] = mapped_column(Text, default="")
    # Consent of the individual, or (for a receipt under opt-out) the provider's publication.
    consent_evidence: Mapped[str] = mapped_column(Text, default="")
    provided_on: Mapped[date | None] = mapped_column(Date)
    # The last provision under a bulk or contract record (the retention runs from it).
    last_provided_on: Mapped[date | None] = mapped_column(Date)
    # A recipient in a foreign country (Art. 28): the country, the information given under
    # Rules Art. 17, and the consent obtained after it (control EXT-03).
    foreign_country: Mapped[str] = mapped_column(String(100), default="")
    foreign_information: Mapped[str] = mapped_column(Text, default="")
    foreign_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # A receipt: how the provider obtained the data (the confirmation of Art. 30).
    provider_acquisition: Mapped[str] = mapped_column(Text, default="")
    # A receipt of personal-related information (cookies, ad ids) and Art. 31's confirmation.
    related_information: Mapped[bool] = mapped_column(Boolean, default=False)
    related_consent_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_on: Mapped[date] = mapped_column(Date)
    retention_until: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def record_required(self) -> bool:
        """Whether the Act requires a record of this provision (not for an exempt basis)."""
        return self.basis not in EXEMPT_BASES

    @property
    def foreign(self) -> bool:
        """Whether the other party is in a foreign country."""
        return bool(self.foreign_country)
