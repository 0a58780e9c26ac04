"""Provision throwaway, migrated databases: a SQLite file, or a PostgreSQL schema of its own."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
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


_sqlite_template: Path | None = None


def _migrated_sqlite_file() -> Path:
    """A SQLite file migrated once per test process; each new database starts as a copy of it."""
    global _sqlite_template
    if _sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="article8-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "migrated.db"
        engine = make_engine(f"sqlite:///{path}")
        schema.upgrade(engine)
        engine.dispose()  # the last connection checkpoints the WAL into the file
        _sqlite_template = path
    return _sqlite_template


@contextmanager
def provisioned(backend: str, directory: Path) -> Iterator[str]:
    """Yield the URL of an empty, migrated database that is dropped afterwards."""
    if backend == "sqlite":
        # The migrations are what `schema.upgrade` produced for the template: copying the file
        # gives the same schema (triggers included) in milliseconds instead of a second.
        path = directory / f"article8-{secrets.token_hex(4)}.db"
        shutil.copyfile(_migrated_sqlite_file(), path)
        yield f"sqlite:///{path}"
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
