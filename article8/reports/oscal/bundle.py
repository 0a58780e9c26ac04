"""The OSCAL documents that travel together (in the audit package): file name -> document.

One place decides which documents an export carries, so the package, the CLI and the API agree.
They refer to each other by file name (the results import the plan and link to the catalog), so
they are written side by side under the names given here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.reports.oscal.controls import catalog
from article8.reports.oscal.document import (
    CATALOG_FILE,
    DEFAULT_ORGANISATION,
    PLAN_FILE,
    RESULTS_FILE,
    write_json,
)
from article8.reports.oscal.plan import assessment_plan
from article8.reports.oscal.results import assessment_results
from article8.reports.period import Period


def documents(
    session: Session,
    period: Period,
    *,
    tz: ZoneInfo,
    lang: str = "en",
    now: datetime,
    fy_start_month: int = 4,
    organisation: str = DEFAULT_ORGANISATION,
    base_url: str = "",
) -> dict[str, dict[str, Any]]:
    """The OSCAL documents for ``period``, keyed by their file name inside ``oscal/``.

    ``organisation`` and ``base_url`` are the settings ARTICLE8_ORGANISATION and
    ARTICLE8_BASE_URL: the party that prepared the documents, and the address the evidence
    download links start with.
    """
    return {
        CATALOG_FILE: catalog(session, lang=lang, now=now, organisation=organisation),
        PLAN_FILE: assessment_plan(
            session, period, tz=tz, lang=lang, now=now, organisation=organisation
        ),
        RESULTS_FILE: assessment_results(
            session,
            period,
            tz=tz,
            lang=lang,
            now=now,
            fy_start_month=fy_start_month,
            organisation=organisation,
            base_url=base_url,
        ),
    }


def write_documents(
    session: Session,
    out_dir: Path,
    actor: Actor,
    *,
    period: Period,
    tz: ZoneInfo,
    lang: str,
    now: datetime,
    fy_start_month: int = 4,
    organisation: str = DEFAULT_ORGANISATION,
    base_url: str = "",
) -> dict[str, str]:
    """Write the documents into ``out_dir`` (each file atomically); record the export with each
    file's SHA-256, which is returned by file name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        name: write_json(document, out_dir / name)
        for name, document in documents(
            session,
            period,
            tz=tz,
            lang=lang,
            now=now,
            fy_start_month=fy_start_month,
            organisation=organisation,
            base_url=base_url,
        ).items()
    }
    audit.record(
        session,
        actor,
        "export.oscal",
        now=now,
        object_type="oscal",
        details={
            "files": written,
            "lang": lang,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
        },
    )
    return written
