"""Backup and restore: every row and blob comes back, verified; SQLite → PostgreSQL works."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from article8.core.db import make_engine
from article8.ops.backup import tables
from tests.cli_runner import article8
from tests.databases import postgres_base_url, provisioned


def populate(url: str, workdir: Path) -> None:
    """A realistic instance: demo users, the catalogue, inspections, evidence."""
    assert article8(url, workdir, "demo").returncode == 0
    tick = article8(url, workdir, "scheduler", "tick", "--at", "2026-12-03T10:00:00+09:00")
    assert tick.returncode == 0, tick.stderr
    for name, content in (
        ("policy.pdf", b"%PDF-1.7\n%%EOF\n"),
        ("roster.csv", "社員,氏名\n".encode()),
    ):
        path = workdir / name
        path.write_bytes(content)
        added = article8(url, workdir, "evidence", "add", str(path), "--control", "BP-01")
        assert added.returncode == 0, added.stderr
    # Access events of two months: on PostgreSQL they restore into their monthly partitions.
    log = workdir / "access.csv"
    log.write_text(
        "timestamp,user,system,action,records,source_ip,result\n"
        "2026-10-31T23:00:00+09:00,ghost,crm,view,1,,ok\n"
        "2026-11-02T10:00:00+09:00,ghost,crm,export,3,10.0.0.1,ok\n"
    )
    imported = article8(url, workdir, "access", "import", str(log), "--kind", "system")
    assert imported.returncode == 0, imported.stderr


def snapshot(url: str) -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in tables()
            }
    finally:
        engine.dispose()


def round_trip(source_url: str, target_url: str, tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    populate(source_url, source)
    archive = tmp_path / "backup.tar"
    made = article8(source_url, source, "backup", "create", "--out", str(archive))
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    # Two uploads and November's audit workbook, which the December tick stored on ORG-08.
    assert summary["blobs"] == 3 and summary["tables"]["inspection"] >= 40
    restored = article8(target_url, target, "backup", "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    before, after = snapshot(source_url), snapshot(target_url)
    for name in before:
        if name == "audit_event":  # the source recorded the backup itself afterwards
            assert after[name] == before[name][: len(after[name])]
            assert len(after[name]) == len(before[name]) - 1
        else:
            assert after[name] == before[name], name
    assert article8(target_url, target, "audit", "verify").returncode == 0
    assert article8(target_url, target, "evidence", "verify").returncode == 0
    blobs = sorted(p.name for p in (target / "instance/evidence/objects").rglob("*") if p.is_file())
    assert len(blobs) == 3
    # New rows after a restore get fresh ids (PostgreSQL sequences were moved on).
    created = article8(
        target_url,
        target,
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


def test_backup_and_restore_reproduce_every_row_and_blob(backend, tmp_path):
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        round_trip(source, target, tmp_path)


@pytest.mark.skipif(not postgres_base_url(), reason="PostgreSQL: TEST_DATABASE_URL is not set")
def test_sqlite_to_postgresql_migration(tmp_path):
    with provisioned("sqlite", tmp_path) as source, provisioned("postgresql", tmp_path) as target:
        round_trip(source, target, tmp_path)


def test_restoring_into_a_non_empty_instance_is_refused(backend, tmp_path):
    with provisioned(backend, tmp_path) as source:
        populate(source, tmp_path)
        archive = tmp_path / "b.tar"
        assert article8(source, tmp_path, "backup", "create", "--out", str(archive)).returncode == 0
        refused = article8(source, tmp_path, "backup", "restore", str(archive))
        assert refused.returncode == 1
        assert "the target instance is not empty" in refused.stderr


def test_a_damaged_archive_restores_nothing(backend, tmp_path):
    with provisioned(backend, tmp_path) as source, provisioned(backend, tmp_path) as target:
        populate(source, tmp_path)
        archive = tmp_path / "b.tar"
        assert article8(source, tmp_path, "backup", "create", "--out", str(archive)).returncode == 0
        tampered = tmp_path / "tampered.tar"
        with tarfile.open(archive) as original, tarfile.open(tampered, "w") as copy:
            for member in original.getmembers():
                data = original.extractfile(member).read()
                if member.name == "database/control.jsonl":
                    data = data.replace(b"BP-01", b"BP-99", 1)
                import io

                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
        target_dir = tmp_path / "t"
        target_dir.mkdir()
        refused = article8(target, target_dir, "backup", "restore", str(tampered))
        assert refused.returncode == 1
        assert "table control in the backup does not match its SHA-256" in refused.stderr
        assert all(rows == [] for rows in snapshot(target).values())
