"""One-file backups: a consistent logical snapshot of every table, every evidence blob, and a
manifest of SHA-256s; restore verifies all of it, into an empty instance only.

The snapshot is logical (JSON Lines per table, read in one repeatable-read transaction), so a
backup taken from SQLite restores into PostgreSQL: that is the documented migration path.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from article8 import __version__
from article8.access import partitions
from article8.core import audit
from article8.core.audit import Actor
from article8.core.db import Base, Database
from article8.core.errors import N_, DomainError
from article8.core.files import sha256_of
from article8.core.schema import alembic_config, migrating
from article8.evidence.blobstore import CHUNK, BlobStore
from article8.evidence.integrity import verify_store

FORMAT = "article8-backup"
VERSION = 1
# Runtime state that a restored instance builds afresh rather than inherits.
SKIPPED_TABLES = {"apscheduler_jobs", "scheduler_lease", "login_throttle", "job_run"}
BATCH = 5000


class BackupError(DomainError):
    """A backup could not be made or restored; the message says why."""


@dataclass
class BackupReport:
    """What went into, or came out of, an archive."""

    tables: dict[str, int] = field(default_factory=dict)
    blobs: int = 0
    audit_events: int = 0
    audit_head: str = ""


def tables() -> list[Table]:
    """Every application table in foreign-key order (parents first)."""
    # Every feature's models.py, found on disk as the migrations' environment finds them: a table
    # must not be left out of backups because nothing had imported its module yet (the privacy
    # tables of 0013 and 0014 were in backups only because the web application imports them).
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("models.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        importlib.import_module(".".join(parts))
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoders(table: Table) -> dict[str, Any]:
    decoders: dict[str, Any] = {}
    for column in table.columns:
        kind = getattr(column.type, "impl", column.type)
        if isinstance(kind, DateTime):
            decoders[column.name] = datetime.fromisoformat
        elif isinstance(kind, Date):
            decoders[column.name] = date.fromisoformat
        elif isinstance(kind, LargeBinary):
            decoders[column.name] = base64.b64decode
    return decoders


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    # One transaction for every table: on PostgreSQL REPEATABLE READ gives a single snapshot;
    # on SQLite the transaction (BEGIN IMMEDIATE) keeps writers out while we read.
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def create_backup(
    database: Database, store: BlobStore, out: Path, actor: Actor, *, now: datetime
) -> BackupReport:
    """Write the archive to ``out`` atomically, then record it in the audit trail.

    The record (file name, SHA-256, blobs, audit head) is its own transaction, after the
    archive is in place: the snapshot must not wait for, or hold, the audit chain's lock.
    """
    report = _write_archive(database, store, out, now=now)
    with database.unit_of_work() as session:
        audit.record(
            session,
            actor,
            "backup.create",
            now=now,
            object_type="backup",
            details={
                "file": out.name,
                "sha256": sha256_of(out),
                "blobs": report.blobs,
                "audit_head": report.audit_head,
            },
        )
    return report


def _write_archive(
    database: Database, store: BlobStore, out: Path, *, now: datetime
) -> BackupReport:
    """Write the archive to ``out`` atomically (a temporary file renamed into place)."""
    engine = database.bind
    assert isinstance(engine, Engine)
    report = BackupReport()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "created_at": now.isoformat(),
        "source": engine.dialect.name,
        "release": __version__,
        "tables": {},
        "blobs": {},
    }
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=out.parent, prefix=".backup-", suffix=".tar")
    os.close(fd)
    temp = Path(temp_name)
    try:
        with tarfile.open(temp, "w") as archive, tempfile.TemporaryDirectory() as scratch:
            with _snapshot(engine) as conn:
                manifest["alembic_revision"] = conn.scalar(
                    text("SELECT version_num FROM alembic_version")
                )
                present = tables_at(conn)
                for table in present:
                    rows, digest = _dump_table(conn, table, Path(scratch) / f"{table.name}.jsonl")
                    archive.add(
                        Path(scratch) / f"{table.name}.jsonl",
                        arcname=f"database/{table.name}.jsonl",
                    )
                    manifest["tables"][table.name] = {"rows": rows, "sha256": digest}
                    report.tables[table.name] = rows
                referenced: dict[str, int] = (
                    {
                        row.sha256: row.size
                        for row in conn.execute(
                            text(
                                "SELECT sha256, MAX(size) AS size FROM evidence_item "
                                "GROUP BY sha256"
                            )
                        )
                    }
                    if any(t.name == "evidence_item" for t in present)
                    else {}
                )
                with Session(bind=conn) as session:
                    chain = audit.verify_chain(session)
            if not chain.ok:
                raise BackupError(
                    "the audit trail is broken at sequence %(seq)s; not backing up",
                    seq=chain.first_bad_seq,
                )
            for sha256 in sorted(referenced):
                _add_blob(archive, store, sha256, referenced[sha256])
                manifest["blobs"][sha256] = referenced[sha256]
            manifest["audit"] = {"events": chain.checked, "head": chain.head_hash}
            report.blobs = len(referenced)
            report.audit_events, report.audit_head = chain.checked, chain.head_hash
            payload = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        with temp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, out)
    finally:
        temp.unlink(missing_ok=True)
    return report


class _Hashing:
    """A reader that hashes what passes through it (tarfile reads exactly the declared size)."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        chunk = self.stream.read(n if n is not None and n >= 0 else CHUNK)
        self.digest.update(chunk)
        self.size += len(chunk)
        return bytes(chunk)


def _add_blob(archive: tarfile.TarFile, store: BlobStore, sha256: str, size: int) -> None:
    """Stream one blob from the store (a directory or a bucket) into the archive, hash checked.

    Read once, through the store's ``open``: the bytes are hashed on their way into the
    archive, and a mismatch (or a blob shorter or longer than its rows say) aborts the backup.
    """
    info = tarfile.TarInfo(f"evidence/{sha256}")
    info.size, info.mode = size, 0o440
    try:
        with store.open(sha256) as blob:
            reader = _Hashing(blob)
            archive.addfile(info, reader)  # type: ignore[arg-type]
            extra = blob.read(1)
    except (FileNotFoundError, OSError):
        raise BackupError("evidence blob %(sha)s is missing or damaged", sha=sha256) from None
    if extra or reader.size != size or reader.digest.hexdigest() != sha256:
        raise BackupError("evidence blob %(sha)s is missing or damaged", sha=sha256)


def _dump_table(conn: Connection, table: Table, path: Path) -> tuple[int, str]:
    digest, rows = hashlib.sha256(), 0
    order = list(table.primary_key.columns) or list(table.columns)
    result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    with path.open("wb") as handle, result:
        for row in result.mappings():
            line = (
                json.dumps(
                    {k: _encode(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True
                ).encode()
                + b"\n"
            )
            digest.update(line)
            handle.write(line)
            rows += 1
    return rows, digest.hexdigest()


def restore_backup(database: Database, store: BlobStore, archive_path: Path) -> BackupReport:
    """Restore into an empty instance, all or nothing; every hash is checked first, the audit
    chain and the evidence before the transaction commits.

    An archive made at an older schema revision is loaded into the schema of that revision and
    then migrated to this release's head in the same transaction, so that the data migrations
    run on it as they ran on the instances that were upgraded in place. An archive newer than
    this release is refused. Blobs go into the store before the commit (the store is
    content-addressed: a failed restore leaves at most unreferenced blobs, which the sweep tidies).
    """
    engine = database.bind
    assert isinstance(engine, Engine)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        manifest = _unpack(archive_path, scratch)
        history = _history()
        revision = _archive_revision(manifest, archive_path, history)
        report = BackupReport()
        with migrating(engine) as conn:
            _prepare_schema(conn, revision, history)
            schema_tables = tables_at(conn)
            _check_tables(manifest, schema_tables, revision)
            for table in schema_tables:
                report.tables[table.name] = _load_table(
                    conn, table, scratch / "database" / f"{table.name}.jsonl", revision
                )
            _check_references(conn, revision)
            _reset_sequences(conn, schema_tables)
            _migrate_to_head(conn, revision, history)
            if revision != history[-1]:
                _reset_sequences(conn, tables())
            for sha256 in manifest["blobs"]:
                with (scratch / "evidence" / sha256).open("rb") as blob:
                    store.put(blob)
            report.blobs = len(manifest["blobs"])
            with Session(bind=conn) as session:
                chain = audit.verify_chain(session)
                evidence = verify_store(session, store)
            if not chain.ok or chain.head_hash != manifest["audit"]["head"]:
                raise BackupError(
                    "the restored audit trail does not verify (sequence %(seq)s)",
                    seq=chain.first_bad_seq,
                )
            if not evidence.ok:
                raise BackupError("restored evidence does not verify")
        report.audit_events, report.audit_head = chain.checked, chain.head_hash
        return report


def _history() -> list[str]:
    """This release's schema revisions, oldest first (the history is linear)."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions("base", "heads")))]


def _archive_revision(manifest: dict[str, Any], archive_path: Path, history: list[str]) -> str:
    """The schema revision the archive was made at; refuse one this release does not know."""
    revision = manifest.get("alembic_revision")
    if not isinstance(revision, str) or not revision:
        raise BackupError(
            N_("%(file)s does not say which schema revision it was made at"),
            file=archive_path.name,
        )
    if revision not in history:
        made_by = manifest.get("release")
        if not made_by:  # archives made before manifests named their release
            raise BackupError(
                N_(
                    "%(file)s was made at schema revision %(revision)s; this release (article8 "
                    "%(release)s) knows revisions up to %(head)s only: restore it with the "
                    "release that made it, or a later one"
                ),
                file=archive_path.name,
                revision=revision,
                release=__version__,
                head=history[-1],
            )
        raise BackupError(
            N_(
                "%(file)s was made at schema revision %(revision)s by article8 %(made_by)s; "
                "this release (article8 %(release)s) knows revisions up to %(head)s only: "
                "restore it with article8 %(made_by)s or later"
            ),
            file=archive_path.name,
            revision=revision,
            made_by=made_by,
            release=__version__,
            head=history[-1],
        )
    return revision


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _prepare_schema(conn: Connection, revision: str, history: list[str]) -> None:
    """Bring the empty target to the archive's revision (up from nothing, or down from head)."""
    current = _current_revision(conn)
    if current is not None:
        if current not in history:
            raise BackupError(
                N_(
                    "the target database is at schema revision %(current)s, newer than this release"
                ),
                current=current,
            )
        _refuse_non_empty(conn, tables_at(conn))
    config = alembic_config(conn)
    if current is None or history.index(current) < history.index(revision):
        command.upgrade(config, revision)
    elif history.index(current) > history.index(revision):
        command.downgrade(config, revision)


def tables_at(conn: Connection) -> list[Table]:
    """The application tables as the database behind ``conn`` has them now, parents first.

    At this release's head they are the models' tables. At an older revision they are reflected,
    so that rows are read from and loaded into that revision's columns; a column the models still
    describe keeps the models' type (UTC datetimes, say), others keep the reflected one.
    """
    if _current_revision(conn) == _history()[-1]:
        return tables()
    reflected = MetaData()
    reflected.reflect(conn)
    models = {t.name: t for t in tables()}
    result = []
    for table in reflected.sorted_tables:
        if table.name in SKIPPED_TABLES or table.name == "alembic_version":
            continue
        model = models.get(table.name)
        result.append(
            Table(
                table.name,
                MetaData(),
                *(
                    Column(
                        c.name,
                        model.c[c.name].type if model is not None and c.name in model.c else c.type,
                        primary_key=c.primary_key,
                    )
                    for c in table.columns
                ),
            )
        )
    return result


def _check_tables(manifest: dict[str, Any], schema_tables: list[Table], revision: str) -> None:
    names = {t.name for t in schema_tables}
    for name in sorted(names - set(manifest["tables"])):
        raise BackupError(
            N_("the backup has no data for table %(table)s (schema revision %(revision)s)"),
            table=name,
            revision=revision,
        )
    # Runtime state an older release may have archived (job_run, before it was skipped) is left
    # out, as a backup made now leaves it out.
    for name in sorted(set(manifest["tables"]) - names - SKIPPED_TABLES):
        raise BackupError(
            N_("the backup has table %(table)s, which schema revision %(revision)s does not have"),
            table=name,
            revision=revision,
        )


def _check_references(conn: Connection, revision: str) -> None:
    # PostgreSQL checks every foreign key as rows go in; SQLite has them off while migrating.
    if conn.dialect.name != "sqlite":
        return
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        raise BackupError(
            N_(
                "table %(table)s, row %(row)s of the backup refers to a row of %(parent)s that "
                "is not in the backup (schema revision %(revision)s)"
            ),
            table=broken[0],
            row=broken[1],
            parent=broken[2],
            revision=revision,
        )


def _migrate_to_head(conn: Connection, revision: str, history: list[str]) -> None:
    """Run the migrations after ``revision`` one at a time, so a failure names its revision."""
    config = alembic_config(conn)
    for step in history[history.index(revision) + 1 :]:
        try:
            with conn.begin_nested():
                command.upgrade(config, step)
        except SQLAlchemyError as error:
            raise BackupError(
                N_(
                    "migration %(step)s failed on the data of the backup (made at schema "
                    "revision %(revision)s): %(error)s"
                ),
                step=step,
                revision=revision,
                error=str(getattr(error, "orig", None) or error).splitlines()[0],
            ) from None


def _unpack(archive_path: Path, scratch: Path) -> dict[str, Any]:
    """Extract safely and check every hash in the manifest before anything is restored."""
    try:
        with tarfile.open(archive_path, "r") as archive:
            archive.extractall(scratch, filter="data")  # no absolute paths, links or devices
    except (tarfile.TarError, OSError) as error:
        raise BackupError(
            "%(file)s is not a readable backup: %(error)s", file=archive_path.name, error=str(error)
        ) from None
    try:
        manifest = json.loads((scratch / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupError("%(file)s has no manifest", file=archive_path.name) from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(
            "%(file)s is not an article8 backup of a known version", file=archive_path.name
        )
    for name, entry in manifest["tables"].items():
        path = scratch / "database" / f"{name}.jsonl"
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise BackupError(
                "table %(table)s in the backup does not match its SHA-256", table=name
            )
    for sha256 in manifest["blobs"]:
        path = scratch / "evidence" / sha256
        if not path.is_file() or sha256_of(path) != sha256:
            raise BackupError("evidence blob %(sha)s in the backup is damaged", sha=sha256)
    return manifest


def _refuse_non_empty(conn: Connection, present: list[Table]) -> None:
    for table in present:
        if conn.scalar(select(func.count()).select_from(table)):
            raise BackupError(
                "the target instance is not empty (table %(table)s has rows); "
                "restore only into an empty database",
                table=table.name,
            )


def _load_table(conn: Connection, table: Table, path: Path, revision: str) -> int:
    decoders = _decoders(table)
    columns = set(table.c.keys())
    rows, batch = 0, []
    # issue 18: access events on PostgreSQL go into monthly partitions, made as rows reach them.
    known = (
        partitions.months(conn)
        if table.name == partitions.TABLE and partitions.is_partitioned(conn)
        else None
    )

    def write(batch: list[tuple[int, dict[str, Any]]]) -> int:
        if known is not None:
            wanted = {record["local_date"].replace(day=1) for _, record in batch} - known
            partitions.create(conn, wanted)
            known.update(wanted)
        return _insert(conn, table, batch, revision)

    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            record = json.loads(line)
            for name in record.keys() - columns:
                raise BackupError(
                    N_(
                        "table %(table)s, line %(line)s of the backup has a column %(column)s "
                        "that schema revision %(revision)s does not have"
                    ),
                    table=table.name,
                    line=line_number,
                    column=name,
                    revision=revision,
                )
            for name, decode in decoders.items():
                if record.get(name) is not None:
                    record[name] = decode(record[name])
            batch.append((line_number, record))
            if len(batch) >= BATCH:
                rows += write(batch)
                batch = []
    if batch:
        rows += write(batch)
    return rows


def _insert(
    conn: Connection, table: Table, batch: list[tuple[int, dict[str, Any]]], revision: str
) -> int:
    """Insert a batch; if the database refuses it, find and name the row it refuses."""
    try:
        with conn.begin_nested():
            conn.execute(insert(table), [record for _, record in batch])
        return len(batch)
    except SQLAlchemyError:
        pass
    for line_number, record in batch:
        try:
            with conn.begin_nested():
                conn.execute(insert(table), [record])
        except SQLAlchemyError as error:
            raise BackupError(
                N_(
                    "table %(table)s, line %(line)s of the backup cannot be loaded at schema "
                    "revision %(revision)s: %(error)s"
                ),
                table=table.name,
                line=line_number,
                revision=revision,
                error=str(getattr(error, "orig", None) or error).splitlines()[0],
            ) from None
    return len(batch)  # pragma: no cover - the batch failed, so one of its rows does


def _reset_sequences(conn: Connection, loaded: list[Table]) -> None:
    # Rows came with their ids: move PostgreSQL's sequences past them (SQLite needs nothing).
    if conn.dialect.name != "postgresql":
        return
    for table in loaded:
        for column in table.primary_key.columns:
            sequence = conn.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            )
            if sequence:
                highest = conn.scalar(select(func.max(column)))
                conn.execute(
                    text("SELECT setval(:s, :v, false)"), {"s": sequence, "v": (highest or 0) + 1}
                )
