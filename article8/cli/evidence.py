"""`article8 evidence`: the evidence vault."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext

from article8.cli.errors import usage_error
from article8.cli.group import cli_actor
from article8.cli.options import day
from article8.core.calendar import local_date
from article8.evidence import integrity
from article8.evidence import services as evidence_services
from article8.evidence.blobstore import evidence_store
from article8.web.context import database, now, settings
from article8.web.params import ID_MAX


@click.group("evidence")
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
        collected_on=day(collected_on, "--collected-on")
        or local_date(instant, settings().timezone),
        valid_until=day(valid_until, "--valid-until"),
        control_codes=controls,
        inspection_id=inspection_id,
        replaces_id=replaces_id,
    )
    with database().unit_of_work() as session, file.open("rb") as stream:
        item = evidence_services.add_evidence(
            session,
            evidence_store(settings()),
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
def evidence_verify(sweep: bool, restore_orphans: bool, fmt: str) -> None:
    """Re-hash every stored blob; report missing, corrupt and unreferenced ones (exit 1 if bad)."""
    if sweep and restore_orphans:
        raise usage_error("--sweep and --restore-orphans undo each other; give one of them")
    check = integrity.check_store(
        database(),
        evidence_store(settings()),
        cli_actor(),
        sweep=sweep,
        restore=restore_orphans,
        grace=timedelta(minutes=settings().sweep_grace_minutes),
        now=now(),
    )
    if fmt == "json":
        click.echo(json.dumps(_as_json(check, sweep=sweep)))
    else:
        _say(check, sweep=sweep)
    _complain(check)
    if not check.ok:
        raise click.exceptions.Exit(1)


def _as_json(check: integrity.StoreCheck, *, sweep: bool) -> dict[str, object]:
    report, swept, restored = check.report, check.swept, check.restored
    return {
        "ok": report.ok,
        "checked": report.checked,
        "missing": report.missing,
        "corrupt": report.corrupt,
        "orphans": report.orphans,
        "incomplete": report.incomplete,
        "short_retention": [
            {
                "id": item_id,
                "sha256": short.sha256,
                "mode": short.mode,
                "until": short.until.isoformat() if short.until else None,
            }
            for item_id, short in report.short_retention
        ],
        "swept": sweep,
        "moved": swept.moved,
        "discarded": swept.discarded,
        "kept_young": swept.kept_young,
        "restored": restored.restored,
        "damaged": restored.damaged,
    }


def _say(check: integrity.StoreCheck, *, sweep: bool) -> None:
    report, swept, restored = check.report, check.swept, check.restored
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
        + (f", {len(report.short_retention)} locked too briefly" if report.short_retention else "")
    )


def _complain(check: integrity.StoreCheck) -> None:
    """One stderr line per missing or corrupt blob and per damaged quarantined copy."""
    for item_id, sha256 in check.report.missing:
        click.echo(f"article8: evidence {item_id}: blob {sha256} is missing", err=True)
    for item_id, sha256 in check.report.corrupt:
        click.echo(f"article8: evidence {item_id}: blob {sha256} does not match its hash", err=True)
    days = settings().s3.lock_days if settings().s3 else 0
    for item_id, short in check.report.short_retention:
        until = short.until.isoformat() if short.until else "no retention"
        click.echo(
            f"article8: evidence {item_id}: blob {short.sha256} is locked until {until} "
            f"({short.mode or 'no mode'}), short of {days} days",
            err=True,
        )
    for sha256 in check.restored.damaged:
        click.echo(f"article8: orphans/{sha256} does not match its hash; not restored", err=True)
