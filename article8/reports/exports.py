"""Files written for people and tools outside article8, each recorded in the audit trail.

The workbook records its own export (:func:`article8.reports.workbook.write_workbook`); these are
the catalogue (XLSX, YAML or an OSCAL catalog) and the OSCAL assessment results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from article8.controls.catalogue import exchange
from article8.core import audit
from article8.core.audit import Actor
from article8.reports import oscal
from article8.reports.period import Period

CATALOGUE_FORMATS = ("xlsx", "yaml", "oscal")
RESULT_PARTS = ("observations", "findings", "risks")


def export_catalogue(
    session: Session,
    out: Path,
    actor: Actor,
    *,
    fmt: str,
    lang: str,
    now: datetime,
    organisation: str = oscal.DEFAULT_ORGANISATION,
) -> None:
    """Write the whole catalogue to ``out`` (``xlsx``/``yaml``: importable again, with owners and
    active flags; ``oscal``: a catalog of the active controls in ``lang``) and record it."""
    details: dict[str, Any] = {"format": fmt, "file": out.name}
    if fmt == "xlsx":
        exchange.export_xlsx(session, out)
    elif fmt == "yaml":
        exchange.export_yaml(session, out)
    elif fmt == "oscal":
        document = oscal.catalog(session, lang=lang, now=now, organisation=organisation)
        sha256 = oscal.write_json(document, out)
        details |= {"lang": lang, "sha256": sha256}
    else:
        raise ValueError(f"unknown catalogue format {fmt!r}")
    audit.record(
        session, actor, "catalogue.export", now=now, object_type="catalogue", details=details
    )


@dataclass(frozen=True)
class ResultsExport:
    """The written assessment results: the file's SHA-256 and how many of each part it holds."""

    sha256: str
    counts: dict[str, int] = field(default_factory=dict)


def export_assessment_results(
    session: Session,
    out: Path,
    actor: Actor,
    *,
    period: Period,
    tz: ZoneInfo,
    lang: str,
    now: datetime,
    fy_start_month: int = 4,
    organisation: str = oscal.DEFAULT_ORGANISATION,
    base_url: str = "",
) -> ResultsExport:
    """Write OSCAL assessment results for the inspections due in ``period``; record the file."""
    document = oscal.assessment_results(
        session,
        period,
        tz=tz,
        lang=lang,
        now=now,
        fy_start_month=fy_start_month,
        organisation=organisation,
        base_url=base_url,
    )
    sha256 = oscal.write_json(document, out)
    result = document["assessment-results"]["results"][0]
    counts = {key: len(result.get(key, [])) for key in RESULT_PARTS}
    audit.record(
        session,
        actor,
        "export.assessment_results",
        now=now,
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
    return ResultsExport(sha256, counts)
