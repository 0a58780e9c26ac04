"""The migrations and the models describe the same schema, on every back end."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import article8
from article8.core import schema
from article8.core.db import Base, make_engine
from tests.databases import provisioned


def _load_models() -> None:
    # Every models module registers its tables with Base.metadata; find them on disk so that a
    # new feature's models cannot be forgotten here.
    root = Path(article8.__file__).parent
    for path in sorted(root.rglob("models.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        importlib.import_module(".".join(parts))


def test_migrations_at_head_match_the_models(backend: str, tmp_path: Path) -> None:
    _load_models()
    with provisioned(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection,
                    opts={"compare_type": True, "include_object": schema.include_object},
                )
                differences = compare_metadata(context, Base.metadata)
        finally:
            engine.dispose()
    assert differences == []
