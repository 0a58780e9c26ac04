"""The audit workbook for auditors and the PPC: one XLSX that proves the Article 8 programme.

One module per sheet; :mod:`.registry` lists them in order and :func:`write_workbook` writes each
in turn. Every sheet streams (openpyxl write-only), so memory does not grow with the audit
trail, and the file's SHA-256 is recorded in the audit trail once it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.core.files import atomic_output, sha256_of
from article8.core.i18n import translator
from article8.core.settings import Settings
from article8.reports.period import Period
from article8.reports.queries import inspections_due
from article8.reports.workbook.registry import SHEETS
from article8.reports.workbook.table import Context

__all__ = ["Period", "WorkbookReport", "write_workbook"]


@dataclass
class WorkbookReport:
    """What was written: rows per sheet and the file's SHA-256."""

    sha256: str = ""
    rows: dict[str, int] = field(default_factory=dict)


def write_workbook(
    session: Session,
    out: Path,
    *,
    settings: Settings,
    period: Period,
    lang: str,
    actor: Actor,
    now: datetime,
) -> WorkbookReport:
    """Write the workbook to ``out`` and record its SHA-256 in the audit trail."""
    context = Context(
        session=session,
        settings=settings,
        period=period,
        lang=lang,
        actor=actor,
        now=now,
        translate=translator(lang),
        inspections=inspections_due(session, period),
    )
    report = WorkbookReport()
    workbook = Workbook(write_only=True)
    for sheet in SHEETS:
        report.rows.update(sheet.write(workbook, context))
    with atomic_output(out) as handle:
        workbook.save(handle)
    report.sha256 = sha256_of(out)
    audit.record(
        session,
        actor,
        "export.workbook",
        now=now,
        object_type="workbook",
        details={
            "file": out.name,
            "sha256": report.sha256,
            "lang": lang,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "rows": report.rows,
        },
    )
    return report
