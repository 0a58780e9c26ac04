"""`article8 catalogue`: the control catalogue."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from article8.cli.group import cli_actor
from article8.controls.catalogue import exchange, queries
from article8.controls.catalogue import files as catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.core.guarded import WorkbookLimits
from article8.reports.exports import CATALOGUE_FORMATS, export_catalogue
from article8.web.context import database, now, settings


@click.group("catalogue")
def catalogue_group() -> None:
    """The control catalogue."""


@catalogue_group.command("sync")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
def catalogue_sync(file: Path | None, fmt: str) -> None:
    """Load the catalogue (the shipped one, or FILE: .yaml, a folder of them, or .xlsx).

    Idempotent; adds and updates controls, never deletes: a catalogue control missing from
    the file becomes inactive. The whole file is checked before anything changes.
    """
    if file is not None and file.suffix.lower() == ".xlsx":
        specs = exchange.read_xlsx(file, WorkbookLimits.from_settings(settings()))
    else:
        specs = catalogue.load_catalogue(file)
    with database().unit_of_work() as session:
        report = sync_catalogue(session, specs, cli_actor(), now=now())
    if fmt == "json":
        click.echo(json.dumps({**report.__dict__, "changed": report.changed}))
    else:
        click.echo(f"catalogue: {report.summary()}")


@catalogue_group.command("coverage")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@with_appcontext
def catalogue_coverage(fmt: str) -> None:
    """Article 8 clauses, PPC annex headings and ISO/IEC 27001 Annex A against active controls."""
    with database().session() as session:
        click.echo(json.dumps(queries.coverage(session), ensure_ascii=False))


@catalogue_group.command("export")
@click.option("--format", "fmt", type=click.Choice(CATALOGUE_FORMATS), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="en",
    show_default=True,
    help="oscal only: the language of titles and prose (the other one goes into props).",
)
@with_appcontext
def catalogue_export(fmt: str, out: Path, lang: str) -> None:
    """Write the whole catalogue (with owners and active flags) to FILE; import it with sync.

    --format oscal writes an OSCAL catalog (JSON) of the active controls instead; it is for
    other tools and cannot be imported back.
    """
    with database().unit_of_work() as session:
        export_catalogue(
            session,
            out,
            cli_actor(),
            fmt=fmt,
            lang=lang,
            now=now(),
            organisation=settings().organisation,
        )
    click.echo(f"catalogue written to {out}")
