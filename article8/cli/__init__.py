"""The `article8` command line: a FlaskGroup, so Flask's conventions hold."""

from __future__ import annotations

import getpass
import json
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError
from werkzeug.serving import run_simple

from article8.cli.access import access_group, register_group
from article8.cli.tokens import tokens_group
from article8.controls.catalogue import exchange, queries
from article8.controls.catalogue import files as catalogue
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections import queries as inspection_queries
from article8.controls.inspections.models import INSPECTION_STATES
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core import audit, schema, users
from article8.core.audit import Actor
from article8.core.calendar import fiscal_year, local_date
from article8.core.dates import parse_date
from article8.core.errors import ConfigError, DomainError
from article8.core.files import sha256_of
from article8.core.guarded import WorkbookLimits
from article8.core.logs import configure_logging
from article8.core.mail import mailer_from_settings
from article8.core.settings import ROLES, Settings
from article8.evidence import integrity
from article8.evidence import services as evidence_services
from article8.evidence.blobstore import local_store
from article8.ops import backup
from article8.ops.demo import DEMO_LOGINS, assign_demo_owners, ensure_demo_users
from article8.reports import oscal, workbook
from article8.scheduler import jobs, runner
from article8.web import create_app
from article8.web.context import database, now, password_policy, settings
from article8.web.params import ID_MAX


def _fail(message: str, status: int = 1) -> None:
    click.echo(f"article8: {message}", err=True)
    sys.exit(status)


def _factory() -> Flask:
    try:
        return create_app(Settings.from_env())
    except ConfigError as error:
        _fail(f"configuration error: {error}")
        raise  # unreachable; keeps type checkers content


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


def command_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain and connection errors into one line on stderr and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            _fail(str(error))
        except OperationalError as error:
            url = settings().database.render_as_string(hide_password=True)
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            _fail(f"cannot use the database at DATABASE_URL={url}: {reason}")
        return None

    return wrapper


class Article8Group(FlaskGroup):
    """FlaskGroup that fails with one clear line when the configuration is bad."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            Settings.from_env()
        except ConfigError as error:
            _fail(f"configuration error: {error}")
        return super().make_context(*args, **kwargs)


@click.group(cls=Article8Group, create_app=_factory, add_version_option=True)
def main() -> None:
    """article8: audit and evidence tracking for APPI Article 8 safety control measures."""


# --- db ------------------------------------------------------------------------------------


@main.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
@command_errors
def db_upgrade() -> None:
    """Migrate the database to the latest schema (Alembic)."""
    schema.upgrade(database().bind)
    click.echo("database is at the latest schema")


# --- users ---------------------------------------------------------------------------------


@main.group("users")
def users_group() -> None:
    """User accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--locale", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
@command_errors
def users_create(
    email: str, display_name: str, role: str, locale: str, password_stdin: bool
) -> None:
    """Create a user account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database().unit_of_work() as session:
        user = users.create_user(
            session,
            cli_actor(),
            email=email,
            display_name=display_name,
            role=role,
            password=password,
            policy=password_policy(),
            now=now(),
            locale=locale,
        )
        click.echo(f"created {user.email} ({user.role})")


# --- demo ----------------------------------------------------------------------------------


@main.command("demo")
@with_appcontext
@command_errors
def demo() -> None:
    """Load the catalogue, create the demo users, give controls owners and open this period's
    inspections (idempotent); print the demo logins."""
    with database().unit_of_work() as session:
        report = sync_catalogue(session, catalogue.load_catalogue(), cli_actor(), now=now())
        created = ensure_demo_users(session, cli_actor(), policy=password_policy(), now=now())
        owned = assign_demo_owners(session, cli_actor(), now=now())
        schedule = run_schedule(session, ScheduleRules.from_settings(settings()), now=now())
    click.echo(f"catalogue: {report.summary()}")
    click.echo(f"owners given to {owned} controls; {len(schedule.created)} inspections created")
    click.echo(f"demo users: {len(created)} created, {len(DEMO_LOGINS) - len(created)} existed")
    click.echo("demo logins (email / password / role):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.email:28} {login.password:24} {login.role}")


# --- catalogue -----------------------------------------------------------------------------


@main.group("catalogue")
def catalogue_group() -> None:
    """The control catalogue."""


@catalogue_group.command("sync")
@click.argument("file", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
@command_errors
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
@command_errors
def catalogue_coverage(fmt: str) -> None:
    """Article 8 clauses, PPC annex headings and ISO/IEC 27001 Annex A against active controls."""
    with database().session() as session:
        click.echo(json.dumps(queries.coverage(session), ensure_ascii=False))


@catalogue_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "yaml", "oscal"]), required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default="en",
    show_default=True,
    help="oscal only: the language of titles and prose (the other one goes into props).",
)
@with_appcontext
@command_errors
def catalogue_export(fmt: str, out: Path, lang: str) -> None:
    """Write the whole catalogue (with owners and active flags) to FILE; import it with sync.

    --format oscal writes an OSCAL catalog (JSON) of the active controls instead; it is for
    other tools and cannot be imported back.
    """
    instant = now()
    details: dict[str, Any] = {"format": fmt, "file": out.name}
    with database().unit_of_work() as session:
        if fmt == "xlsx":
            exchange.export_xlsx(session, out)
        elif fmt == "yaml":
            exchange.export_yaml(session, out)
        else:
            sha256 = oscal.write_json(oscal.catalog(session, lang=lang, now=instant), out)
            details |= {"lang": lang, "sha256": sha256}
        audit.record(
            session,
            cli_actor(),
            "catalogue.export",
            now=instant,
            object_type="catalogue",
            details=details,
        )
    click.echo(f"catalogue written to {out}")


# --- scheduler and inspections ------------------------------------------------------------


@main.group("scheduler")
def scheduler_group() -> None:
    """Periodic inspections, reminders and mail."""


@scheduler_group.command("tick")
@click.option("--at", "at", default=None, help="Run as if it were this instant (ISO 8601).")
@with_appcontext
@command_errors
def scheduler_tick(at: str | None) -> None:
    """Run everything due at that instant once (for cron and tests); print what it did as JSON."""
    instant = now()
    if at:
        try:
            instant = datetime.fromisoformat(at)
        except ValueError:
            _fail(f"--at: '{at}' is not an ISO 8601 date-time, e.g. 2026-12-01T09:00:00+09:00", 2)
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=settings().timezone)
    report = jobs.tick(database(), settings(), mailer_from_settings(settings()), now=instant)
    click.echo(json.dumps(report.as_dict()))


@scheduler_group.command("run")
@with_appcontext
def scheduler_run() -> None:
    """The long-running scheduler process (one leader; others stand by)."""
    configure_logging()
    runner.run(settings())


@main.group("inspections")
def inspections_group() -> None:
    """Periodic inspections."""


@inspections_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json")
@click.option("--status", type=click.Choice([*INSPECTION_STATES, "overdue"]), default=None)
@click.option("--control", "control_code", default=None)
@with_appcontext
@command_errors
def inspections_list(fmt: str, status: str | None, control_code: str | None) -> None:
    """Inspections as JSON: id, control, period, due date, status, assignee, result."""
    today = local_date(now(), settings().timezone)
    criteria = inspection_queries.InspectionFilter(status=status, control_code=control_code)
    with database().session() as session:
        rows = inspection_queries.list_inspections(session, criteria, today)
        click.echo(json.dumps([inspection_queries.as_json(i) for i in rows]))


# --- evidence ------------------------------------------------------------------------------


def _date_option(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        _fail(f"{name}: '{value}' is not a date (YYYY-MM-DD)", 2)
        raise


@main.group("evidence")
def evidence_group() -> None:
    """The evidence vault."""


@evidence_group.command("add")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--control", "controls", multiple=True, required=True, help="Control code (repeat).")
@click.option("--title", default="")
@click.option("--description", default="")
@click.option("--collected-on", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--valid-until", default=None, help="YYYY-MM-DD.")
@click.option("--inspection", "inspection_id", type=click.IntRange(1, ID_MAX), default=None)
@click.option(
    "--replaces",
    "replaces_id",
    type=click.IntRange(1, ID_MAX),
    default=None,
    help="Evidence id to supersede.",
)
@with_appcontext
@command_errors
def evidence_add(
    file: Path,
    controls: tuple[str, ...],
    title: str,
    description: str,
    collected_on: str | None,
    valid_until: str | None,
    inspection_id: int | None,
    replaces_id: int | None,
) -> None:
    """Store FILE as evidence for the given controls."""
    instant = now()
    data = evidence_services.EvidenceInput(
        filename=file.name,
        title=title,
        description=description,
        collected_on=_date_option(collected_on, "--collected-on")
        or local_date(instant, settings().timezone),
        valid_until=_date_option(valid_until, "--valid-until"),
        control_codes=controls,
        inspection_id=inspection_id,
        replaces_id=replaces_id,
    )
    with database().unit_of_work() as session, file.open("rb") as stream:
        item = evidence_services.add_evidence(
            session,
            local_store(settings()),
            cli_actor(),
            stream,
            data,
            max_bytes=settings().max_upload_mb * 1024 * 1024,
            now=instant,
        )
        click.echo(
            json.dumps(
                {"id": item.id, "sha256": item.sha256, "size": item.size, "version": item.version}
            )
        )


@evidence_group.command("verify")
@click.option(
    "--sweep",
    is_flag=True,
    help="Move blobs no evidence references to the orphans folder and remove unfinished "
    "uploads; both only when older than ARTICLE8_SWEEP_GRACE_MINUTES.",
)
@click.option(
    "--restore-orphans",
    is_flag=True,
    help="Move back from the orphans folder every blob that evidence references (hash checked).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
@command_errors
def evidence_verify(sweep: bool, restore_orphans: bool, fmt: str) -> None:
    """Re-hash every stored blob; report missing, corrupt and unreferenced ones (exit 1 if bad)."""
    if sweep and restore_orphans:
        _fail("--sweep and --restore-orphans undo each other; give one of them", 2)
    store = local_store(settings())
    swept, restored = integrity.SweepReport(), integrity.RestoreReport()
    if sweep:
        grace = timedelta(minutes=settings().sweep_grace_minutes)
        with database().unit_of_work() as session:
            swept = integrity.sweep_store(session, store, grace=grace, now=now())
    if restore_orphans:
        with database().unit_of_work() as session:
            restored = integrity.restore_orphans(session, store, cli_actor(), now=now())
    # Read only, and after the sweep committed: re-hashing every blob must not hold the store
    # lock (and so every upload) for its whole length.
    with database().session() as session:
        report = integrity.verify_store(session, store)
    _say_store(report, swept, restored, fmt, sweep=sweep)
    if not report.ok or restored.damaged:
        sys.exit(1)


def _say_store(
    report: integrity.StoreReport,
    swept: integrity.SweepReport,
    restored: integrity.RestoreReport,
    fmt: str,
    *,
    sweep: bool,
) -> None:
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "missing": report.missing,
                    "corrupt": report.corrupt,
                    "orphans": report.orphans,
                    "incomplete": report.incomplete,
                    "swept": sweep,
                    "moved": swept.moved,
                    "discarded": swept.discarded,
                    "kept_young": swept.kept_young,
                    "restored": restored.restored,
                    "damaged": restored.damaged,
                }
            )
        )
    else:
        if sweep:
            click.echo(
                f"swept: {len(swept.moved)} unreferenced blobs moved to orphans/, "
                f"{len(swept.discarded)} unfinished uploads removed, {len(swept.kept_young)} "
                f"younger than {settings().sweep_grace_minutes} minutes left alone"
            )
        if restored.restored:
            click.echo(f"restored: {len(restored.restored)} blobs moved back from orphans/")
        click.echo(
            f"evidence: {report.checked} blobs checked, {len(report.missing)} missing, "
            f"{len(report.corrupt)} corrupt, {len(report.orphans)} unreferenced, "
            f"{len(report.incomplete)} unfinished uploads"
        )
    for item_id, sha256 in report.missing:
        click.echo(f"article8: evidence {item_id}: blob {sha256} is missing", err=True)
    for item_id, sha256 in report.corrupt:
        click.echo(f"article8: evidence {item_id}: blob {sha256} does not match its hash", err=True)
    for sha256 in restored.damaged:
        click.echo(f"article8: orphans/{sha256} does not match its hash; not restored", err=True)


# --- exports -------------------------------------------------------------------------------


@main.group("export")
def export_group() -> None:
    """Exports for auditors and the regulator."""


def _period(date_from: str | None, date_to: str | None, instant: datetime) -> workbook.Period:
    """--from/--to, defaulting to the start of the fiscal year and today."""
    today = local_date(instant, settings().timezone)
    fy_start = settings().fiscal_year_start
    start = _date_option(date_from, "--from") or date(fiscal_year(today, fy_start), fy_start, 1)
    end = _date_option(date_to, "--to") or today
    if end < start:
        _fail("--to is before --from", 2)
    return workbook.Period(start, end)


@export_group.command("workbook")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "date_from", default=None, help="YYYY-MM-DD (default: fiscal year start).")
@click.option("--to", "date_to", default=None, help="YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True)
@with_appcontext
@command_errors
def export_workbook(out: Path, date_from: str | None, date_to: str | None, lang: str) -> None:
    """Write the audit workbook (XLSX); its SHA-256 is recorded in the audit trail."""
    instant = now()
    with database().unit_of_work() as session:
        report = workbook.write_workbook(
            session,
            out,
            settings=settings(),
            period=_period(date_from, date_to, instant),
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
@command_errors
def export_assessment_results(
    out: Path, date_from: str | None, date_to: str | None, lang: str
) -> None:
    """Write OSCAL assessment results (JSON) for the inspections due in the period."""
    instant = now()
    period = _period(date_from, date_to, instant)
    with database().unit_of_work() as session:
        document = oscal.assessment_results(
            session, period, tz=settings().timezone, lang=lang, now=instant
        )
        sha256 = oscal.write_json(document, out)
        result = document["assessment-results"]["results"][0]
        counts = {key: len(result.get(key, [])) for key in ("observations", "findings", "risks")}
        audit.record(
            session,
            cli_actor(),
            "export.assessment_results",
            now=instant,
            object_type="assessment_results",
            details={
                "file": out.name,
                "sha256": sha256,
                "lang": lang,
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                **counts,
            },
        )
    click.echo(json.dumps({"file": str(out), "sha256": sha256, **counts}))


# --- backup --------------------------------------------------------------------------------


@main.group("backup")
def backup_group() -> None:
    """Backups of the database and the evidence, and restoring them."""


@backup_group.command("create")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@command_errors
def backup_create(out: Path) -> None:
    """Write one archive: a consistent snapshot, every evidence blob, a manifest of SHA-256s."""
    report = backup.create_backup(database(), local_store(settings()), out, now=now())
    with database().unit_of_work() as session:
        audit.record(
            session,
            cli_actor(),
            "backup.create",
            now=now(),
            object_type="backup",
            details={
                "file": out.name,
                "sha256": sha256_of(out),
                "blobs": report.blobs,
                "audit_head": report.audit_head,
            },
        )
    click.echo(
        json.dumps(
            {
                "file": str(out),
                "tables": report.tables,
                "blobs": report.blobs,
                "audit_events": report.audit_events,
                "audit_head": report.audit_head,
            }
        )
    )


@backup_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@command_errors
def backup_restore(file: Path) -> None:
    """Restore FILE into an empty instance, verifying every hash and the audit chain."""
    report = backup.restore_backup(database(), local_store(settings()), file)
    click.echo(
        json.dumps(
            {
                "restored": str(file),
                "tables": report.tables,
                "blobs": report.blobs,
                "audit_events": report.audit_events,
                "audit_head": report.audit_head,
            }
        )
    )


# --- audit ---------------------------------------------------------------------------------


@main.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
@command_errors
def audit_verify(fmt: str) -> None:
    """Recompute the chain; exit 1 naming the first bad sequence number."""
    with database().session() as session:
        report = audit.verify_chain(session)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "checked": report.checked,
                    "first_bad_seq": report.first_bad_seq,
                    "problem": report.problem,
                    "head_hash": report.head_hash,
                }
            )
        )
    elif report.ok:
        click.echo(f"audit trail intact: {report.checked} events, head {report.head_hash}")
    if not report.ok:
        _fail(f"audit trail broken at sequence {report.first_bad_seq}: {report.problem}")


# --- serve ---------------------------------------------------------------------------------


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--with-scheduler", is_flag=True, help="Also run the scheduler in this process.")
@with_appcontext
def serve(host: str, port: int, with_scheduler: bool) -> None:
    """Serve the application with the development server (demo-friendly)."""
    if with_scheduler:
        # Demo convenience only: production runs `article8 scheduler run` as its own process.
        threading.Thread(target=runner.run, args=(settings(),), daemon=True).start()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"article8 is serving at http://{host}:{port}/  (Ctrl+C to stop)")
    # Not app.run(): Flask ignores it inside its own CLI (FLASK_RUN_FROM_CLI).
    run_simple(host, port, app, threaded=True, use_reloader=False)


main.add_command(register_group)
main.add_command(access_group)
main.add_command(tokens_group)


if __name__ == "__main__":
    main()
