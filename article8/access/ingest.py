"""Importing access logs: one file is one batch, stored whole or not at all, then the rules run.

The file streams through twice: once for its SHA-256 (a file imported before is a no-op), once
to parse and insert. Rows go to the database in batches through the driver's ``executemany``
(SQLite) or COPY (PostgreSQL) inside the session's transaction, so a million lines never sit in
memory at once and a bad line rolls back everything the caller's transaction holds. On
PostgreSQL each month's events go to a partition of their own (see partitions).

A set-based path (COPY of the raw CSV into a temporary table, one INSERT … SELECT converting and
checking every value) was built and measured against this one on PostgreSQL: a million lines,
import and rules, took 10.6–15.0 s against 12.9–13.3 s here, and 9.4 s of CPU against 9.8–10.7 s,
all of it in the database server instead of about half. No faster, it only moved the parsing to
the one part that does not scale out, so it was left out (git history: access/staging.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.access import partitions
from article8.access.errors import AccessLogError, RowProblem
from article8.access.localtime import LocalCalendar
from article8.access.logformat import PARSERS, LogSource, Parser, Row, open_log
from article8.access.models import LOG_KINDS, AccessBatch, AccessEvent, Handler, HandlerAlias
from article8.access.rules import RuleReport, RuleSettings, run_rules
from article8.core import audit
from article8.core.audit import Actor
from article8.core.errors import N_, Phrase
from article8.core.files import sha256_of
from article8.core.settings import Settings
from article8.core.tabular import Problem, Problems

INSERT_COLUMNS = (
    "batch_id", "line", "kind", "occurred_at", "epoch", "local_date", "local_minute",
    "business_day", "person", "handler_id", "person_key", "system", "action", "records",
    "source_ip", "area", "door", "direction", "result",
)  # fmt: skip
CHUNK_ROWS = 10_000
# The PostgreSQL type of each of INSERT_COLUMNS, for binary COPY.
COPY_TYPES = (
    "int4", "int4", "varchar", "timestamptz", "int8", "date", "int2", "bool", "varchar", "int4",
    "varchar", "varchar", "varchar", "int4", "varchar", "varchar", "varchar", "varchar", "varchar",
)  # fmt: skip


@dataclass(frozen=True)
class Reject:
    """A line left out by ``skip_invalid``: where, why, and the line as the file had it."""

    line: int
    column: str | None
    problem: str
    record: list[str]
    # The file's columns (CSV) or ["record"] (JSON Lines), for a rejects file's header.
    header: list[str]
    # The problem, structured, for an edge that says it in the user's language.
    detail: Problem | None = None


@dataclass
class ImportReport:
    """What an import did."""

    batch_id: int
    filename: str
    kind: str
    sha256: str
    rows: int = 0
    rejected: int = 0
    # True when the same file was imported before: nothing was done.
    duplicate: bool = False
    imported_at: datetime | None = None
    imported_by: str = ""
    # The encoding the file was read in; None for a file imported before.
    encoding: str | None = None
    first_date: date | None = None
    last_date: date | None = None
    anomalies: RuleReport = field(default_factory=RuleReport)


def import_access_log(
    session: Session,
    stream: BinaryIO,
    *,
    filename: str,
    kind: str,
    settings: Settings | RuleSettings,
    actor: Actor,
    now: datetime,
    mapping: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one access-log file (CSV or JSON Lines; a seekable binary stream) as a batch.

    Without ``skip_invalid`` a bad line raises :class:`AccessLogError`, once the whole file has
    been read so that it lists every bad line (up to MAX_LISTED, with the total), and the
    caller's rollback discards the batch; with it, bad lines go to ``on_reject`` and the rest is
    stored, unless no line was good: a batch of nothing is never stored.
    ``progress`` is called with the bytes read so far. The rules then run over the batch's dates.
    """
    if kind not in LOG_KINDS:
        problem = Phrase(N_("unknown log kind %(kind)s; expected system or entry"), kind=repr(kind))
        raise AccessLogError(filename, problem)
    sha256 = sha256_of(stream)
    stream.seek(0)
    earlier = session.scalar(select(AccessBatch).where(AccessBatch.sha256 == sha256))
    if earlier is not None:
        return ImportReport(
            earlier.id,
            earlier.filename,
            earlier.kind,
            sha256,
            earlier.row_count,
            earlier.rejected_count,
            duplicate=True,
            imported_at=earlier.imported_at,
            imported_by=earlier.imported_by_label,
            first_date=earlier.first_date,
            last_date=earlier.last_date,
        )
    rules = RuleSettings.of(settings)
    # The header is checked before anything is written.
    source = open_log(stream, filename, kind, mapping or {})
    batch = AccessBatch(
        kind=kind,
        filename=filename[:255],
        sha256=sha256,
        imported_by_id=actor.id,
        imported_by_label=actor.label,
        imported_at=now,
    )
    session.add(batch)
    session.flush()
    report = ImportReport(
        batch.id, filename, kind, sha256, imported_at=now, imported_by=actor.label
    )
    calendar = LocalCalendar(
        rules.timezone,
        session.get_bind().dialect.name,
        latest=now + timedelta(hours=rules.clock_skew_hours),
    )
    parse = PARSERS[kind](source.positions, calendar, _people(session), batch.id)
    _load(session, source, parse, stream, report, skip_invalid, on_reject, progress)
    report.encoding = source.encoding
    if report.rows == 0 and report.rejected == 0:
        raise AccessLogError(filename, Phrase(N_("contains no log lines")))
    report.first_date, report.last_date = session.execute(
        select(func.min(AccessEvent.local_date), func.max(AccessEvent.local_date)).where(
            AccessEvent.batch_id == batch.id
        )
    ).one()
    batch.row_count, batch.rejected_count = report.rows, report.rejected
    batch.first_date, batch.last_date = report.first_date, report.last_date
    session.flush()
    if report.rows:
        connection = session.connection()
        if partitions.is_partitioned(connection):
            partitions.analyse(connection, calendar.dates)
        report.anomalies = run_rules(session, rules, days=calendar.dates, now=now)
    audit.record(
        session,
        actor,
        "access.import",
        now=now,
        object_type="access_batch",
        object_id=batch.id,
        details={
            "file": filename,
            "sha256": sha256,
            "kind": kind,
            "rows": report.rows,
            "rejected": report.rejected,
            "first_date": report.first_date,
            "last_date": report.last_date,
            "anomalies": report.anomalies.found,
        },
    )
    return report


def _load(
    session: Session,
    source: LogSource,
    parse: Parser,
    stream: BinaryIO,
    report: ImportReport,
    skip_invalid: bool,
    on_reject: Callable[[Reject], None] | None,
    progress: Callable[[int], None] | None,
) -> None:
    write = _writer(session)
    chunk: list[Row] = []
    append = chunk.append
    problems = Problems()
    # Set at the first bad line unless skipping: from then on lines are only checked.
    refused = False
    for line, values, raw, problem in source.lines:
        try:
            if problem is not None:
                raise problem
            row = parse(values, line)
        except RowProblem as error:
            column = source.names.get(error.field, error.field) if error.field else None
            detail = Problem(
                report.filename, error.code, error.problem, line, column,
                error.expected, error.found, part=source.part,
            )  # fmt: skip
            problems.add(detail)
            refused = not skip_invalid
            if skip_invalid:
                report.rejected += 1
                if on_reject is not None:
                    record = raw if isinstance(raw, list) else [raw.rstrip("\r\n")]
                    on_reject(
                        Reject(
                            line, column, str(error.problem), record, source.reject_header, detail
                        )
                    )
            continue
        if refused:
            continue  # the file will be refused: read on for its other problems, store nothing
        append(row)
        if len(chunk) >= CHUNK_ROWS:
            write(chunk)
            report.rows += len(chunk)
            chunk.clear()
            if progress is not None:
                progress(stream.tell())
    if refused:
        raise AccessLogError.of_all(problems)
    if chunk:
        write(chunk)
        report.rows += len(chunk)
    if progress is not None:
        progress(stream.tell())
    if problems and report.rows == 0:
        # Every line was invalid: no batch of nothing is stored.
        raise AccessLogError.of_all(problems)


def _writer(session: Session) -> Callable[[list[Row]], None]:
    """Rows of INSERT_COLUMNS straight to the driver, inside the session's transaction."""
    # Per-row SQLAlchemy processing would cost more than parsing the line, so the values are
    # already in the form each backend stores (see logformat) and skip it: COPY on PostgreSQL,
    # the driver's executemany on SQLite.
    connection = session.connection()
    columns = ", ".join(INSERT_COLUMNS)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        # Binary COPY: no value is formatted as text only for the server to parse it again.
        copy_sql = f"COPY access_event ({columns}) FROM STDIN (FORMAT BINARY)"
        # The months that have a partition; None when the table is not partitioned.
        known = partitions.months(connection) if partitions.is_partitioned(connection) else None
        day_at = INSERT_COLUMNS.index("local_date")

        def copy(rows: list[Row]) -> None:
            if known is not None:
                days = {row[day_at] for row in rows}
                wanted = {day.replace(day=1) for day in days} - known
                if wanted:
                    partitions.create(connection, wanted)
                    known.update(wanted)
            with driver.cursor() as cursor, cursor.copy(copy_sql) as out:  # type: ignore[union-attr]
                out.set_types(COPY_TYPES)
                for row in rows:
                    out.write_row(row)

        return copy
    markers = ", ".join(["?"] * len(INSERT_COLUMNS))
    statement = f"INSERT INTO access_event ({columns}) VALUES ({markers})"  # noqa: S608 - constants

    def insert(rows: list[Row]) -> None:
        connection.exec_driver_sql(statement, rows)

    return insert


def _people(session: Session) -> dict[str, tuple[int, str]]:
    """Every employee id and alias, to the person's id and person_key."""
    people = {
        employee_id: (handler_id, f"p:{employee_id}")
        for handler_id, employee_id in session.execute(select(Handler.id, Handler.employee_id))
    }
    for alias, handler_id, employee_id in session.execute(
        select(HandlerAlias.alias, Handler.id, Handler.employee_id).join(Handler)
    ):
        people[alias] = (handler_id, f"p:{employee_id}")
    return people
