"""The audit workbook for auditors and the PPC: one XLSX that proves the Article 8 programme.

One module per sheet; :mod:`.registry` lists them in order and :func:`write_workbook` writes each
in turn. Every sheet streams (openpyxl write-only), so memory does not grow with the audit
trail, and the file's SHA-256 is recorded in the audit trail once it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from article8 import __version__
from article8.core import audit
from article8.core.audit import Actor
from article8.core.files import atomic_output, sha256_of
from article8.core.i18n import translator
from article8.core.settings import Settings
from article8.reports.period import Period
from article8.reports.queries import inspections_in
from article8.reports.workbook.page import FACTS, PAGE_OF, TITLE, Style, save, use_fonts
from article8.reports.workbook.registry import SHEETS
from article8.reports.workbook.table import Context, TableSheet

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
    _ = translator(lang)
    zone = settings.timezone
    facts = _(FACTS) % {
        "organisation": settings.organisation,
        "period": period.label,
        "generated": now.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "zone": zone.key,
    }
    style = Style(lang, settings.organisation, period.label, _(PAGE_OF), facts)
    context = Context(
        session=session,
        settings=settings,
        period=period,
        lang=lang,
        actor=actor,
        now=now,
        translate=_,
        inspections=inspections_in(session, period),
        style=style,
        sheets=SHEETS,
    )
    # Where each linked record lands, before any sheet is written: sheets link both ways.
    for sheet in SHEETS:
        if isinstance(sheet, TableSheet):
            sheet.locate(context)
    report = WorkbookReport()
    workbook = Workbook(write_only=True)
    use_fonts(workbook, style)
    properties = workbook.properties
    properties.title = _(TITLE)
    properties.subject = period.label
    properties.creator = f"article8 {__version__}"
    properties.language = lang
    properties.created = properties.modified = now.astimezone(UTC).replace(tzinfo=None)
    for sheet in SHEETS:
        report.rows.update(sheet.write(workbook, context))
    for finish in context.after:
        finish()
    with atomic_output(out) as handle:
        save(workbook, handle, company=settings.organisation)
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
