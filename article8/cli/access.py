"""`article8 access`: access logs and the anomalies the rules find in them."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from article8.access import queries
from article8.access.ingest import ImportReport, import_access_log
from article8.access.models import LOG_KINDS
from article8.access.rejects import RejectsFile
from article8.access.retention import prune_access_events
from article8.access.rules import RULES, RuleSettings
from article8.cli.errors import problems_in, usage_error
from article8.cli.group import cli_actor
from article8.cli.options import day, lang_option
from article8.core.tabular import MappingError, parse_mapping
from article8.web.context import database, now, settings

_PROGRESS_BYTES = 1 << 20


@click.group("access")
def access_group() -> None:
    """Access logs and the anomalies the rules find in them."""


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    try:
        return parse_mapping(pairs)
    except MappingError as error:
        raise usage_error(f"--map: expected COLUMN=FIELD, found {error.value!r}") from None


@access_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(LOG_KINDS), required=True)
@click.option("--map", "pairs", multiple=True, metavar="COLUMN=FIELD", help="Rename a column.")
@click.option("--skip-invalid", is_flag=True, help="Store good lines; write bad ones to a file.")
@lang_option
@with_appcontext
def access_import(
    file: Path, kind: str, pairs: tuple[str, ...], skip_invalid: bool, lang: str
) -> None:
    """Import an access log (CSV with a header, or JSON Lines) and run the anomaly rules.

    System logs: timestamp,user,system,action,records,source_ip,result. Entry/exit logs:
    timestamp,person,area,door,direction,result. CSV in UTF-8 (with or without a BOM) or CP932.
    A bad line stores nothing (every bad line is reported, the first 100 listed), unless
    --skip-invalid, which writes bad lines with the reason to FILE.rejects.csv.
    """
    mapping = _mapping(pairs)
    rejects = RejectsFile(file.with_name(file.name + ".rejects.csv"))
    size = file.stat().st_size
    # A progress bar only for a person watching a large file: scripts and logs get the summary.
    bar: Any = (
        click.progressbar(length=size, label=f"importing {file.name}", file=sys.stderr)
        if sys.stderr.isatty() and size >= _PROGRESS_BYTES
        else nullcontext()
    )
    try:
        with (
            problems_in(lang),
            bar as shown,
            database().unit_of_work() as session,
            file.open("rb") as stream,
        ):
            report = import_access_log(
                session,
                stream,
                filename=file.name,
                kind=kind,
                settings=RuleSettings.from_settings(settings()),
                actor=cli_actor(),
                now=now(),
                mapping=mapping,
                skip_invalid=skip_invalid,
                on_reject=rejects,
                progress=(lambda at: shown.update(at - shown.pos)) if shown is not None else None,
            )
    except BaseException:
        rejects.discard()
        raise
    written = rejects.commit()
    _say(report, file, rejects.path if written else None)


def _say(report: ImportReport, file: Path, rejects: Path | None) -> None:
    if report.duplicate:
        when = report.imported_at.astimezone(settings().timezone) if report.imported_at else None
        click.echo(
            f"{file.name} was already imported as batch {report.batch_id} "
            f"({report.rows} {report.kind} events, {when:%Y-%m-%d %H:%M %z} "
            f"by {report.imported_by}); nothing changed"
        )
        return
    click.echo(
        f"imported {report.rows} {report.kind} events from {file.name} as batch {report.batch_id}"
    )
    if report.encoding:
        click.echo(f"read as {report.encoding}")
    if report.rejected:
        click.echo(
            f"{report.rejected} invalid lines skipped; written with the reasons to {rejects}"
        )
    found = ", ".join(f"{rule} {n}" for rule, n in report.anomalies.found.items() if n)
    click.echo(f"anomalies on the dates imported: {found or 'none'}")


@access_group.command("anomalies")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.option("--from", "date_from", default=None, help="First local date, YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Last local date, YYYY-MM-DD.")
@click.option("--rule", type=click.Choice(list(RULES)), default=None)
@with_appcontext
def access_anomalies(
    fmt: str, date_from: str | None, date_to: str | None, rule: str | None
) -> None:
    """Anomalies as JSON: rule, person, date, area, count, first and last seen, severity, status."""
    criteria = queries.AnomalyFilter(
        date_from=day(date_from, "--from"), date_to=day(date_to, "--to"), rule=rule
    )
    tz = settings().timezone
    with database().session() as session:
        rows = queries.anomalies(session, criteria)
        click.echo(json.dumps([queries.as_json(a, tz) for a in rows], ensure_ascii=False))


# issue 18: retention of access events
@access_group.command("prune")
@click.option(
    "--before",
    "before_text",
    default=None,
    help="Drop the whole months before this date, YYYY-MM-DD (default: the retention limit).",
)
@click.option("--apply", is_flag=True, help="Drop them; without it, only say what would go.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
def access_prune(before_text: str | None, apply: bool, fmt: str) -> None:
    """Drop access events older than the retention period, whole months at a time.

    A dry run unless --apply. Events within ARTICLE8_ACCESS_RETENTION_YEARS (default 3) of today
    are never dropped. Before dropping, an audit event records the events per month and a
    SHA-256 over them.
    """
    before = day(before_text, "--before")
    config = settings()
    instant = now()
    with database().unit_of_work() as session:
        report = prune_access_events(
            session,
            before=before,
            retention_years=config.access_retention_years,
            today=instant.astimezone(config.timezone).date(),
            actor=cli_actor(),
            now=instant,
            apply=apply,
        )
    months = {f"{m:%Y-%m}": n for m, n in sorted(report.months.items())}
    if fmt == "json":
        shape = {
            "before": report.before.isoformat(),
            "retention_years": report.retention_years,
            "months": months,
            "events": report.events,
            "sha256": report.sha256,
            "applied": report.applied,
        }
        click.echo(json.dumps(shape))
        return
    if not months:
        click.echo(f"no whole month of access events before {report.before}; nothing to drop")
        return
    listed = ", ".join(f"{m} ({n})" for m, n in months.items())
    if report.applied:
        click.echo(f"dropped {report.events} access events of {listed}")
        click.echo(f"sha256 of the dropped events: {report.sha256}")
    else:
        click.echo(f"would drop {report.events} access events of {listed}; --apply drops them")
