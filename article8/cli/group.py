"""The root command group: checks the configuration first and maps every error once."""

from __future__ import annotations

import getpass
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from sqlalchemy.exc import OperationalError

from article8.cli.errors import configuration_failure, database_failure, domain_failure
from article8.core.audit import Actor
from article8.core.errors import ConfigError, DomainError
from article8.core.settings import Settings
from article8.web import create_app


def app_from_env() -> Flask:
    """The application, configured from the environment (FlaskGroup's ``create_app``)."""
    try:
        return create_app(Settings.from_env())
    except ConfigError as error:
        raise configuration_failure(error) from None


def cli_actor() -> Actor:
    """The person at the terminal, as an audit actor.

    They hold the server's database and files, so the services' object-level checks treat them
    as an administrator.
    """
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(None, f"cli:{name}", role="admin")


class Article8Group(FlaskGroup):
    """FlaskGroup that fails with one clear line: on bad configuration before anything runs,
    and on a domain or database error from any command below it (the one mapping)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        """Check the settings before parsing, so that even ``--help`` names a bad variable."""
        try:
            Settings.from_env()
        except ConfigError as error:
            raise configuration_failure(error) from None
        return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a DomainError or OperationalError becomes one line and exit 1."""
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise domain_failure(error) from None
        except OperationalError as error:
            # The command has loaded the app (with_appcontext) before it could touch the database.
            settings: Settings = (
                ctx.ensure_object(ScriptInfo).load_app().extensions["article8.settings"]
            )
            raise database_failure(error, settings.database) from None
