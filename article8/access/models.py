"""The handler register, imported access-log events and the anomalies the rules find in them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.controls.findings.models import SEVERITIES, Finding
from article8.core import vocabulary
from article8.core.db import Base, intpk, one_of
from article8.core.models import User

AUTHORISATION_KINDS = vocabulary.AUTHORISATION_KINDS.codes
LOG_KINDS = vocabulary.LOG_KINDS.codes
SYSTEM_ACTIONS = ("login", "login_failed", "view", "search", "export", "update", "delete")
SYSTEM_RESULTS = ("ok", "denied")
ENTRY_DIRECTIONS = ("in", "out")
ENTRY_RESULTS = ("granted", "denied")
EVENT_RESULTS = ("ok", "granted", "denied")
ALL_ACTIONS = "*"
ANOMALY_STATES = vocabulary.ANOMALY_STATES.codes
LIST_SEPARATOR = ";"
# Text limits, checked by the services and the importers before the database would refuse.
ID_LENGTH = 50
NAME_LENGTH = 200
IP_LENGTH = 64


class Handler(Base):
    """A person in the register of those who handle personal data (Article 8(2))."""

    __tablename__ = "handler"

    id: Mapped[intpk]
    employee_id: Mapped[str] = mapped_column(String(ID_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    department: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    employed_from: Mapped[date] = mapped_column(Date)
    # Inclusive; None while still employed.
    employed_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    aliases: Mapped[list[HandlerAlias]] = relationship(
        back_populates="handler", cascade="all, delete-orphan", order_by="HandlerAlias.alias"
    )
    authorisations: Mapped[list[HandlerAuthorisation]] = relationship(
        back_populates="handler",
        cascade="all, delete-orphan",
        order_by="(HandlerAuthorisation.kind, HandlerAuthorisation.target)",
    )


class HandlerAlias(Base):
    """Another name a log uses for a person: a system login, a badge id."""

    __tablename__ = "handler_alias"

    id: Mapped[intpk]
    handler_id: Mapped[int] = mapped_column(ForeignKey("handler.id"), index=True)
    # Unique across the register: a log line must resolve to one person or to nobody.
    alias: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)

    handler: Mapped[Handler] = relationship(back_populates="aliases")


class HandlerAuthorisation(Base):
    """What a person may do: use a system (some actions or all), or enter an area."""

    __tablename__ = "handler_authorisation"
    __table_args__ = (
        UniqueConstraint("handler_id", "kind", "target"),
        CheckConstraint(one_of("kind", AUTHORISATION_KINDS), name="kind"),
        CheckConstraint("kind = 'system' OR actions IS NULL", name="actions"),
    )

    id: Mapped[intpk]
    handler_id: Mapped[int] = mapped_column(ForeignKey("handler.id"))
    kind: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(String(NAME_LENGTH))
    # "*" or actions joined by ";" (systems only); the rules match it with LIKE.
    actions: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    # Inclusive; None means open-ended.
    valid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    handler: Mapped[Handler] = relationship(back_populates="authorisations")

    @property
    def action_list(self) -> list[str]:
        """The allowed actions as a list (``["*"]`` for all)."""
        return self.actions.split(LIST_SEPARATOR) if self.actions else []


class AccessBatch(Base):
    """One imported access-log file."""

    __tablename__ = "access_batch"
    __table_args__ = (CheckConstraint(one_of("kind", LOG_KINDS), name="kind"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(255))
    # The same bytes are imported once: a second import of the file is a no-op.
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    first_date: Mapped[date | None] = mapped_column(Date)
    last_date: Mapped[date | None] = mapped_column(Date)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_by_label: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime]

    imported_by: Mapped[User | None] = relationship()


class AccessEvent(Base):
    """One access-log line: a system access or a door passage.

    Besides what the log says, each event carries precomputed local-calendar columns so that the
    anomaly rules are plain grouped SQL: the local date and minute of day in the configured time
    zone, whether that date is a business day (a weekday and not a public holiday: the rules add
    the company's closures, which may change after the import), epoch seconds, and
    ``person_key`` ("p:<employee id>" when the log's name resolved to a person, "u:<name as
    written>" otherwise).
    """

    __tablename__ = "access_event"
    __table_args__ = (
        CheckConstraint(one_of("kind", LOG_KINDS), name="kind"),
        # Spelt out with OR: SQLite builds a temporary table for each IN list of three or more
        # values, on every row, which made this check a third of a bulk insert's cost.
        CheckConstraint(" OR ".join(f"result = '{r}'" for r in EVENT_RESULTS), name="result"),
        # The rules select by kind and local date; both grow with time, so this index is
        # appended to rather than rewritten at random during a large import.
        Index("ix_access_event_kind_date", "kind", "local_date"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # No foreign keys (migration 0015): the import writes batch_id and handler_id from the batch
    # it has just inserted and the register it has just read, in the same transaction, and no
    # batch or person is ever deleted; checking them cost PostgreSQL an index probe per key per
    # row, 23 of the 56 s an import of a million lines took.
    batch_id: Mapped[int] = mapped_column(Integer, index=True)
    line: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    occurred_at: Mapped[datetime]
    epoch: Mapped[int] = mapped_column(BigInteger)
    local_date: Mapped[date] = mapped_column(Date)
    local_minute: Mapped[int] = mapped_column(SmallInteger)
    business_day: Mapped[bool] = mapped_column(Boolean)
    person: Mapped[str] = mapped_column(String(NAME_LENGTH))
    handler_id: Mapped[int | None] = mapped_column(Integer)
    person_key: Mapped[str] = mapped_column(String(NAME_LENGTH + 2))
    system: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    action: Mapped[str | None] = mapped_column(String(20))
    records: Mapped[int | None] = mapped_column(Integer)
    source_ip: Mapped[str | None] = mapped_column(String(IP_LENGTH))
    area: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    door: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    direction: Mapped[str | None] = mapped_column(String(3))
    result: Mapped[str] = mapped_column(String(10))

    batch: Mapped[AccessBatch] = relationship(
        primaryjoin="foreign(AccessEvent.batch_id) == AccessBatch.id"
    )


class Anomaly(Base):
    """What a rule found for one person on one local date (and area, for area rules)."""

    __tablename__ = "anomaly"
    __table_args__ = (
        # The rules upsert on this key: running them again updates, never duplicates.
        UniqueConstraint("rule", "person_key", "local_date", "area"),
        CheckConstraint(one_of("status", ANOMALY_STATES), name="status"),
        CheckConstraint(one_of("severity", SEVERITIES), name="severity"),
        Index("ix_anomaly_status_date", "status", "local_date"),
        Index("ix_anomaly_local_date", "local_date"),
    )

    id: Mapped[intpk]
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    person_key: Mapped[str] = mapped_column(String(NAME_LENGTH + 2))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("handler.id"))
    local_date: Mapped[date] = mapped_column(Date)
    # '' for system rules: NULLs are distinct in a unique key, so '' keeps the upsert working.
    area: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    event_count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="new")
    reason: Mapped[str | None] = mapped_column(Text)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    triaged_at: Mapped[datetime | None]
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("finding.id"))
    # The rules run that last found it; a run withdraws untriaged anomalies it no longer finds.
    run_token: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    handler: Mapped[Handler | None] = relationship()
    triaged_by: Mapped[User | None] = relationship()
    finding: Mapped[Finding | None] = relationship()

    @property
    def person(self) -> str:
        """The employee id when the log's name resolved, else the name as the log wrote it."""
        return self.person_key[2:]
