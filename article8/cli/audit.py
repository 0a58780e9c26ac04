"""`article8 audit`: the hash-chained audit trail."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from article8.cli.errors import CommandFailed
from article8.core import audit
from article8.web.context import database


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
def audit_verify(fmt: str) -> None:
    """Recompute the chain; exit 1 naming the first bad sequence number."""
    with database().session() as session:
        report = audit.verify_chain(session)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "first_bad_seq": report.first_bad_seq,
                    "problem": report.problem,
                    "head_hash": report.head_hash,
                }
            )
        )
    elif report.ok:
        click.echo(f"audit trail intact: {report.checked} events, head {report.head_hash}")
    if not report.ok:
        raise CommandFailed(
            f"audit trail broken at sequence {report.first_bad_seq}: {report.problem}"
        )
