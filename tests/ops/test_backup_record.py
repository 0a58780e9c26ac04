"""A backup is recorded in the audit trail by the backup service itself (not by its caller)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from article8.core import audit
from article8.core.db import Database
from article8.core.models import AuditEvent
from article8.evidence.blobstore import local_store
from article8.ops.backup import create_backup
from tests.conftest import START, SYSTEM_ACTOR, settings_for


def test_a_backup_records_its_file_hash_and_audit_head_in_the_trail(fresh_database_url, tmp_path):
    settings = settings_for(fresh_database_url, tmp_path / "instance")
    database = Database.from_url(fresh_database_url)
    out = tmp_path / "backups" / "nightly.tar"
    try:
        report = create_backup(database, local_store(settings), out, SYSTEM_ACTOR, now=START)
        with database.session() as session:
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "backup.create")
            ).all()
            intact = audit.verify_chain(session).ok
    finally:
        database.bind.dispose()
    assert [(e.actor_label, e.object_type) for e in events] == [("test", "backup")]
    assert audit.details_of(events[0]) == {
        "file": "nightly.tar",
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "blobs": report.blobs,
        "audit_head": report.audit_head,
    }
    assert intact
