"""Option values that click's types do not parse the way the `article8` command words them."""

from __future__ import annotations

import os
from datetime import date, datetime, tzinfo

import click

from article8.cli.errors import usage_error
from article8.core.dates import parse_date
from article8.reports.period import Period


def environment_language() -> str:
    """``en`` or ``ja`` from LC_ALL, LC_MESSAGES or LANG (the first one set); ``ja`` otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.startswith("en") else "ja"
    return "ja"


lang_option = click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default=environment_language,
    show_default="from LC_ALL or LANG, else ja",
    help="The language of the problems reported.",
)


def day(value: str | None, name: str) -> date | None:
    """``YYYY-MM-DD`` or nothing; anything else is a usage error naming the option."""
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise usage_error(f"{name}: '{value}' is not a date (YYYY-MM-DD)") from None


def instant(value: str, name: str, tz: tzinfo) -> datetime:
    """An ISO 8601 date-time; one without an offset is read in the configured time zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise usage_error(
            f"{name}: '{value}' is not an ISO 8601 date-time, e.g. 2026-12-01T09:00:00+09:00"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def period(date_from: str | None, date_to: str | None, today: date, fy_start: int) -> Period:
    """--from/--to, defaulting to the start of the fiscal year and today."""
    start = day(date_from, "--from") or Period.fiscal_year_to_date(today, fy_start).start
    end = day(date_to, "--to") or today
    if end < start:
        raise usage_error("--to is before --from")
    return Period(start, end)
