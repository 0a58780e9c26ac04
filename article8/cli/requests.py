"""`article8 requests`: the register of requests from individuals (issue 16)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from article8.cli.errors import problems_in, usage_error
from article8.cli.group import cli_actor
from article8.cli.options import lang_option
from article8.core.dates import parse_date
from article8.core.guarded import WorkbookLimits
from article8.evidence.blobstore import evidence_store
from article8.privacy.requests.imports import read_requests, store_requests
from article8.privacy.requests.services import deadline_rules
from article8.reports.privacy_summary import render, store_summary, summarise
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


@requests_group.command("summary")
@click.option("--month", required=True, help="The calendar month, YYYY-MM.")
@click.option("--store", is_flag=True, help="Store the summary as evidence (a text file).")
@lang_option
@with_appcontext
def requests_summary(month: str, store: bool, lang: str) -> None:
    """Print the month's summary of requests and inquiries; with --store, keep it as evidence
    that a periodic inspection of the request-handling controls can cite."""
    try:
        first = parse_date(f"{month}-01")
    except ValueError:
        raise usage_error(f"--month: expected YYYY-MM, found {month!r}") from None
    with database().unit_of_work() as session:
        if store:
            item = store_summary(
                session,
                evidence_store(settings()),
                cli_actor(),
                first,
                settings=settings(),
                lang=lang,
                now=now(),
            )
            click.echo(f"stored as evidence {item.id} (SHA-256 {item.sha256})")
            return
        summary = summarise(session, first, settings=settings())
    text = render(
        summary, lang=lang, organisation=settings().organisation, now=now(), tz=settings().timezone
    )
    click.echo(text, nl=False)
