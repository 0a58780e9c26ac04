"""The `article8 register` and `article8 access` commands (attached to the main CLI in cli.py)."""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, TextIO

import click
from flask.cli import with_appcontext

from article8.access import queries
from article8.access.ingest import ImportReport, Reject, import_access_log
from article8.access.models import LOG_KINDS
from article8.access.register_import import read_register, store_register
from article8.access.rules import RULES, RuleSettings
from article8.core.audit import Actor
from article8.core.dates import parse_date
from article8.core.guarded import WorkbookLimits
from article8.core.tabular import MappingError, parse_mapping
from article8.web.context import database, now, settings

_PROGRESS_BYTES = 1 << 20


def command_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """The main CLI's one mapping of domain errors to a message and an exit status."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Imported when the command runs: article8.cli imports this module to attach the groups.
        from article8.cli import command_errors as mapped

        return mapped(func)(*args, **kwargs)

    return wrapper


def _actor() -> Actor:
    from article8.cli import cli_actor

    return cli_actor()


def _usage(message: str) -> None:
    click.echo(f"article8: {message}", err=True)
    sys.exit(2)


# --- register ------------------------------------------------------------------------------


@click.group("register")
def register_group() -> None:
    """The register of people who handle personal data, and what they are authorised to do."""


@register_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@command_errors
def register_import(file: Path) -> None:
    """Import people or authorisations from a CSV (the header tells which) or an XLSX workbook.

    People CSV: employee_id,name,department,employed_from,employed_until,aliases.
    Authorisations CSV: employee_id,kind,target,actions,valid_from,valid_until.
    XLSX: sheets "people" and "authorisations" with the same columns. Lists are separated by ";".
    All or nothing; importing again updates people and authorisations, deletes nothing.
    """
    with file.open("rb") as stream:
        rows = read_register(stream, file.name, WorkbookLimits.from_settings(settings()))
    with database().unit_of_work() as session:
        report = store_register(session, rows, actor=_actor(), now=now())
    click.echo(f"register: {report.summary()}")


# --- access --------------------------------------------------------------------------------


@click.group("access")
def access_group() -> None:
    """Access logs and the anomalies the rules find in them."""


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    try:
        return parse_mapping(pairs)
    except MappingError as error:
        _usage(f"--map: expected COLUMN=FIELD, found {error.value!r}")
        raise


class _RejectsFile:
    """Rejected lines as CSV next to the input; in place only once the import has committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._temp: Path | None = None
        self._handle: TextIO | None = None
        self._writer: Any = None

    def __call__(self, reject: Reject) -> None:
        if self._writer is None:
            fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            self._temp = Path(name)
            self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["line", "column", "problem", *reject.header])
        self._writer.writerow([reject.line, reject.column or "", reject.problem, *reject.record])

    def commit(self) -> bool:
        """Move the rejects into place; False when there were none."""
        if self._handle is None or self._temp is None:
            return False
        self._handle.close()
        os.replace(self._temp, self.path)
        return True

    def discard(self) -> None:
        """Throw the rejects away (the import failed)."""
        if self._handle is not None and self._temp is not None:
            self._handle.close()
            self._temp.unlink(missing_ok=True)


@access_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(LOG_KINDS), required=True)
@click.option("--map", "pairs", multiple=True, metavar="COLUMN=FIELD", help="Rename a column.")
@click.option("--skip-invalid", is_flag=True, help="Store good lines; write bad ones to a file.")
@with_appcontext
@command_errors
def access_import(file: Path, kind: str, pairs: tuple[str, ...], skip_invalid: bool) -> None:
    """Import an access log (CSV with a header, or JSON Lines) and run the anomaly rules.

    System logs: timestamp,user,system,action,records,source_ip,result. Entry/exit logs:
    timestamp,person,area,door,direction,result. One bad line stores nothing, unless
    --skip-invalid, which writes bad lines with the reason to FILE.rejects.csv.
    """
    mapping = _mapping(pairs)
    rejects = _RejectsFile(file.with_name(file.name + ".rejects.csv"))
    size = file.stat().st_size
    # A progress bar only for a person watching a large file: scripts and logs get the summary.
    bar: Any = (
        click.progressbar(length=size, label=f"importing {file.name}", file=sys.stderr)
        if sys.stderr.isatty() and size >= _PROGRESS_BYTES
        else nullcontext()
    )
    try:
        with bar as shown, database().unit_of_work() as session, file.open("rb") as stream:
            report = import_access_log(
                session,
                stream,
                filename=file.name,
                kind=kind,
                settings=RuleSettings.from_settings(settings()),
                actor=_actor(),
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
    if report.rejected:
        click.echo(
            f"{report.rejected} invalid lines skipped; written with the reasons to {rejects}"
        )
    found = ", ".join(f"{rule} {n}" for rule, n in report.anomalies.found.items() if n)
    click.echo(f"anomalies on the dates imported: {found or 'none'}")


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        _usage(f"{name}: {value!r} is not a date (YYYY-MM-DD)")
        raise


@access_group.command("anomalies")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.option("--from", "date_from", default=None, help="First local date, YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="Last local date, YYYY-MM-DD.")
@click.option("--rule", type=click.Choice(list(RULES)), default=None)
@with_appcontext
@command_errors
def access_anomalies(
    fmt: str, date_from: str | None, date_to: str | None, rule: str | None
) -> None:
    """Anomalies as JSON: rule, person, date, area, count, first and last seen, severity, status."""
    criteria = queries.AnomalyFilter(
        date_from=_day(date_from, "--from"), date_to=_day(date_to, "--to"), rule=rule
    )
    tz = settings().timezone
    with database().session() as session:
        rows = queries.anomalies(session, criteria)
        click.echo(json.dumps([queries.as_json(a, tz) for a in rows], ensure_ascii=False))
