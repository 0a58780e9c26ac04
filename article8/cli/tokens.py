"""`article8 tokens`: API tokens for automation, made on the server."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from article8.cli.group import cli_actor
from article8.core import tokens
from article8.web.context import database, now, settings


@click.group("tokens")
def tokens_group() -> None:
    """API tokens for /api/v1 (the same tokens as on each user's token page)."""


@tokens_group.command("create")
@click.option("--user", "email", required=True, help="The account's email.")
@click.option("--name", required=True, help="What the token is for, e.g. 'nightly upload'.")
@with_appcontext
def tokens_create(email: str, name: str) -> None:
    """Create a token for the account and print it, this once (only its hash is kept)."""
    with database().unit_of_work() as session:
        token, plaintext = tokens.create_token_for(session, cli_actor(), email, name, now=now())
        owner = token.user.email
    # The token alone on stdout, so that a script can capture it; the note goes to stderr.
    click.echo(plaintext)
    click.echo(
        f"created API token {token.id} ({token.name}) for {owner}; "
        "keep it now, it cannot be shown again",
        err=True,
    )


@tokens_group.command("list")
@click.option("--user", "email", default=None, help="Only this account's tokens.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
def tokens_list(email: str | None, fmt: str) -> None:
    """Tokens, newest first, revoked ones included; never the token itself."""
    tz = settings().timezone
    with database().session() as session:
        rows = [tokens.as_json(t, tz) for t in tokens.tokens_of(session, email)]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        state = f"revoked {row['revoked']}" if row["revoked"] else "active"
        click.echo(
            f"{row['id']:>5}  {row['user']}  {row['name']}  {row['prefix']}…  "
            f"created {row['created']}  last used {row['last_used'] or 'never'}  {state}"
        )


@tokens_group.command("revoke")
@click.argument("token_id", type=int, metavar="ID")
@with_appcontext
def tokens_revoke(token_id: int) -> None:
    """Revoke the token with this id for good; scripts using it are refused from now on."""
    with database().unit_of_work() as session:
        token, changed = tokens.revoke_by_id(session, cli_actor(), token_id, now=now())
        owner = token.user.email
    if changed:
        click.echo(f"revoked API token {token.id} ({token.name}) of {owner}")
    else:
        click.echo(f"API token {token.id} ({token.name}) of {owner} was already revoked")
