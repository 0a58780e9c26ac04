"""`article8 scheduler`: periodic inspections, reminders and mail."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from article8.cli.options import instant
from article8.core.logs import configure_logging
from article8.core.mail import mailer_from_settings
from article8.scheduler import jobs, runner
from article8.web.context import database, now, settings


@click.group("scheduler")
def scheduler_group() -> None:
    """Periodic inspections, reminders and mail."""


@scheduler_group.command("tick")
@click.option("--at", "at", default=None, help="Run as if it were this instant (ISO 8601).")
@with_appcontext
def scheduler_tick(at: str | None) -> None:
    """Run everything due at that instant once (for cron and tests); print what it did as JSON."""
    when = instant(at, "--at", settings().timezone) if at else now()
    report = jobs.tick(database(), settings(), mailer_from_settings(settings()), now=when)
    click.echo(json.dumps(report.as_dict()))


@scheduler_group.command("run")
@with_appcontext
def scheduler_run() -> None:
    """The long-running scheduler process (one leader; others stand by)."""
    configure_logging()
    runner.run(settings())
