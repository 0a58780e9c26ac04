"""Alembic environment: runs on the connection handed over by article8.core.schema."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from article8.access import models as access_models
from article8.controls.catalogue import models as controls_models
from article8.controls.findings import models as findings_models
from article8.controls.incidents import models as incident_models
from article8.controls.inspections import models as inspection_models
from article8.core import models as core_models
from article8.core.db import Base, make_engine
from article8.core.settings import Settings
from article8.evidence import models as evidence_models

# Importing the model modules registers their tables with Base.metadata.
MODEL_MODULES = (
    core_models,
    controls_models,
    inspection_models,
    findings_models,
    incident_models,
    evidence_models,
    access_models,
)
target_metadata = Base.metadata


def _include(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # APScheduler's job table is created by a migration but described by APScheduler itself.
    table = getattr(obj, "table", obj)
    return getattr(table, "name", name) != "apscheduler_jobs"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # plain `alembic` from a developer's shell
    engine = make_engine(Settings.from_env().database_url)
    with engine.begin() as conn:
        _run(conn)
