"""How the `article8` command fails: one line on stderr, prefixed ``article8:``, and a status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click
from flask_babel import force_locale
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from article8.core.errors import ConfigError, DomainError
from article8.core.tabular import TableError
from article8.web.problems import count, describe


class CommandFailed(click.ClickException):
    """A failure meant for the person at the terminal: the work could not be done (exit 1)."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``article8: MESSAGE`` on stderr (click's own form would say ``Error:``)."""
        click.echo(f"article8: {self.format_message()}", err=True, file=file)


class BadOption(CommandFailed):
    """An option's value cannot be used: exit 2, as click gives for its own usage errors."""

    exit_code = 2


def usage_error(message: str) -> BadOption:
    """A bad option value, said in the command's own words (click's would say ``Error:``)."""
    return BadOption(message)


def configuration_failure(error: ConfigError) -> CommandFailed:
    """A setting with a bad value, said before anything runs."""
    return CommandFailed(f"configuration error: {error}")


def domain_failure(error: DomainError) -> CommandFailed:
    """A broken rule of the domain (a file problem among them): its message, exit 1."""
    if isinstance(error, ConfigError):
        return configuration_failure(error)
    return CommandFailed(str(error))


@contextmanager
def problems_in(lang: str) -> Iterator[None]:
    """A file problem raised inside is said in ``lang`` (a command's --lang), exit 1."""
    try:
        yield
    except TableError as error:
        with force_locale(lang):
            message = describe(error.detail)
            if error.total > 1:
                message = "\n".join([count(error), *map(describe, error.problems)])
        raise CommandFailed(message) from None


def database_failure(error: OperationalError, url: URL) -> CommandFailed:
    """The database cannot be reached or used: which one (without its password) and why."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    where = url.render_as_string(hide_password=True)
    return CommandFailed(f"cannot use the database at DATABASE_URL={where}: {reason}")
