"""How the `article8` command fails: one line on stderr, prefixed ``article8:``, and a status."""

from __future__ import annotations

from typing import IO, Any

import click
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from article8.core.errors import ConfigError, DomainError


class CommandFailed(click.ClickException):
    """A failure meant for the person at the terminal: exit 1 (the work failed) or 2 (usage)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.exit_code = status

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``article8: MESSAGE`` on stderr (click's own form would say ``Error:``)."""
        click.echo(f"article8: {self.format_message()}", err=True, file=file)


def usage_error(message: str) -> CommandFailed:
    """A bad option value: exit status 2, as click gives for its own usage errors."""
    return CommandFailed(message, status=2)


def configuration_failure(error: ConfigError) -> CommandFailed:
    """A setting with a bad value, said before anything runs."""
    return CommandFailed(f"configuration error: {error}")


def domain_failure(error: DomainError) -> CommandFailed:
    """A broken rule of the domain (a file problem among them): its message, exit 1."""
    if isinstance(error, ConfigError):
        return configuration_failure(error)
    return CommandFailed(str(error))


def database_failure(error: OperationalError, url: URL) -> CommandFailed:
    """The database cannot be reached or used: which one (without its password) and why."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    where = url.render_as_string(hide_password=True)
    return CommandFailed(f"cannot use the database at DATABASE_URL={where}: {reason}")
