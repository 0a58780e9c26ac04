"""Typed settings read from the environment and validated once, at start-up."""

from __future__ import annotations

import importlib.util
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from article8.core import vocabulary
from article8.core.calendar import DEFAULT_CLOSED_DAYS, AnnualClosure, parse_closed_days
from article8.core.errors import ConfigError

ROLES = vocabulary.ROLES.codes
LOCALES = vocabulary.LOCALES.codes


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the mail server; ``host`` empty means mails are written to the log."""

    host: str = ""
    port: int = 25
    user: str = ""
    password: str = ""
    sender: str = "article8@localhost"
    starttls: bool = False


@dataclass(frozen=True)
class S3Settings:
    """Evidence on an S3-compatible object store (``EVIDENCE_STORE=s3://bucket/prefix``).

    Credentials and the region come from boto3's usual chain (``AWS_*`` variables, the shared
    config files, an instance role); they are never part of the settings.
    """

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    # 0: no retention; else every object is written with this many days of Object Lock.
    lock_days: int = 0
    lock_mode: str = "COMPLIANCE"


@dataclass(frozen=True)
class Settings:
    """Everything article8 reads from its environment."""

    instance_dir: Path
    database_url: str
    evidence_dir: Path
    secret_key: str
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Tokyo"))
    fiscal_year_start: int = 4
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    max_upload_mb: int = 100
    # Uploaded workbooks: what they may unpack to and how many rows a sheet may have.
    import_max_unpacked_mb: int = 200
    import_max_rows: int = 1_048_576
    # How far past the server's clock an imported log's timestamps may be.
    clock_skew_hours: int = 24
    # issue 18: `access prune` drops whole months of access events older than this.
    access_retention_years: int = 3
    # `evidence verify --sweep` leaves blobs and unfinished uploads younger than this alone.
    sweep_grace_minutes: int = 60
    business_hours: tuple[time, time] = (time(8, 0), time(20, 0))
    # The company's yearly closures (one-off closures are kept in the database).
    closed_days: tuple[AnnualClosure, ...] = parse_closed_days(DEFAULT_CLOSED_DAYS)
    # Thresholds of the access-log anomaly rules (evidence.access.rules.RuleSettings).
    rule_bulk_export_records: int = 1000
    rule_bulk_export_daily: int = 5000
    rule_failed_login_burst: int = 5
    rule_denied_badge_burst: int = 3
    rule_burst_minutes: int = 10
    mfa_required_roles: frozenset[str] = frozenset()
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    session_hours: int = 8
    trusted_proxies: int = 0
    force_https_cookies: bool = False
    organisation: str = "Example K.K."
    base_url: str = "http://127.0.0.1:5000"
    inspection_lead_days: int = 14
    inspection_grace_days: int = 10
    missed_after_days: int = 30
    # issue 16: the internal target for requests from individuals (calendar days from receipt)
    # and for the first reply to an inquiry (business days).
    request_target_days: int = 14
    inquiry_reply_business_days: int = 5
    scheduler_lease_seconds: int = 45
    scheduler_tick_minutes: int = 5
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    # issue 18 S3: None keeps evidence in ``evidence_dir``.
    s3: S3Settings | None = None
    # Issue 15: the leak report (漏えい等報告): 速報 target and limit in days, and the 報告者.
    leak_preliminary_target_days: int = 3
    leak_preliminary_days: int = 5
    organisation_corporate_number: str = ""
    organisation_address: str = ""
    organisation_representative: str = ""
    leak_report_contact: str = ""

    @property
    def database(self) -> URL:
        """The parsed database URL."""
        return make_url(self.database_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate settings; raise :class:`ConfigError` naming the first bad variable."""
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("ARTICLE8_INSTANCE_DIR", "instance")).resolve()
        database_url = _database_url(env, instance_dir)
        evidence_dir = Path(env.get("EVIDENCE_DIR") or instance_dir / "evidence").resolve()
        return cls(
            instance_dir=instance_dir,
            database_url=database_url,
            evidence_dir=evidence_dir,
            secret_key=env.get("SECRET_KEY") or _instance_secret(instance_dir),
            timezone=_timezone(env.get("ARTICLE8_TZ", "Asia/Tokyo")),
            fiscal_year_start=_int(env, "ARTICLE8_FISCAL_YEAR_START", 4, 1, 12),
            smtp=SmtpSettings(
                host=env.get("SMTP_HOST", ""),
                port=_int(env, "SMTP_PORT", 25, 1, 65535),
                user=env.get("SMTP_USER", ""),
                password=env.get("SMTP_PASSWORD", ""),
                sender=env.get("SMTP_FROM", "article8@localhost"),
                starttls=_bool(env, "SMTP_STARTTLS", False),
            ),
            max_upload_mb=_int(env, "MAX_UPLOAD_MB", 100, 1, 1024 * 1024),
            import_max_unpacked_mb=_int(env, "ARTICLE8_IMPORT_MAX_UNPACKED_MB", 200, 1, 64 * 1024),
            import_max_rows=_int(env, "ARTICLE8_IMPORT_MAX_ROWS", 1_048_576, 1, 1_048_576),
            clock_skew_hours=_int(env, "ARTICLE8_CLOCK_SKEW_HOURS", 24, 0, 24 * 31),
            access_retention_years=_int(env, "ARTICLE8_ACCESS_RETENTION_YEARS", 3, 1, 100),
            sweep_grace_minutes=_int(env, "ARTICLE8_SWEEP_GRACE_MINUTES", 60, 0, 30 * 24 * 60),
            business_hours=_hours(env.get("ARTICLE8_BUSINESS_HOURS", "08:00-20:00")),
            closed_days=_closed_days(env.get("ARTICLE8_CLOSED_DAYS", DEFAULT_CLOSED_DAYS)),
            rule_bulk_export_records=_int(
                env, "ARTICLE8_RULE_BULK_EXPORT_RECORDS", 1000, 1, 1_000_000_000
            ),
            rule_bulk_export_daily=_int(
                env, "ARTICLE8_RULE_BULK_EXPORT_DAILY", 5000, 1, 1_000_000_000
            ),
            # A burst is at least two events: one failure alone is no burst.
            rule_failed_login_burst=_int(env, "ARTICLE8_RULE_FAILED_LOGIN_BURST", 5, 2, 10_000),
            rule_denied_badge_burst=_int(env, "ARTICLE8_RULE_DENIED_BADGE_BURST", 3, 2, 10_000),
            rule_burst_minutes=_int(env, "ARTICLE8_RULE_BURST_MINUTES", 10, 1, 24 * 60),
            mfa_required_roles=_roles(env.get("ARTICLE8_MFA_REQUIRED_ROLES", "")),
            login_max_failures=_int(env, "ARTICLE8_LOGIN_MAX_FAILURES", 5, 1, 1000),
            login_lock_minutes=_int(env, "ARTICLE8_LOGIN_LOCK_MINUTES", 15, 1, 24 * 60),
            session_hours=_int(env, "ARTICLE8_SESSION_HOURS", 8, 1, 24),
            trusted_proxies=_int(env, "ARTICLE8_TRUSTED_PROXIES", 0, 0, 10),
            force_https_cookies=_bool(env, "ARTICLE8_SECURE_COOKIES", False),
            organisation=env.get("ARTICLE8_ORGANISATION", "Example K.K."),
            base_url=env.get("ARTICLE8_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
            inspection_lead_days=_int(env, "ARTICLE8_INSPECTION_LEAD_DAYS", 14, 0, 180),
            inspection_grace_days=_int(env, "ARTICLE8_INSPECTION_GRACE_DAYS", 10, 0, 180),
            missed_after_days=_int(env, "ARTICLE8_MISSED_AFTER_DAYS", 30, 1, 366),
            request_target_days=_int(env, "ARTICLE8_REQUEST_TARGET_DAYS", 14, 1, 366),  # issue 16
            inquiry_reply_business_days=_int(  # issue 16
                env, "ARTICLE8_INQUIRY_REPLY_BUSINESS_DAYS", 5, 1, 60
            ),
            scheduler_lease_seconds=_int(env, "ARTICLE8_SCHEDULER_LEASE_SECONDS", 45, 3, 600),
            scheduler_tick_minutes=_int(env, "ARTICLE8_SCHEDULER_TICK_MINUTES", 5, 1, 60),
            argon2_time_cost=_int(env, "ARTICLE8_ARGON2_TIME_COST", 3, 1, 100),
            argon2_memory_kib=_int(env, "ARTICLE8_ARGON2_MEMORY_KIB", 65536, 8192, 4 * 1024**2),
            argon2_parallelism=_int(env, "ARTICLE8_ARGON2_PARALLELISM", 4, 1, 64),
            s3=_s3(env),
            # Issue 15: the leak report.
            leak_preliminary_target_days=_int(
                env, "ARTICLE8_LEAK_PRELIMINARY_TARGET_DAYS", 3, 1, 30
            ),
            leak_preliminary_days=_int(env, "ARTICLE8_LEAK_PRELIMINARY_DAYS", 5, 1, 30),
            organisation_corporate_number=env.get("ARTICLE8_ORGANISATION_NUMBER", ""),
            organisation_address=env.get("ARTICLE8_ORGANISATION_ADDRESS", ""),
            organisation_representative=env.get("ARTICLE8_ORGANISATION_REPRESENTATIVE", ""),
            leak_report_contact=env.get("ARTICLE8_LEAK_REPORT_CONTACT", ""),
        )


def _database_url(env: Mapping[str, str], instance_dir: Path) -> str:
    raw = env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'article8.db'}"
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL",
            "is not a database URL; expected e.g. sqlite:///instance/article8.db or "
            "postgresql+psycopg://user@host:5432/article8",
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            "DATABASE_URL",
            f"unsupported database '{url.get_backend_name()}'; expected sqlite or postgresql",
        )
    if url.get_backend_name() == "postgresql":
        if "+" not in url.drivername:
            url = url.set(drivername="postgresql+psycopg")
        elif url.get_driver_name() != "psycopg":
            raise ConfigError("DATABASE_URL", "use the psycopg driver: postgresql+psycopg://…")
        if not url.database:
            raise ConfigError("DATABASE_URL", "names no database")
    return url.render_as_string(hide_password=False)


# S3's bucket naming rules (3-63 lower-case letters, digits, dots and hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def _s3(env: Mapping[str, str]) -> S3Settings | None:
    """``EVIDENCE_STORE`` and the ``S3_*`` variables (issue 18 S3)."""
    raw = env.get("EVIDENCE_STORE", "").strip()
    days = _int(env, "S3_OBJECT_LOCK_DAYS", 0, 0, 36500)
    mode = env.get("S3_OBJECT_LOCK_MODE", "").strip().upper() or "COMPLIANCE"
    if mode not in ("COMPLIANCE", "GOVERNANCE"):
        raise ConfigError("S3_OBJECT_LOCK_MODE", f"'{mode}' is neither COMPLIANCE nor GOVERNANCE")
    if not raw:
        if days:
            raise ConfigError("S3_OBJECT_LOCK_DAYS", "needs EVIDENCE_STORE=s3://bucket/prefix")
        return None
    if not raw.startswith("s3://"):
        raise ConfigError(
            "EVIDENCE_STORE",
            f"'{raw}' is not s3://bucket/prefix (leave it empty to keep evidence in EVIDENCE_DIR)",
        )
    bucket, _, prefix = raw.removeprefix("s3://").partition("/")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ConfigError("EVIDENCE_STORE", f"'{bucket}' is not a valid S3 bucket name")
    parts = [p for p in prefix.split("/") if p]
    if any(p in (".", "..") or not p.isprintable() for p in parts):
        raise ConfigError("EVIDENCE_STORE", f"'{prefix}' is not a usable key prefix")
    endpoint = env.get("S3_ENDPOINT_URL", "").strip() or None
    if endpoint is not None and not re.match(r"^https?://[^/\s]+", endpoint):
        raise ConfigError("S3_ENDPOINT_URL", f"'{endpoint}' is not an http(s):// address")
    if importlib.util.find_spec("boto3") is None:
        raise ConfigError(
            "EVIDENCE_STORE", "needs boto3; install article8 with the s3 extra: pip install '.[s3]'"
        )
    return S3Settings(
        bucket=bucket,
        prefix="/".join(parts),
        endpoint_url=endpoint,
        lock_days=days,
        lock_mode=mode,
    )


def _instance_secret(instance_dir: Path) -> str:
    """Return the secret key kept in the instance folder, creating it (mode 0600) once."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("ARTICLE8_TZ", f"unknown time zone '{name}'; e.g. Asia/Tokyo") from None


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name, "")
    if raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"'{raw}' is not a whole number") from None
    if not low <= value <= high:
        raise ConfigError(name, f"{value} is out of range {low}–{high}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(name, f"'{raw}' is not a boolean; use true or false")


def _hours(raw: str) -> tuple[time, time]:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", raw)
    if not match:
        raise ConfigError("ARTICLE8_BUSINESS_HOURS", f"'{raw}' is not of the form HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ConfigError("ARTICLE8_BUSINESS_HOURS", f"'{raw}' has an invalid time") from None
    if start >= end:
        raise ConfigError("ARTICLE8_BUSINESS_HOURS", "the start must be before the end")
    return start, end


def _closed_days(raw: str) -> tuple[AnnualClosure, ...]:
    try:
        return parse_closed_days(raw)
    except ValueError as error:
        raise ConfigError(
            "ARTICLE8_CLOSED_DAYS",
            f"{error}; expected MM-DD days or MM-DD..MM-DD ranges separated by commas, "
            f"e.g. {DEFAULT_CLOSED_DAYS},08-13..08-16 (empty for none)",
        ) from None


def _roles(raw: str) -> frozenset[str]:
    roles = frozenset(r.strip() for r in raw.split(",") if r.strip())
    unknown = roles - set(ROLES)
    if unknown:
        raise ConfigError(
            "ARTICLE8_MFA_REQUIRED_ROLES",
            f"unknown role(s) {', '.join(sorted(unknown))}; expected any of {', '.join(ROLES)}",
        )
    return roles
