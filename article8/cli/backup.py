"""`article8 backup`: backups of the database and the evidence, and restoring them."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from article8.cli.group import cli_actor
from article8.evidence.blobstore import evidence_store
from article8.ops import backup
from article8.web.context import database, now, settings


@click.group("backup")
def backup_group() -> None:
    """Backups of the database and the evidence, and restoring them."""


@backup_group.command("create")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_create(out: Path) -> None:
    """Write one archive: a consistent snapshot, every evidence blob, a manifest of SHA-256s."""
    report = backup.create_backup(
        database(), evidence_store(settings()), out, cli_actor(), now=now()
    )
    click.echo(
        json.dumps(
            {
                "file": str(out),
                "tables": report.tables,
                "blobs": report.blobs,
                "audit_events": report.audit_events,
                "audit_head": report.audit_head,
            }
        )
    )


@backup_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def backup_restore(file: Path) -> None:
    """Restore FILE into an empty instance, verifying every hash and the audit chain."""
    report = backup.restore_backup(database(), evidence_store(settings()), file)
    click.echo(
        json.dumps(
            {
                "restored": str(file),
                "tables": report.tables,
                "blobs": report.blobs,
                "audit_events": report.audit_events,
                "audit_head": report.audit_head,
            }
        )
    )
