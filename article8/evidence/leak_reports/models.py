"""Which evidence item holds which generated version of an incident's leak-report document."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.incidents.models import Incident
from article8.core.db import Base, intpk
from article8.evidence.models import EvidenceItem


class LeakReportDocument(Base):
    """One generated version of 「個人データの漏えい等の報告」, stored as evidence on ORG-07."""

    __tablename__ = "incident_document"
    __table_args__ = (UniqueConstraint("incident_id", "version"),)

    id: Mapped[intpk]
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_item.id"))
    version: Mapped[int] = mapped_column(Integer)
    # preliminary | final: the heading the document was generated under (速報／確報).
    stage: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship()
    evidence: Mapped[EvidenceItem] = relationship()
