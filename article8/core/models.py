"""Kernel tables: users, their sign-in state, and the hash-chained audit trail."""

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
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from article8.core.db import Base, intpk
from article8.core.settings import LOCALES, ROLES


class User(Base):
    """A person who signs in; never deleted, only deactivated (the audit trail refers to them)."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
        CheckConstraint(f"locale IN ({', '.join(repr(loc) for loc in LOCALES)})", name="locale"),
    )

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[datetime]
    # Rotated on logout and password change: a captured session cookie stops working.
    session_token: Mapped[str] = mapped_column(String(64))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None]
    # The last TOTP time step accepted: the same code (or an older one) is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # The four members Flask-Login expects of a user object (no Flask import in the kernel).
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        """Always true for a loaded account."""
        return True

    @property
    def is_active(self) -> bool:
        """Deactivated users cannot sign in."""
        return self.active

    def get_id(self) -> str:
        """The session identity: the id plus the rotating session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def mfa_enabled(self) -> bool:
        """Whether the user signs in with a second factor."""
        return self.totp_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class RecoveryCode(Base):
    """A one-time code that replaces a TOTP code; only its SHA-256 is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="recovery_codes")


class LoginThrottle(Base):
    """Failed sign-ins counted per key (``account:<email>`` or ``ip:<address>``)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class LoginRefusal(Base):
    """Sign-ins refused while a key was locked, counted per key and lock window.

    Not part of the chain, and updated in place: the audit trail records the first refusal of a
    window once, and this row counts them all, so retrying against a lock cannot fill the trail.
    """

    __tablename__ = "login_refusal"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    # The lock's end identifies its window: every lockout sets a new one.
    locked_until: Mapped[datetime] = mapped_column(primary_key=True)
    refusals: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
    # The chained event of the window's first refusal.
    audit_seq: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("audit_event.seq"), unique=True
    )


class AuditEvent(Base):
    """One link of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_object", "object_type", "object_id", "seq"),
        Index("ix_audit_event_actor", "actor_id", "seq"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_action", "action", "seq"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The actor as they were named at the time (an email, or "system:scheduler", "cli:<user>").
    actor_label: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(String(100))
    # Canonical JSON text, hashed exactly as stored (a JSON column could reorder keys).
    details: Mapped[str] = mapped_column(Text, default="{}")
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Notification(Base):
    """A message to one person, keyed so that it is created once and delivered at most once.

    Rows are written in the job's transaction and mailed after it commits; a failed delivery
    stays ``pending`` with its error and is tried again by the next run.
    """

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'logged')", name="status"),
        Index("ix_notification_status", "status", "id"),
    )

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    object_type: Mapped[str | None] = mapped_column(String(50))
    object_id: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship()


class SchedulerLease(Base):
    """The leader lock: the one scheduler process allowed to run jobs renews it."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class JobRun(Base):
    """A daily job that has run (or is running) for one local day: the key makes it once."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    run_on: Mapped[date] = mapped_column(Date, primary_key=True)
    started_at: Mapped[datetime]


class ApiToken(Base):
    """A per-user token for the JSON API; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Closure(Base):
    """A one-off day the company is closed (an administrator keeps them; the yearly closures are
    a setting). Removing one deletes the row: the audit trail keeps its history."""

    __tablename__ = "closure"

    id: Mapped[intpk]
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
