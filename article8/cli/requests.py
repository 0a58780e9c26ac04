"""`article8 requests`: the register of requests from individuals (issue 16)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from article8.cli.errors import problems_in
from article8.cli.group import cli_actor
from article8.cli.options import lang_option
from article8.core.guarded import WorkbookLimits
from article8.privacy.requests.imports import read_requests, store_requests
from article8.privacy.requests.services import deadline_rules
from article8.web.context import database, now, settings


@click.group("requests")
def requests_group() -> None:
    """Requests from individuals (disclosure, correction, suspension of use, ...)."""


@requests_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@lang_option
@with_appcontext
def requests_import(file: Path, lang: str) -> None:
    """Import requests from a CSV, or from the sheet "requests" of an XLSX workbook.

    Columns: kind,channel,received_at,requester_name (required), requester_contact,agent_kind,
    agent_name,disclosure_method,fee_yen,data_concerned. kind is a code (disclosure, correction,
    ...) or its Japanese name (開示, 訂正等, ...); received_at is local time, 2024-04-01 10:30 or
    2024/4/1 10:30. CSV in UTF-8 (with or without a BOM) or CP932. All or nothing: every bad row
    is reported (the first 100 listed) and then nothing is stored.
    """
    with problems_in(lang):
        with file.open("rb") as stream:
            rows = read_requests(
                stream,
                file.name,
                tz=settings().timezone,
                now=now(),
                limits=WorkbookLimits.from_settings(settings()),
            )
        with database().unit_of_work() as session:
            ids = store_requests(
                session,
                rows,
                actor=cli_actor(),
                now=now(),
                deadlines=deadline_rules(session, settings()),
            )
    click.echo(f"requests: {len(ids)} imported")
    if rows.encoding:
        click.echo(f"read as {rows.encoding}")
