"""The OSCAL documents that travel together (in the audit package): file name -> document.

One place decides which documents an export carries, so the package, the CLI and the API agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from article8.reports.oscal.controls import catalog
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
) -> dict[str, dict[str, Any]]:
    """The OSCAL documents for ``period``, keyed by their file name inside ``oscal/``."""
    return {
        "catalog.json": catalog(session, lang=lang, now=now),
        "assessment-results.json": assessment_results(
            session, period, tz=tz, lang=lang, now=now, fy_start_month=fy_start_month
        ),
    }
