"""`article8 privacy` and `article8 provisions`: third-party provision and receipt records."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from openpyxl import Workbook

from article8.cli.errors import problems_in
from article8.cli.group import cli_actor
from article8.cli.options import lang_option
from article8.core import audit
from article8.core.files import atomic_output
from article8.core.guarded import WorkbookLimits
from article8.core.xlsx import header_cell, inert, safe_text, save_workbook
from article8.privacy.provisions import queries
from article8.privacy.provisions.importing import SHEET, read_provisions, store_provisions
from article8.privacy.provisions.services import purge_expired
from article8.web.context import database, now, settings, today


@click.group("privacy")
def privacy_group() -> None:
    """Registers beyond Article 8: provision and receipt records past their retention."""


@privacy_group.command("purge-expired")
@click.option(
    "--apply/--dry-run",
    default=False,
    help="Remove the records (--apply) or only list them (--dry-run, the default).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@with_appcontext
def purge_expired_command(apply: bool, fmt: str) -> None:
    """Remove provision and receipt records whose legal retention has ended (Rules Arts. 21, 24).

    Each removed record leaves an audit event with its content's SHA-256; a dry run changes
    nothing and lists what --apply would remove.
    """
    with database().unit_of_work() as session:
        report = purge_expired(session, cli_actor(), today=today(), now=now(), apply=apply)
    if fmt == "json":
        click.echo(json.dumps({"applied": report.applied, "records": report.records}))
        return
    for item in report.records:
        click.echo(
            f"{item['id']}\t{item['direction']}\t{item['party']}\t"
            f"kept until {item['retention_until']}\t{item['sha256']}"
        )
    verb = "removed" if apply else "would remove (dry run; --apply removes)"
    click.echo(f"privacy purge-expired: {verb} {report.count} record(s)")


@click.group("provisions")
def provisions_group() -> None:
    """Third-party provision and receipt records (確認・記録): import and export."""


@provisions_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@lang_option
@with_appcontext
def provisions_import(file: Path, lang: str) -> None:
    """Import provision and receipt records from a CSV or an XLSX (sheet "provisions").

    Columns as `provisions export` writes them (direction, basis, party_name required); CSV in
    UTF-8 (with or without a BOM) or CP932; dates 2024-04-01, 2024/4/1 or 2024年4月1日; yes/no.
    All or nothing: every bad row is reported (the first 100 listed).
    """
    with problems_in(lang):
        with file.open("rb") as stream:
            rows = read_provisions(stream, file.name, WorkbookLimits.from_settings(settings()))
        with database().unit_of_work() as session:
            count = store_provisions(session, rows, actor=cli_actor(), now=now(), today=today())
    click.echo(f"provisions: {count} record(s) imported")
    if rows.encoding:
        click.echo(f"read as {rows.encoding}")


@provisions_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None)
@with_appcontext
def provisions_export(out: Path, fmt: str | None) -> None:
    """Write every provision and receipt record to a CSV (UTF-8 with BOM) or an XLSX."""
    fmt = fmt or ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    with database().unit_of_work() as session:
        rows = queries.export_rows(session)
        audit.record(
            session,
            cli_actor(),
            "provision.export",
            now=now(),
            object_type="provision_record",
            details={"records": len(rows) - 1, "format": fmt, "file": out.name},
        )
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(SHEET)
        sheet.append([header_cell(sheet, name) for name in rows[0]])
        for row in rows[1:]:
            sheet.append([inert(sheet, value) for value in row])
        save_workbook(workbook, out)
    else:
        text = io.StringIO()
        # Text a spreadsheet would run as a formula is quoted (the import takes the quote off).
        csv.writer(text, lineterminator="\r\n").writerows(
            [[safe_text(value) for value in row] for row in rows]
        )
        with atomic_output(out) as stream:
            stream.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
    click.echo(f"provisions: {len(rows) - 1} record(s) written to {out}")
