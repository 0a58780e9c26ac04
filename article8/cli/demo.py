"""`article8 demo`: demo data for trying article8 out."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from article8.cli.group import cli_actor
from article8.controls.inspections.schedule import ScheduleRules
from article8.ops.demo import DEMO_LOGINS, load_demo
from article8.web.context import database, now, password_policy, settings


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load the catalogue, create the demo users, give controls owners and open this period's
    inspections (idempotent); print the demo logins."""
    with database().unit_of_work() as session:
        report = load_demo(
            session,
            cli_actor(),
            policy=password_policy(),
            rules=ScheduleRules.from_settings(settings()),
            now=now(),
        )
    created = len(report.users_created)
    click.echo(f"catalogue: {report.catalogue.summary()}")
    click.echo(
        f"owners given to {report.owners_given} controls; "
        f"{len(report.schedule.created)} inspections created"
    )
    click.echo(f"demo users: {created} created, {len(DEMO_LOGINS) - created} existed")
    click.echo("demo logins (email / password / role):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.email:28} {login.password:24} {login.role}")
