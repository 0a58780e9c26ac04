"""Alembic is the only path to the schema; this module runs it from code (CLI and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(bind: Engine | Connection | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if bind is not None:
        config.attributes["connection"] = bind
    return config


def upgrade(bind: Engine | Connection, revision: str = "head") -> None:
    """Migrate the database behind ``bind`` to ``revision``."""
    if isinstance(bind, Connection):
        command.upgrade(alembic_config(bind), revision)
        return
    with bind.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                command.upgrade(alembic_config(connection), revision)
            return
        # SQLite changes a table by copying it into a new one (Alembic's batch mode), which only
        # works with foreign keys off; the pragma is ignored inside a transaction, so it is set on
        # the driver's connection before the migrations' transaction begins, and every key is
        # checked before that transaction commits (SQLite's own recipe for altering tables).
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                command.upgrade(alembic_config(connection), revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migrations left broken foreign keys: {broken[:10]}")
        finally:
            driver.execute("PRAGMA foreign_keys=ON")


def is_migrated(bind: Engine | Connection) -> bool:
    """Whether the schema has been created (Alembic's version table exists)."""
    if isinstance(bind, Connection):
        return inspect(bind).has_table("alembic_version")
    with bind.connect() as connection:
        return inspect(connection).has_table("alembic_version")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's filter: what the models describe (APScheduler describes its own job table)."""
    table = getattr(obj, "table", obj)
    return getattr(table, "name", name) != "apscheduler_jobs"


def append_only_ddl(table: str, dialect: str) -> list[str]:
    """DDL that makes ``table`` reject UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    return [
        f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$BEGIN RAISE EXCEPTION '{table} is append-only'; END$$",
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        # ALWAYS: the triggers fire even under session_replication_role = replica.
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_update_delete",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate",
    ]


def drop_append_only_ddl(table: str, dialect: str) -> list[str]:
    """The reverse of :func:`append_only_ddl`."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]
    return [
        f"DROP TRIGGER {table}_no_update_delete ON {table}",
        f"DROP TRIGGER {table}_no_truncate ON {table}",
        f"DROP FUNCTION {table}_append_only()",
    ]
