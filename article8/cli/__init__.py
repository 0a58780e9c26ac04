"""The `article8` command line: a FlaskGroup, so Flask's conventions hold.

Each command group lives in its own module; this module holds the root group and attaches
them. Errors are mapped to a message and an exit status once, in :class:`Article8Group`.
"""

from __future__ import annotations

import click

from article8.cli.access import access_group
from article8.cli.audit import audit_group
from article8.cli.backup import backup_group
from article8.cli.catalogue import catalogue_group
from article8.cli.db import db_group
from article8.cli.demo import demo
from article8.cli.evidence import evidence_group
from article8.cli.exports import export_group
from article8.cli.group import Article8Group, app_from_env, cli_actor
from article8.cli.inspections import inspections_group
from article8.cli.privacy import privacy_group, provisions_group  # issue 17
from article8.cli.register import register_group
from article8.cli.scheduler import scheduler_group
from article8.cli.serve import run_alias, serve
from article8.cli.tokens import tokens_group
from article8.cli.users import users_group

__all__ = ["cli_actor", "main"]


@click.group(cls=Article8Group, create_app=app_from_env, add_version_option=True)
def main() -> None:
    """article8: audit and evidence tracking for APPI Article 8 safety control measures."""


for command in (
    access_group,
    audit_group,
    backup_group,
    catalogue_group,
    db_group,
    demo,
    evidence_group,
    export_group,
    inspections_group,
    register_group,
    scheduler_group,
    serve,
    run_alias,
    tokens_group,
    users_group,
    privacy_group,  # issue 17
    provisions_group,  # issue 17
):
    main.add_command(command)

# issue 16: requests from individuals
from article8.cli.requests import requests_group  # noqa: E402

main.add_command(requests_group)
