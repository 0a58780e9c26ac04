"""Controls of the catalogue, their mappings and their revisioned checklists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

CATEGORIES = vocabulary.CATEGORIES.codes
FREQUENCIES = vocabulary.FREQUENCIES.codes
# The four clauses of Article 8 ("guideline", the vocabulary's fifth term, is not a clause).
ARTICLE8_CLAUSES = tuple(c for c in vocabulary.ARTICLE8_CLAUSES.codes if c != "guideline")
PPC_HEADINGS = vocabulary.PPC_HEADINGS.codes
# The mapping schemes a control can be crosswalked to.
SCHEMES = vocabulary.MAPPING_SCHEMES.codes


class Control(Base):
    """One safety control measure; shipped with the catalogue or added by the organisation."""

    __tablename__ = "control"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORIES), name="category"),
        CheckConstraint(one_of("frequency", FREQUENCIES), name="frequency"),
        CheckConstraint(one_of("source", ("catalogue", "custom")), name="source"),
    )

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(30))
    title_en: Mapped[str] = mapped_column(String(300))
    title_ja: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(Text)
    description_ja: Mapped[str] = mapped_column(Text)
    article8_explicit: Mapped[bool] = mapped_column(Boolean, default=False)
    ppc_ref: Mapped[str] = mapped_column(String(300), default="")
    # JSON list of {"en": …, "ja": …}: what an inspector should expect to see.
    evidence_expected: Mapped[str] = mapped_column(Text, default="[]")
    frequency: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(20), default="catalogue")
    # False once a catalogue sync no longer finds the control: sync retired it (and may revive it).
    in_catalogue: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    owner: Mapped[User | None] = relationship()
    mappings: Mapped[list[ControlMapping]] = relationship(
        back_populates="control", cascade="all, delete-orphan", order_by="ControlMapping.id"
    )
    revisions: Mapped[list[ChecklistRevision]] = relationship(
        back_populates="control", order_by="ChecklistRevision.number"
    )

    def title(self, locale: str) -> str:
        """The title in ``locale`` (ja or en)."""
        return self.title_ja if locale == "ja" else self.title_en

    def description(self, locale: str) -> str:
        """The description in ``locale`` (ja or en)."""
        return self.description_ja if locale == "ja" else self.description_en

    def refs(self, scheme: str) -> list[str]:
        """The references of one mapping scheme, in file order."""
        return [m.ref for m in self.mappings if m.scheme == scheme]

    @property
    def current_revision(self) -> ChecklistRevision | None:
        """The checklist revision new inspections are performed against."""
        return self.revisions[-1] if self.revisions else None


class ControlMapping(Base):
    """A control's link to an Article 8 clause, a PPC annex heading or an ISO 27001 control."""

    __tablename__ = "control_mapping"
    __table_args__ = (
        CheckConstraint(one_of("scheme", SCHEMES), name="scheme"),
        Index("ix_control_mapping_scheme_ref", "scheme", "ref"),
    )

    id: Mapped[intpk]
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(40))

    control: Mapped[Control] = relationship(back_populates="mappings")


class ChecklistRevision(Base):
    """An immutable version of a control's checklist; inspections keep the one they used."""

    __tablename__ = "checklist_revision"
    __table_args__ = (
        Index("uq_checklist_revision_control_number", "control_id", "number", unique=True),
    )

    id: Mapped[intpk]
    control_id: Mapped[int] = mapped_column(ForeignKey("control.id"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(300))

    control: Mapped[Control] = relationship(back_populates="revisions")
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="revision", order_by="ChecklistItem.position", cascade="all"
    )


class ChecklistItem(Base):
    """One question of a checklist revision, in both languages."""

    __tablename__ = "checklist_item"

    id: Mapped[intpk]
    revision_id: Mapped[int] = mapped_column(ForeignKey("checklist_revision.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text_en: Mapped[str] = mapped_column(Text)
    text_ja: Mapped[str] = mapped_column(Text)

    revision: Mapped[ChecklistRevision] = relationship(back_populates="items")

    def text(self, locale: str) -> str:
        """The question in ``locale``."""
        return self.text_ja if locale == "ja" else self.text_en
