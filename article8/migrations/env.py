"""Alembic environment: runs on the connection handed over by article8.core.schema."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import context
from sqlalchemy import Connection, MetaData

from article8.core import schema
from article8.core.db import Base, make_engine
from article8.core.settings import Settings


def _models_metadata() -> MetaData:
    # Autogenerate compares against every table the models describe; each feature's models.py
    # registers its tables with Base.metadata when imported (found on disk, so none is forgotten).
    root = Path(schema.__file__).resolve().parent.parent
    for path in sorted(root.rglob("models.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        importlib.import_module(".".join(parts))
    return Base.metadata


def _run(connection: Connection, target_metadata: MetaData | None) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=schema.include_object,
        render_item=schema.render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    # The application migrating itself: the revisions carry their own frozen definitions and need
    # no models.
    _run(connection, None)
else:  # plain `alembic` from a developer's shell, e.g. `alembic revision --autogenerate`
    engine = make_engine(Settings.from_env().database_url)
    with schema.migrating(engine) as conn:
        _run(conn, _models_metadata())
