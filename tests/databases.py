"""Provision throwaway, migrated databases: a SQLite file, or a PostgreSQL schema of its own."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from article8.core import schema
from article8.core.db import make_engine

BACKENDS = ("sqlite", "postgresql")


def postgres_base_url() -> str | None:
    """The PostgreSQL server the tests may use, from TEST_DATABASE_URL."""
    return os.environ.get("TEST_DATABASE_URL") or None


@contextmanager
def provisioned(backend: str, directory: Path) -> Iterator[str]:
    """Yield the URL of an empty, migrated database that is dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{directory / f'article8-{secrets.token_hex(4)}.db'}"
        engine = make_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        yield url
        return
    base = postgres_base_url()
    assert base, "TEST_DATABASE_URL is not set"
    name = f"a8test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    # Every connection of this URL works inside the schema: tests never see each other's rows.
    url = make_url(base).update_query_dict({"options": f"-csearch_path={name}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        engine = make_engine(rendered)
        schema.upgrade(engine)
        engine.dispose()
        yield rendered
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()
