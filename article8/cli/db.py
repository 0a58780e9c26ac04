"""`article8 db`: the database schema."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from article8.core import schema
from article8.web.context import database


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Migrate the database to the latest schema (Alembic)."""
    schema.upgrade(database().bind)
    click.echo("database is at the latest schema")
