"""`article8 export`: exports for auditors and the regulator."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from article8.cli.errors import usage_error
from article8.cli.group import cli_actor
from article8.cli.options import period
from article8.core.calendar import local_date
from article8.evidence.blobstore import evidence_store
from article8.reports import package, workbook
from article8.reports.exports import export_assessment_results
from article8.reports.oscal import write_documents
from article8.web.context import database, now, settings


@click.group("export")
def export_group() -> None:
    """Exports for auditors and the regulator."""


def _period(date_from: str | None, date_to: str | None, instant: datetime) -> workbook.Period:
    """--from/--to, defaulting to the start of the fiscal year and today (local dates)."""
    today = local_date(instant, settings().timezone)
    return period(date_from, date_to, today, settings().fiscal_year_start)


@export_group.command("workbook")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "date_from", default=None, help="YYYY-MM-DD (default: fiscal year start).")
@click.option("--to", "date_to", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@with_appcontext
def export_workbook(out: Path, date_from: str | None, date_to: str | None, lang: str) -> None:
    """Write the audit workbook (XLSX); its SHA-256 is recorded in the audit trail."""
    instant = now()
    chosen = _period(date_from, date_to, instant)
    with database().unit_of_work() as session:
        report = workbook.write_workbook(
            session,
            out,
            settings=settings(),
            period=chosen,
            lang=lang,
            actor=cli_actor(),
            now=instant,
        )
    click.echo(
        json.dumps(
            {"file": str(out), "sha256": report.sha256, "rows": report.rows}, ensure_ascii=False
        )
    )


@export_group.command("assessment-results")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "date_from", default=None, help="YYYY-MM-DD (default: fiscal year start).")
@click.option("--to", "date_to", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="en", show_default=True)
@with_appcontext
def export_assessment_results_command(
    out: Path, date_from: str | None, date_to: str | None, lang: str
) -> None:
    """Write OSCAL assessment results (JSON) for the inspections due in the period.

    The results import assessment-plan.json and link to catalog.json beside them: `export oscal`
    writes all three.
    """
    instant = now()
    chosen = _period(date_from, date_to, instant)
    with database().unit_of_work() as session:
        written = export_assessment_results(
            session,
            out,
            cli_actor(),
            period=chosen,
            tz=settings().timezone,
            lang=lang,
            now=instant,
            fy_start_month=settings().fiscal_year_start,
            organisation=settings().organisation,
            base_url=settings().base_url,
        )
    click.echo(json.dumps({"file": str(out), "sha256": written.sha256, **written.counts}))


@export_group.command("oscal")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write catalog.json, assessment-plan.json and assessment-results.json to.",
)
@click.option("--from", "date_from", default=None, help="YYYY-MM-DD (default: fiscal year start).")
@click.option("--to", "date_to", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="en", show_default=True)
@with_appcontext
def export_oscal_command(out: Path, date_from: str | None, date_to: str | None, lang: str) -> None:
    """Write the OSCAL catalog, assessment plan and assessment results (JSON) side by side.

    The results import the plan and link to the catalog by file name, so the three files belong
    together in one directory; each file's SHA-256 is recorded in the audit trail.
    """
    instant = now()
    chosen = _period(date_from, date_to, instant)
    with database().unit_of_work() as session:
        written = write_documents(
            session,
            out,
            cli_actor(),
            period=chosen,
            tz=settings().timezone,
            lang=lang,
            now=instant,
            fy_start_month=settings().fiscal_year_start,
            organisation=settings().organisation,
            base_url=settings().base_url,
        )
    click.echo(json.dumps({"dir": str(out), "files": written}, ensure_ascii=False))


# issue 14: the audit package
@export_group.command("package")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "date_from", default=None, help="YYYY-MM-DD (default: fiscal year start).")
@click.option("--to", "date_to", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@with_appcontext
def export_package(out: Path, date_from: str | None, date_to: str | None, lang: str) -> None:
    """Write the audit package (ZIP: workbook, evidence, audit trail, OSCAL, manifest,
    verify.py); its SHA-256 is recorded in the audit trail."""
    instant = now()
    chosen = _period(date_from, date_to, instant)
    if not out.parent.is_dir():
        raise usage_error(f"--out: the folder {out.parent} does not exist")
    # A progress bar (over the evidence bytes) only for a person watching: scripts and logs
    # get the summary.
    watching = sys.stderr.isatty()
    bar: Any = (
        click.progressbar(length=1, label=f"writing {out.name}", file=sys.stderr)
        if watching
        else nullcontext()
    )

    def shown(done: int, total: int) -> None:
        bar.length = total  # known once the evidence of the period is listed
        bar.update(done - bar.pos)

    with bar, database().unit_of_work() as session:
        report = package.write_package(
            session,
            out,
            store=evidence_store(settings()),
            settings=settings(),
            period=chosen,
            lang=lang,
            actor=cli_actor(),
            now=instant,
            progress=shown if watching else None,
        )
    click.echo(
        json.dumps(
            {
                "file": str(out),
                "sha256": report.sha256,
                "bytes": report.bytes,
                "files": report.files,
                "evidence": len(report.evidence_ids),
                "audit_trail": [report.first_seq, report.last_seq],
            }
        )
    )
