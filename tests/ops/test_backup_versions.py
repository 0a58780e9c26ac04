"""A backup made at an older schema revision restores into this release: loaded at its revision,
then migrated (the data migrations run on it), verified; a newer one, or a bad one, changes nothing.

The old instance is real: a fresh database migrated only to revision 0011 (before the leak-report
record of 0012 and the requests of 0013), its rows put in with SQL, backed up by the backup code,
which reads the tables as that revision has them.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from article8 import __version__
from article8.core import audit, schema
from article8.core.audit import Actor
from article8.core.db import Database, make_engine
from article8.evidence.blobstore import LocalBlobStore
from article8.ops.backup import create_backup
from tests.cli_runner import article8
from tests.databases import provisioned
from tests.ops.test_backup import snapshot

OLD = "0011"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
POLICY = b"%PDF-1.7\n% the basic policy, as signed\n%%EOF\n"

ROWS = [
    "INSERT INTO user_account (id, email, display_name, role, locale, active, password_hash,"
    " password_changed_at, session_token, created_at) VALUES (1, 'kanri@example.com',"
    " '管理 太郎', 'admin', 'ja', true, 'x', '2026-11-01 00:00:00', 's', '2026-11-01 00:00:00')",
    "INSERT INTO control (id, code, category, title_en, title_ja, description_en, description_ja,"
    " article8_explicit, ppc_ref, evidence_expected, frequency, owner_id, active, source,"
    " in_catalogue, created_at, updated_at) VALUES (1, 'BP-01', 'basic_policy', 'Basic policy',"
    " '基本方針', 'd', 'd', true, '', '', 'annual', 1, true, 'catalogue', true,"
    " '2026-11-01 00:00:00', '2026-11-01 00:00:00')",
    "INSERT INTO inspection (id, control_id, period_start, period_end, period_label, opens_on,"
    " due_on, status, assignee_id, result, created_at, updated_at) VALUES (1, 1, '2026-01-01',"
    " '2026-12-31', '2026', '2026-11-01', '2026-12-31', 'approved', 1, 'pass',"
    " '2026-11-01 00:00:00', '2026-11-20 00:00:00')",
    "INSERT INTO incident (id, title, description, reported_at, aware_at, status,"
    " sensitive_data, financial_harm, unlawful_purpose, over_1000_people, assessed_by_id,"
    " assessed_at, preliminary_due_on, final_due_on, preliminary_reported_on,"
    " final_reported_on, created_at, updated_at) VALUES (1, 'USBメモリの紛失', 'd',"
    " '2026-11-20 01:00:00', '2026-11-20 01:00:00', 'investigating', true, false, false,"
    " false, 1, '2026-11-20 02:00:00', '2026-11-25', '2026-12-20', '2026-11-22', '2026-12-01',"
    " '2026-11-20 01:00:00', '2026-12-01 00:00:00')",
]


def old_archive(url: str, workdir: Path, archive: Path) -> str:
    """Migrate ``url`` (empty) back to revision 0011, fill it, back it up; the blob's SHA-256."""
    engine = make_engine(url)
    try:
        with schema.migrating(engine) as conn:
            command.downgrade(schema.alembic_config(conn), OLD)
            assert "incident_filing" not in inspect(conn).get_table_names()
        store = LocalBlobStore(workdir / "instance" / "evidence")
        blob = store.put(io.BytesIO(POLICY))
        with engine.begin() as conn:
            for statement in ROWS:
                conn.execute(text(statement))
            conn.execute(
                text(
                    "INSERT INTO evidence_item (id, version, title, description, original_name,"
                    " size, media_type, sha256, uploaded_by_id, uploaded_by_label, uploaded_at,"
                    " collected_on, inspection_id, status) VALUES (1, 1, '基本方針', '',"
                    " 'policy.pdf', :size, 'application/pdf', :sha, 1, '管理 太郎',"
                    " '2026-11-20 00:00:00', '2026-11-20', 1, 'current')"
                ),
                {"size": blob.size, "sha": blob.sha256},
            )
            conn.execute(text("INSERT INTO evidence_control VALUES (1, 1)"))
        admin = Actor(1, "管理 太郎")
        with Session(engine) as session:
            audit.record(session, admin, "incident.report", now=NOW, object_type="incident")
            audit.record(session, admin, "evidence.add", now=NOW, object_type="evidence")
            session.commit()
        report = create_backup(Database(engine), store, archive, Actor(None, "cli"), now=NOW)
        assert report.tables["incident"] == 1 and report.blobs == 1
        assert "incident_filing" not in report.tables
        return blob.sha256
    finally:
        engine.dispose()


def rewrite(
    archive: Path, out: Path, change: Callable[[str, bytes], bytes], **tables: bytes
) -> None:
    """A copy of ``archive`` with members changed (and ``tables`` added), the manifest's table
    hashes made to match."""
    with tarfile.open(archive) as original:
        members = {m.name: original.extractfile(m).read() for m in original.getmembers()}  # type: ignore[union-attr]
    members = {name: change(name, data) for name, data in members.items()}
    manifest = json.loads(members["manifest.json"])
    for name, data in tables.items():
        members[f"database/{name}.jsonl"] = data
        manifest["tables"][name] = {"rows": data.count(b"\n")}
    for name, entry in manifest["tables"].items():
        entry["sha256"] = hashlib.sha256(members[f"database/{name}.jsonl"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(out, "w") as copy:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))


def head_revision(url: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.scalar(text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def test_a_backup_from_an_older_release_restores_and_is_migrated(backend, tmp_path):
    source_dir, target_dir = tmp_path / "source", tmp_path / "target"
    source_dir.mkdir()
    target_dir.mkdir()
    archive = tmp_path / "before-0012.tar"
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        head = head_revision(target)
        sha = old_archive(source, source_dir, archive)
        with tarfile.open(archive) as made:
            manifest = json.loads(made.extractfile("manifest.json").read())  # type: ignore[union-attr]
        assert manifest["alembic_revision"] == OLD and manifest["release"] == __version__

        restored = article8(target, target_dir, "backup", "restore", str(archive))
        assert restored.returncode == 0, restored.stderr
        summary = json.loads(restored.stdout)
        assert summary["blobs"] == 1 and summary["audit_events"] == 2

        engine = make_engine(target)
        try:
            with engine.connect() as conn:
                assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head
                # Migration 0012 ran on the restored incident: its report dates are filings now.
                filings = conn.execute(
                    text(
                        "SELECT incident_id, kind, destination, filed_on, recorded_by_id"
                        " FROM incident_filing ORDER BY id"
                    )
                ).all()
                incident = conn.execute(
                    text(
                        "SELECT title, aware_confirmed_by_id, aware_confirmed_at IS NOT NULL,"
                        " entrustment FROM incident"
                    )
                ).one()
                evidence = conn.execute(
                    text("SELECT sha256, restricted FROM evidence_item")  # 0013's column
                ).one()
                inspection = conn.execute(text("SELECT status, result FROM inspection")).one()
        finally:
            engine.dispose()
        assert [(f[0], f[1], f[2], str(f[3]), f[4]) for f in filings] == [
            (1, "preliminary", "ppc", "2026-11-22", 1),
            (1, "final", "ppc", "2026-12-01", 1),
        ]
        assert tuple(incident) == ("USBメモリの紛失", 1, True, "none")
        assert (evidence[0], bool(evidence[1])) == (sha, False)
        assert tuple(inspection) == ("approved", "pass")

        verified = article8(target, target_dir, "audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        checked = article8(target, target_dir, "evidence", "verify")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert (target_dir / "instance/evidence/objects" / sha[:2] / sha[2:4] / sha).is_file()
        # New rows get fresh ids after the restore (PostgreSQL's sequences were moved on).
        created = article8(
            target,
            target_dir,
            "users",
            "create",
            "--email",
            "new@example.com",
            "--name",
            "New",
            "--role",
            "auditor",
            "--password-stdin",
            stdin="a long new password\n",
        )
        assert created.returncode == 0, created.stderr


def test_a_backup_from_a_newer_release_is_refused_naming_it(backend, tmp_path):
    archive, newer = tmp_path / "old.tar", tmp_path / "newer.tar"
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        old_archive(source, tmp_path / "source", archive)

        def from_the_future(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            manifest.update(alembic_revision="0099", release="9.9.0")
            return json.dumps(manifest).encode()

        rewrite(archive, newer, from_the_future)
        refused = article8(target, tmp_path / "target", "backup", "restore", str(newer))
        assert refused.returncode == 1
        assert "made at schema revision 0099 by article8 9.9.0" in refused.stderr
        assert f"this release (article8 {__version__})" in refused.stderr
        assert "restore it with article8 9.9.0 or later" in refused.stderr
        assert all(rows == [] for rows in snapshot(target).values())

        def unnamed(name: str, data: bytes) -> bytes:  # before manifests named their release
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            manifest.update(alembic_revision="0099")
            del manifest["release"]
            return json.dumps(manifest).encode()

        rewrite(archive, newer, unnamed)
        refused = article8(target, tmp_path / "target", "backup", "restore", str(newer))
        assert refused.returncode == 1
        assert "newer.tar was made at schema revision 0099; this release" in refused.stderr
        assert "restore it with the release that made it, or a later one" in refused.stderr
        assert all(rows == [] for rows in snapshot(target).values())


def test_a_damaged_old_backup_changes_nothing(backend, tmp_path):
    archive, tampered = tmp_path / "old.tar", tmp_path / "tampered.tar"
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        old_archive(source, tmp_path / "source", archive)
        with tarfile.open(archive) as original, tarfile.open(tampered, "w") as copy:
            for member in original.getmembers():
                data = original.extractfile(member).read()  # type: ignore[union-attr]
                if member.name == "database/incident.jsonl":
                    data = data.replace("USBメモリ".encode(), b"CD-R")
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
        refused = article8(target, tmp_path / "target", "backup", "restore", str(tampered))
        assert refused.returncode == 1
        assert "table incident in the backup does not match its SHA-256" in refused.stderr
        assert all(rows == [] for rows in snapshot(target).values())
        assert head_revision(target) != OLD


def test_a_row_the_old_schema_refuses_is_named_and_nothing_is_restored(backend, tmp_path):
    """Hashes that match but a row its revision does not accept: the whole restore is undone."""
    archive, bad = tmp_path / "old.tar", tmp_path / "bad.tar"
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        head = head_revision(target)
        old_archive(source, tmp_path / "source", archive)

        def unknown_status(name: str, data: bytes) -> bytes:
            if name == "database/inspection.jsonl":
                return data.replace(b'"status": "approved"', b'"status": "archived"')
            return data

        rewrite(archive, bad, unknown_status)
        refused = article8(target, tmp_path / "target", "backup", "restore", str(bad))
        assert refused.returncode == 1
        assert (
            "table inspection, line 1 of the backup cannot be loaded at schema revision 0011"
            in refused.stderr
        )
        # Nothing changed: still this release's schema, every table empty, no blob kept rows.
        assert head_revision(target) == head
        assert all(rows == [] for rows in snapshot(target).values())


def test_runtime_state_an_older_release_archived_is_left_out(backend, tmp_path):
    """Releases before job_run was skipped archived it; such an archive restores, without it."""
    archive, older = tmp_path / "old.tar", tmp_path / "older.tar"
    run = {"id": 1, "job": "nightly", "started_at": "2026-11-20T00:00:00+00:00"}
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        old_archive(source, tmp_path / "source", archive)
        rewrite(archive, older, lambda _name, data: data, job_run=json.dumps(run).encode() + b"\n")
        restored = article8(target, tmp_path / "target", "backup", "restore", str(older))
        assert restored.returncode == 0, restored.stderr
        assert "job_run" not in json.loads(restored.stdout)["tables"]
        assert snapshot(target)["incident"] != []


def test_a_row_referring_to_a_row_not_in_the_backup_is_named(backend, tmp_path):
    archive, bad = tmp_path / "old.tar", tmp_path / "bad.tar"
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        old_archive(source, tmp_path / "source", archive)

        def dangling(name: str, data: bytes) -> bytes:
            if name == "database/evidence_control.jsonl":
                return data.replace(b'"control_id": 1', b'"control_id": 99')
            return data

        rewrite(archive, bad, dangling)
        refused = article8(target, tmp_path / "target", "backup", "restore", str(bad))
        assert refused.returncode == 1
        # PostgreSQL refuses the row as it goes in, SQLite's check after loading names it.
        assert "table evidence_control, " in refused.stderr
        assert "schema revision 0011" in refused.stderr
        assert all(rows == [] for rows in snapshot(target).values())
