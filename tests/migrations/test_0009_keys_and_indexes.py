"""Migration 0009 keeps the evidence already stored and makes its series a real foreign key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from article8.core import schema
from article8.core.db import make_engine
from tests.databases import provisioned


def _add_control(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO control (id, code, category, title_en, title_ja, description_en,"
            " description_ja, article8_explicit, ppc_ref, evidence_expected, frequency, active,"
            " source, in_catalogue, created_at, updated_at)"
            " VALUES (1, 'C-1', 'technical', 't', 't', '', '', true, '', '', 'annual', true,"
            " 'custom', false, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
        )
    )


def _add_item(conn: Connection, item_id: int, series_id: int, version: int) -> None:
    conn.execute(
        text(
            "INSERT INTO evidence_item (id, series_id, version, title, description, original_name,"
            " size, media_type, sha256, uploaded_by_label, uploaded_at, collected_on, status)"
            " VALUES (:id, :series, :version, 'policy', '', 'policy.pdf', 1, 'application/pdf',"
            " :sha, 'admin', '2026-11-01 00:00:00', '2026-11-01', 'current')"
        ),
        {"id": item_id, "series": series_id, "version": version, "sha": f"{item_id:064d}"},
    )
    conn.execute(
        text("INSERT INTO evidence_control (evidence_id, control_id) VALUES (:id, 1)"),
        {"id": item_id},
    )


def _downgrade(engine: Engine, revision: str) -> None:
    with schema.migrating(engine) as conn:
        command.downgrade(schema.alembic_config(conn), revision)


@pytest.fixture
def engine_at_0008(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A database at revision 0008 holding two series, one of them missing its first version."""
    with provisioned(backend, tmp_path) as url:
        engine = make_engine(url)
        _downgrade(engine, "0008")
        with engine.begin() as conn:
            _add_control(conn)
            _add_item(conn, 1, 1, 1)  # series 1: two versions
            _add_item(conn, 2, 1, 2)
            # Series 3 lost its first version (impossible through the app, but the key must not
            # refuse to be created because of it).
            _add_item(conn, 4, 3, 2)
            _add_item(conn, 5, 3, 3)
        yield engine
        engine.dispose()


def test_upgrade_keeps_every_item_and_regroups_an_orphaned_series(
    engine_at_0008: Engine,
) -> None:
    schema.upgrade(engine_at_0008)
    with engine_at_0008.connect() as conn:
        rows = conn.execute(
            text("SELECT id, series_id, version FROM evidence_item ORDER BY id")
        ).all()
        links = conn.scalar(text("SELECT count(*) FROM evidence_control"))
    assert [tuple(row) for row in rows] == [(1, 1, 1), (2, 1, 2), (4, 4, 2), (5, 4, 3)]
    assert links == 4


def test_after_upgrade_a_series_must_name_a_stored_item(engine_at_0008: Engine) -> None:
    schema.upgrade(engine_at_0008)
    with pytest.raises(IntegrityError), engine_at_0008.begin() as conn:
        _add_item(conn, 6, 99, 1)


def test_after_upgrade_findings_are_found_by_inspection_through_an_index(
    engine_at_0008: Engine,
) -> None:
    schema.upgrade(engine_at_0008)
    with engine_at_0008.connect() as conn:
        indexes = {index["name"] for index in inspect(conn).get_indexes("finding")}
    assert "ix_finding_inspection_id" in indexes


def test_downgrade_to_0008_keeps_the_evidence_and_upgrades_again(engine_at_0008: Engine) -> None:
    schema.upgrade(engine_at_0008)
    _downgrade(engine_at_0008, "0008")
    with engine_at_0008.connect() as conn:
        keys = {key["name"] for key in inspect(conn).get_foreign_keys("evidence_item")}
        count = conn.scalar(text("SELECT count(*) FROM evidence_item"))
    assert "fk_evidence_item_series_id_evidence_item" not in keys
    assert count == 4
    schema.upgrade(engine_at_0008)
    with engine_at_0008.connect() as conn:
        keys = {key["name"] for key in inspect(conn).get_foreign_keys("evidence_item")}
    assert "fk_evidence_item_series_id_evidence_item" in keys
