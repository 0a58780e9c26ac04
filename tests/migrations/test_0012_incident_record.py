"""Migration 0012 keeps the incidents already recorded: an assessed incident's awareness counts as
confirmed at its assessment, and the report dates it carries become filings with the PPC."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from article8.core import schema
from article8.core.db import make_engine
from tests.databases import provisioned


def test_existing_incidents_keep_their_reports_as_filings(backend: str, tmp_path: Path) -> None:
    with provisioned(backend, tmp_path) as url:
        engine = make_engine(url)
        with schema.migrating(engine) as conn:
            command.downgrade(schema.alembic_config(conn), "0011")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO incident (id, title, description, reported_at, aware_at, status,"
                    " sensitive_data, financial_harm, unlawful_purpose, over_1000_people,"
                    " assessed_at, preliminary_due_on, final_due_on, preliminary_reported_on,"
                    " final_reported_on, created_at, updated_at) VALUES"
                    " (1, 'Lost USB', 'd', '2026-11-20 01:00:00', '2026-11-20 01:00:00',"
                    " 'investigating', true, false, false, false, '2026-11-20 02:00:00',"
                    " '2026-11-25', '2026-12-20', '2026-11-22', '2026-12-01',"
                    " '2026-11-20 01:00:00', '2026-12-01 00:00:00'),"
                    " (2, 'Unassessed', 'd', '2026-11-21 01:00:00', '2026-11-21 01:00:00',"
                    " 'reported', null, null, null, null, null, null, null, null, null,"
                    " '2026-11-21 01:00:00', '2026-11-21 01:00:00')"
                )
            )
        schema.upgrade(engine, "0012")
        with engine.connect() as conn:
            filings = conn.execute(
                text(
                    "SELECT incident_id, kind, destination, filed_on FROM incident_filing"
                    " ORDER BY id"
                )
            ).all()
            confirmed = conn.execute(
                text(
                    "SELECT id, aware_confirmed_at IS NOT NULL, entrustment, kind_leak"
                    " FROM incident ORDER BY id"
                )
            ).all()
        engine.dispose()
    assert [(f[0], f[1], f[2], str(f[3])) for f in filings] == [
        (1, "preliminary", "ppc", "2026-11-22"),
        (1, "final", "ppc", "2026-12-01"),
    ]
    assert [tuple(row) for row in confirmed] == [
        (1, True, "none", False),
        (2, False, "none", False),
    ]
