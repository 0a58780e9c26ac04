"""`article8 inspections`: periodic inspections."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from article8.controls.inspections import queries
from article8.controls.inspections.models import INSPECTION_STATES
from article8.core.calendar import local_date
from article8.web.context import database, now, settings


@click.group("inspections")
def inspections_group() -> None:
    """Periodic inspections."""


@inspections_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.option("--status", type=click.Choice([*INSPECTION_STATES, "overdue"]), default=None)
@click.option("--control", "control_code", default=None)
@with_appcontext
def inspections_list(fmt: str, status: str | None, control_code: str | None) -> None:
    """Inspections as JSON: id, control, period, due date, status, assignee, result."""
    today = local_date(now(), settings().timezone)
    criteria = queries.InspectionFilter(status=status, control_code=control_code)
    with database().session() as session:
        rows = queries.list_inspections(session, criteria, today)
        click.echo(json.dumps([queries.as_json(i) for i in rows]))
