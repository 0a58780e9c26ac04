"""The audit package over HTTP, for the dashboard's button and the API alike: the period and
language from the query, the ZIP made in a temporary folder, sent, and gone from the disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import BinaryIO

from flask import Response

from article8.core.audit import Actor
from article8.core.calendar import fiscal_year
from article8.core.errors import N_, ValidationError
from article8.evidence.blobstore import CHUNK, evidence_store
from article8.reports.package import write_package
from article8.reports.period import Period
from article8.web import edge
from article8.web.context import db, now, settings, today
from article8.web.params import day_arg

ZIP = "application/zip"
LANGUAGES = ("ja", "en")


def package_request(args: Mapping[str, str], default_lang: str) -> tuple[Period, str]:
    """``from``/``to`` (default: the fiscal year to date) and ``lang``; 400 naming the bad one."""
    day = today()
    fy = settings().fiscal_year_start
    start = day_arg(args, "from") or date(fiscal_year(day, fy), fy, 1)
    end = day_arg(args, "to") or day
    if end < start:
        raise ValidationError(N_("to: the period ends before it starts."), field="to")
    language = args.get("lang", "").strip() or default_lang
    if language not in LANGUAGES:
        raise ValidationError(
            N_("lang: expected ja or en, found '%(value)s'."), field="lang", value=language[:40]
        )
    return Period(start, end), language


def send_package(period: Period, language: str, who: Actor) -> Response:
    """Make the package, commit its record (though this is a GET) and stream the file."""
    directory = Path(tempfile.mkdtemp(prefix="article8-package-"))
    try:
        out = (
            directory / f"article8-package-{period.start.isoformat()}-{period.end.isoformat()}.zip"
        )
        write_package(
            db(),
            out,
            store=evidence_store(settings()),
            settings=settings(),
            period=period,
            lang=language,
            actor=who,
            now=now(),
        )
        # The SHA-256 is on the record before the first byte leaves.
        edge.keep_changes()
        handle = out.open("rb")
    finally:
        # The open handle keeps the bytes readable; nothing stays behind on disk.
        shutil.rmtree(directory, ignore_errors=True)
    size = os.fstat(handle.fileno()).st_size
    response = Response(_streamed(handle), mimetype=ZIP)
    response.content_length = size
    # The name is ours (dates and ASCII), never a user's.
    response.headers["Content-Disposition"] = f'attachment; filename="{out.name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _streamed(handle: BinaryIO) -> Iterator[bytes]:
    """The file in chunks; closed when sent, and also when the client goes away (the server
    closes the response, which closes this generator)."""
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
