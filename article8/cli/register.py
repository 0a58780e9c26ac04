"""`article8 register`: the people who handle personal data, and what they may do."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from article8.access.register_import import read_register, store_register
from article8.cli.errors import problems_in
from article8.cli.group import cli_actor
from article8.cli.options import lang_option
from article8.core.guarded import WorkbookLimits
from article8.web.context import database, now, settings


@click.group("register")
def register_group() -> None:
    """The register of people who handle personal data, and what they are authorised to do."""


@register_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@lang_option
@with_appcontext
def register_import(file: Path, lang: str) -> None:
    """Import people or authorisations from a CSV (the header tells which) or an XLSX workbook.

    People CSV: employee_id,name,department,employed_from,employed_until,aliases.
    Authorisations CSV: employee_id,kind,target,actions,valid_from,valid_until.
    XLSX: sheets "people" and "authorisations" with the same columns. Lists are separated by ";".
    CSV in UTF-8 (with or without a BOM) or CP932; dates 2024-04-01, 2024/4/1 or 2024年4月1日.
    All or nothing (every bad row is reported, the first 100 listed); importing again updates
    people and authorisations, deletes nothing.
    """
    with problems_in(lang):
        with file.open("rb") as stream:
            rows = read_register(stream, file.name, WorkbookLimits.from_settings(settings()))
        with database().unit_of_work() as session:
            report = store_register(session, rows, actor=cli_actor(), now=now())
    click.echo(f"register: {report.summary()}")
    if report.encoding:
        click.echo(f"read as {report.encoding}")
