"""Migration 0015 keeps every access event: into monthly partitions on PostgreSQL, and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from article8.access import partitions
from article8.core import schema
from article8.core.db import make_engine
from tests.databases import provisioned

EVENTS = (
    # (id the sequence gives, local date, occurred at): two months, ids not in date order
    (1, "2026-10-31", "2026-10-31 14:00:00"),
    (2, "2026-11-02", "2026-11-02 01:00:00"),
    (3, "2026-10-01", "2026-09-30 15:30:00"),
)


def _downgrade(engine: Engine, revision: str) -> None:
    with schema.migrating(engine) as conn:
        command.downgrade(schema.alembic_config(conn), revision)


def _events(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, local_date FROM access_event ORDER BY id"))
        return [(row[0], str(row[1])) for row in rows]


@pytest.fixture
def engine_at_0011(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A database at revision 0011 holding a batch of three events over two months."""
    with provisioned(backend, tmp_path) as url:
        engine = make_engine(url)
        _downgrade(engine, "0011")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO access_batch (id, kind, filename, sha256, row_count,"
                    " rejected_count, imported_by_label, imported_at)"
                    " VALUES (1, 'system', 'a.csv', :sha, 3, 0, 'admin', '2026-11-03 00:00:00')"
                ),
                {"sha": "0" * 64},
            )
            for event_id, day, at in EVENTS:
                conn.execute(
                    text(
                        "INSERT INTO access_event (batch_id, line, kind, occurred_at, epoch,"
                        " local_date, local_minute, business_day, person, person_key, system,"
                        " action, records, result) VALUES (1, :id, 'system', :at, 0, :day,"
                        " 0, true, 'a', 'u:a', 'crm', 'view', 1, 'ok')"
                    ),
                    {"id": event_id, "day": day, "at": at},
                )
        yield engine
        engine.dispose()


def test_upgrade_keeps_every_event_and_drops_the_foreign_keys(backend, engine_at_0011):
    schema.upgrade(engine_at_0011)
    assert _events(engine_at_0011) == [(1, "2026-10-31"), (2, "2026-11-02"), (3, "2026-10-01")]
    assert inspect(engine_at_0011).get_foreign_keys("access_event") == []
    with engine_at_0011.connect() as conn:
        partitioned = partitions.is_partitioned(conn)
        months = partitions.months(conn) if partitioned else set()
    assert partitioned == (backend == "postgresql")
    if partitioned:
        assert {f"{m:%Y-%m}" for m in months} == {"2026-10", "2026-11"}


def test_new_events_take_ids_after_the_old_ones(engine_at_0011):
    schema.upgrade(engine_at_0011)
    with engine_at_0011.begin() as conn:
        # The sequence moved on with the table; 2026-11 already has its partition.
        new = conn.execute(
            text(
                "INSERT INTO access_event (batch_id, line, kind, occurred_at, epoch, local_date,"
                " local_minute, business_day, person, person_key, result) VALUES (1, 9,"
                " 'system', '2026-11-02 02:00:00', 0, '2026-11-02', 0, true, 'a', 'u:a', 'ok')"
                " RETURNING id"
            )
        ).scalar_one()
    assert new == 4


def test_downgrade_to_0011_keeps_every_event_and_upgrades_again(engine_at_0011):
    schema.upgrade(engine_at_0011)
    _downgrade(engine_at_0011, "0011")
    assert [event_id for event_id, _ in _events(engine_at_0011)] == [1, 2, 3]
    assert len(inspect(engine_at_0011).get_foreign_keys("access_event")) == 2
    with engine_at_0011.connect() as conn:
        assert not partitions.is_partitioned(conn)
    schema.upgrade(engine_at_0011)
    assert len(_events(engine_at_0011)) == 3
