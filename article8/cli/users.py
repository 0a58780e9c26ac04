"""`article8 users`: user accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from article8.cli.group import cli_actor
from article8.core import users
from article8.core.settings import ROLES
from article8.web.context import database, now, password_policy


@click.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--locale", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(
    email: str, display_name: str, role: str, locale: str, password_stdin: bool
) -> None:
    """Create a user account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database().unit_of_work() as session:
        user = users.create_user(
            session,
            cli_actor(),
            email=email,
            display_name=display_name,
            role=role,
            password=password,
            policy=password_policy(),
            now=now(),
            locale=locale,
        )
        click.echo(f"created {user.email} ({user.role})")
