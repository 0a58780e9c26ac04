"""The audit workbook for auditors and the PPC: one XLSX that proves the Article 8 programme.

Streams every sheet (openpyxl write-only), so memory does not grow with the audit trail, and
records the file's SHA-256 in the audit trail once it is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from article8.access.models import AccessBatch, Anomaly, Handler
from article8.controls.catalogue.models import (
    ChecklistItem,
    ChecklistRevision,
    Control,
    ControlMapping,
)
from article8.controls.findings.models import Finding
from article8.controls.incidents.models import Incident
from article8.controls.inspections.models import ChecklistAnswer, Inspection, timeliness
from article8.core import audit
from article8.core.audit import Actor
from article8.core.calendar import local_midnight_utc
from article8.core.errors import N_
from article8.core.files import sha256_of
from article8.core.i18n import translator
from article8.core.models import AuditEvent, User
from article8.core.settings import Settings
from article8.core.xlsx import atomic_output, header_cell, text_cell
from article8.evidence.models import EvidenceItem, evidence_control
from article8.reports.sheets import Column, Table, write_table

HASH_NOTE = N_(
    "The SHA-256 of this file is recorded in the audit trail (action export.workbook) when it "
    "is generated; compare it with the file you received."
)
CATEGORY_ORDER = (
    "basic_policy",
    "organisational",
    "human",
    "physical",
    "technical",
    "external_environment",
)


@dataclass
class WorkbookReport:
    """What was written: rows per sheet and the file's SHA-256."""

    sha256: str = ""
    rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Period:
    """The local dates the workbook covers (inclusive)."""

    start: date
    end: date


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
    tz = settings.timezone
    today = now.astimezone(tz).date()
    report = WorkbookReport()
    workbook = Workbook(write_only=True)
    inspections = list(_inspections(session, period))
    counts = _summary_counts(session, inspections, today, tz)

    _cover(workbook, session, settings, period, lang, actor, now, counts)
    report.rows["summary"] = _summary(workbook, inspections, today, _, tz)

    labels = {code: _(label) for code, label in STATUS_LABELS.items()}

    def table(title: str, columns: list[Column], rows: Any) -> None:
        report.rows[title] = write_table(workbook, Table(title, columns, tz, labels), rows)

    table(
        _("Controls"),
        [
            Column(_("Code"), 10),
            Column(_("Category"), 18),
            Column(_("Title"), 50),
            Column(_("Article 8 clause"), 10),
            Column(_("Named in Article 8"), 10, "bool"),
            Column(_("PPC reference"), 20),
            Column(_("PPC headings"), 12),
            Column(_("ISO/IEC 27001:2022"), 24),
            Column(_("Owner"), 20),
            Column(_("Frequency"), 12),
            Column(_("Active"), 8, "bool"),
            Column(_("Latest result"), 12, "status"),
        ],
        _control_rows(session, lang, _),
    )
    table(
        _("Inspections"),
        [
            Column(_("Id"), 8, "int"),
            Column(_("Control"), 10),
            Column(_("Period"), 12),
            Column(_("Period start"), 12, "date"),
            Column(_("Period end"), 12, "date"),
            Column(_("Due"), 12, "date"),
            Column(_("Assignee"), 20),
            Column(_("Performed by"), 20),
            Column(_("Submitted"), 17, "datetime"),
            Column(_("Approved by"), 20),
            Column(_("Approved"), 17, "datetime"),
            Column(_("Status"), 12, "status"),
            Column(_("Result"), 10, "status"),
            Column(_("Timeliness"), 12, "status"),
        ],
        _inspection_rows(inspections, today, tz),
    )
    table(
        _("Checklist answers"),
        [
            Column(_("Inspection"), 10, "int"),
            Column(_("Control"), 10),
            Column(_("Period"), 12),
            Column(_("Revision"), 9, "int"),
            Column(_("No."), 6, "int"),
            Column(_("Question"), 60),
            Column(_("Answer"), 10, "status"),
            Column(_("Comment"), 40),
        ],
        _answer_rows(session, inspections, lang),
    )
    table(
        _("Findings"),
        [
            Column(_("Finding"), 8, "int"),
            Column(_("Control"), 10),
            Column(_("Severity"), 10, "status"),
            Column(_("Title"), 30),
            Column(_("Description"), 40),
            Column(_("Finding status"), 12, "status"),
            Column(_("Opened"), 17, "datetime"),
            Column(_("Action"), 8, "int"),
            Column(_("Corrective action"), 40),
            Column(_("Owner"), 20),
            Column(_("Due"), 12, "date"),
            Column(_("Action status"), 12, "status"),
            Column(_("Resolved"), 17, "datetime"),
            Column(_("Verified by"), 20),
            Column(_("Verified"), 17, "datetime"),
        ],
        _finding_rows(session, period, tz),
    )
    table(
        _("Evidence"),
        [
            Column(_("Id"), 8, "int"),
            Column(_("Title"), 40),
            Column(_("Controls"), 20),
            Column(_("File"), 30),
            Column(_("Collected on"), 12, "date"),
            Column(_("Valid until"), 12, "date"),
            Column(_("Uploaded by"), 24),
            Column(_("Uploaded"), 17, "datetime"),
            Column(_("SHA-256"), 66),
            Column(_("Version"), 8, "int"),
            Column(_("Status"), 12, "status"),
        ],
        _evidence_rows(session, period, today),
    )
    table(
        _("Access-log batches"),
        [
            Column(_("Batch"), 8, "int"),
            Column(_("Kind"), 10),
            Column(_("File"), 30),
            Column(_("SHA-256"), 66),
            Column(_("Rows"), 10, "int"),
            Column(_("Rejected"), 10, "int"),
            Column(_("First date"), 12, "date"),
            Column(_("Last date"), 12, "date"),
            Column(_("Imported by"), 24),
            Column(_("Imported"), 17, "datetime"),
        ],
        _batch_rows(session, period, tz),
    )
    table(
        _("Anomalies"),
        [
            Column(_("Anomaly"), 8, "int"),
            Column(_("Rule"), 22),
            Column(_("Severity"), 10, "status"),
            Column(_("Person"), 18),
            Column(_("Date"), 12, "date"),
            Column(_("Area"), 14),
            Column(_("Events"), 8, "int"),
            Column(_("First seen"), 17, "datetime"),
            Column(_("Last seen"), 17, "datetime"),
            Column(_("Triage"), 14, "status"),
            Column(_("Reason"), 40),
            Column(_("Triaged by"), 20),
            Column(_("Triaged"), 17, "datetime"),
            Column(_("Finding"), 8, "int"),
        ],
        _anomaly_rows(session, period),
    )
    table(
        _("Incidents"),
        [
            Column(_("Incident"), 8, "int"),
            Column(_("Title"), 36),
            Column(_("Reported by"), 20),
            Column(_("Reported"), 17, "datetime"),
            Column(_("Aware"), 17, "datetime"),
            Column(_("Status"), 12, "status"),
            Column(_("Sensitive data"), 10, "bool"),
            Column(_("Risk of financial harm"), 10, "bool"),
            Column(_("Possible unlawful purpose"), 10, "bool"),
            Column(_("More than 1,000 people"), 10, "bool"),
            Column(_("Reportable"), 10, "bool"),
            Column(_("Preliminary report due"), 12, "date"),
            Column(_("Preliminary report made"), 12, "date"),
            Column(_("Final report due"), 12, "date"),
            Column(_("Final report made"), 12, "date"),
            Column(_("Resolution"), 40),
            Column(_("Closed"), 17, "datetime"),
        ],
        _incident_rows(session, period, tz),
    )
    table(
        _("Audit trail"),
        [
            Column(_("Sequence"), 10, "int"),
            Column(_("Time"), 17, "datetime"),
            Column(_("Actor"), 28),
            Column(_("Action"), 26),
            Column(_("Object"), 14),
            Column(_("Object id"), 10),
            Column(_("Details"), 60),
            Column(_("Client address"), 16),
            Column(_("Hash"), 66),
        ],
        _audit_rows(session, period, tz),
    )

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


def catalogue_version(session: Session) -> str:
    """A fingerprint of the catalogue in force: active controls and their checklist revisions."""
    rows = session.execute(
        select(Control.code, func.max(ChecklistRevision.number))
        .join(ChecklistRevision, ChecklistRevision.control_id == Control.id)
        .where(Control.active.is_(True))
        .group_by(Control.code)
        .order_by(Control.code)
    ).all()
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:12]
    return f"{len(rows)} controls · {digest}"


def _inspections(session: Session, period: Period) -> Iterator[Inspection]:
    yield from session.scalars(
        select(Inspection)
        .join(Control, Control.id == Inspection.control_id)
        .options(
            selectinload(Inspection.control),
            selectinload(Inspection.assignee),
            selectinload(Inspection.performed_by),
            selectinload(Inspection.reviewed_by),
        )
        .where(Inspection.due_on >= period.start, Inspection.due_on <= period.end)
        .order_by(Inspection.due_on, Control.code)
    )


def _summary_counts(
    session: Session, inspections: list[Inspection], today: date, tz: ZoneInfo
) -> dict[str, int]:
    states = [timeliness(i, today=today, tz=tz) for i in inspections]
    return {
        "controls": session.scalar(
            select(func.count()).select_from(Control).where(Control.active.is_(True))
        )
        or 0,
        "inspections": len(inspections),
        "approved": sum(1 for i in inspections if i.status == "approved"),
        "failed": sum(1 for i in inspections if i.result == "fail"),
        "missed": states.count("missed"),
        "overdue": states.count("overdue"),
        "late": states.count("late"),
        "open_findings": session.scalar(
            select(func.count())
            .select_from(Finding)
            .where(Finding.status.in_(("open", "in_progress")))
        )
        or 0,
        "evidence": session.scalar(
            select(func.count()).select_from(EvidenceItem).where(EvidenceItem.status == "current")
        )
        or 0,
    }


def _cover(
    workbook: Workbook,
    session: Session,
    settings: Settings,
    period: Period,
    lang: str,
    actor: Actor,
    now: datetime,
    counts: dict[str, int],
) -> None:
    _ = translator(lang)
    ws = workbook.create_sheet(_("Cover"))
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 70
    responsible = ", ".join(
        session.scalars(
            select(User.display_name)
            .where(User.role == "responsible", User.active.is_(True))
            .order_by(User.display_name)
        )
    )
    ws.append([header_cell(ws, _("Audit workbook: safety control measures (APPI Article 23)"))])
    ws.append([])
    rows = [
        (_("Organisation"), settings.organisation),
        (_("Period"), f"{period.start.isoformat()} – {period.end.isoformat()}"),
        (_("Responsible person"), responsible or "-"),
        (_("Generated at"), now.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M %Z")),
        (_("Generated by"), actor.label),
        (_("Catalogue version"), catalogue_version(session)),
    ]
    for label, value in rows:
        ws.append([header_cell(ws, label), text_cell(ws, value)])
    ws.append([])
    ws.append([header_cell(ws, _("Summary"))])
    summary = [
        (_("Active controls"), counts["controls"]),
        (_("Inspections due in the period"), counts["inspections"]),
        (_("Approved"), counts["approved"]),
        (_("With a failed item"), counts["failed"]),
        (_("Submitted late"), counts["late"]),
        (_("Overdue"), counts["overdue"]),
        (_("Missed"), counts["missed"]),
        (_("Open findings"), counts["open_findings"]),
        (_("Current evidence items"), counts["evidence"]),
    ]
    for label, value in summary:
        ws.append([text_cell(ws, label), value])
    ws.append([])
    ws.append([text_cell(ws, _(HASH_NOTE))])


def _summary(
    workbook: Workbook, inspections: list[Inspection], today: date, _: Any, tz: ZoneInfo
) -> int:
    by_category: dict[str, dict[str, int]] = {
        c: {"total": 0, "pass": 0, "fail": 0, "missed": 0, "overdue": 0} for c in CATEGORY_ORDER
    }
    for inspection in inspections:
        row = by_category.setdefault(
            inspection.control.category,
            {"total": 0, "pass": 0, "fail": 0, "missed": 0, "overdue": 0},
        )
        row["total"] += 1
        state = timeliness(inspection, today=today, tz=tz)
        if inspection.status == "approved":
            row["pass" if inspection.result == "pass" else "fail"] += 1
        elif state in ("missed", "overdue"):
            row[state] += 1
    table = Table(
        _("Summary"),
        [
            Column(_("Category"), 26),
            Column(_("Inspections"), 12, "int"),
            Column(_("Approved, passed"), 14, "int"),
            Column(_("Approved, failed"), 14, "int"),
            Column(_("Missed"), 10, "int"),
            Column(_("Overdue"), 10, "int"),
        ],
        tz,
    )
    rows = write_table(
        workbook,
        table,
        (
            (_(CATEGORY_LABELS[c]), v["total"], v["pass"], v["fail"], v["missed"], v["overdue"])
            for c, v in by_category.items()
        ),
    )
    ws = table.sheets[0]
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = _("Inspections by category")
    chart.add_data(
        Reference(ws, min_col=3, max_col=6, min_row=1, max_row=rows + 1), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    chart.width, chart.height = 22, 10
    ws.add_chart(chart, "H2")
    return rows


STATUS_LABELS = {
    "scheduled": N_("scheduled"),
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "submitted": N_("submitted"),
    "returned": N_("returned"),
    "approved": N_("approved"),
    "missed": N_("missed"),
    "pass": N_("pass"),
    "fail": N_("fail"),
    "na": N_("not applicable"),
    "on time": N_("on time"),
    "late": N_("late"),
    "overdue": N_("overdue"),
    "resolved": N_("resolved"),
    "verified": N_("verified"),
    "current": N_("current"),
    "superseded": N_("superseded"),
    "withdrawn": N_("withdrawn"),
    "expired": N_("expired"),
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "new": N_("new"),
    "acknowledged": N_("acknowledged"),
    "dismissed": N_("dismissed"),
    "escalated": N_("escalated"),
    "reported": N_("reported"),
    "investigating": N_("investigating"),
    "closed": N_("closed"),
}
FREQUENCY_LABELS = {
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "semiannual": N_("Semiannual"),
    "annual": N_("Annual"),
}
CATEGORY_LABELS = {
    "basic_policy": N_("Basic policy"),
    "organisational": N_("Organisational measures"),
    "human": N_("Human measures"),
    "physical": N_("Physical measures"),
    "technical": N_("Technical measures"),
    "external_environment": N_("External environment"),
}


def _control_rows(session: Session, lang: str, _: Any) -> Iterator[tuple[Any, ...]]:
    mappings: dict[int, dict[str, list[str]]] = {}
    for control_id, scheme, ref in session.execute(
        select(ControlMapping.control_id, ControlMapping.scheme, ControlMapping.ref).order_by(
            ControlMapping.id
        )
    ):
        mappings.setdefault(control_id, {}).setdefault(scheme, []).append(ref)
    latest = dict(
        session.execute(
            select(Inspection.control_id, Inspection.result)
            .where(Inspection.status == "approved")
            .order_by(Inspection.control_id, Inspection.period_start)
        ).all()
    )
    owners = dict(session.execute(select(User.id, User.display_name)).all())
    for control in session.scalars(select(Control).order_by(Control.code)):
        refs = mappings.get(control.id, {})
        yield (
            control.code,
            control.category,
            control.title(lang),
            ", ".join(refs.get("article8", [])) or "guideline",
            control.article8_explicit,
            control.ppc_ref,
            ", ".join(refs.get("ppc", [])),
            ", ".join(refs.get("iso27001", [])),
            owners.get(control.owner_id or 0, ""),
            control.frequency,
            control.active,
            latest.get(control.id) or "",
        )


def _inspection_rows(
    inspections: list[Inspection], today: date, tz: ZoneInfo
) -> Iterator[tuple[Any, ...]]:
    for i in inspections:
        yield (
            i.id,
            i.control.code,
            i.period_label,
            i.period_start,
            i.period_end,
            i.due_on,
            i.assignee.display_name if i.assignee else "",
            i.performed_by.display_name if i.performed_by else "",
            i.submitted_at,
            i.reviewed_by.display_name if i.reviewed_by and i.status == "approved" else "",
            i.reviewed_at if i.status == "approved" else None,
            i.status,
            i.result or "",
            timeliness(i, today=today, tz=tz),
        )


def _answer_rows(
    session: Session, inspections: list[Inspection], lang: str
) -> Iterator[tuple[Any, ...]]:
    by_id = {i.id: i for i in inspections}
    ids = list(by_id)
    for chunk in range(0, len(ids), 500):
        for answer, item, number in session.execute(
            select(ChecklistAnswer, ChecklistItem, ChecklistRevision.number)
            .join(ChecklistItem, ChecklistItem.id == ChecklistAnswer.item_id)
            .join(ChecklistRevision, ChecklistRevision.id == ChecklistItem.revision_id)
            .where(ChecklistAnswer.inspection_id.in_(ids[chunk : chunk + 500]))
            .order_by(ChecklistAnswer.inspection_id, ChecklistItem.position)
        ):
            inspection = by_id[answer.inspection_id]
            yield (
                inspection.id,
                inspection.control.code,
                inspection.period_label,
                number,
                item.position,
                item.text(lang),
                answer.answer,
                answer.comment,
            )


def _finding_rows(session: Session, period: Period, tz: Any) -> Iterator[tuple[Any, ...]]:
    end = local_midnight_utc(period.end + timedelta(days=1), tz)
    findings = session.scalars(select(Finding).where(Finding.created_at < end).order_by(Finding.id))
    for finding in findings:
        base = (
            finding.id,
            finding.control.code,
            finding.severity,
            finding.title,
            finding.description,
            finding.status,
            finding.created_at,
        )
        if not finding.actions:
            yield (*base, None, "", "", None, "", None, "", None)
        for action in finding.actions:
            yield (
                *base,
                action.id,
                action.description,
                action.owner.display_name,
                action.due_on,
                action.status,
                action.resolved_at,
                action.verified_by.display_name if action.verified_by else "",
                action.verified_at,
            )


def _evidence_rows(session: Session, period: Period, today: date) -> Iterator[tuple[Any, ...]]:
    codes: dict[int, list[str]] = {}
    for evidence_id, code in session.execute(
        select(evidence_control.c.evidence_id, Control.code)
        .join(Control, Control.id == evidence_control.c.control_id)
        .order_by(Control.code)
    ):
        codes.setdefault(evidence_id, []).append(code)
    for item in session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.collected_on <= period.end)
        .order_by(EvidenceItem.id)
    ):
        status = item.status
        if status == "current" and item.valid_until is not None and item.valid_until < today:
            status = "expired"
        yield (
            item.id,
            item.title,
            ", ".join(codes.get(item.id, [])),
            item.original_name,
            item.collected_on,
            item.valid_until,
            item.uploaded_by_label,
            item.uploaded_at,
            item.sha256,
            item.version,
            status,
        )


def _audit_rows(session: Session, period: Period, tz: Any) -> Iterator[tuple[Any, ...]]:
    start = local_midnight_utc(period.start, tz)
    end = local_midnight_utc(period.end + timedelta(days=1), tz)
    rows = session.execute(
        select(
            AuditEvent.seq,
            AuditEvent.occurred_at,
            AuditEvent.actor_label,
            AuditEvent.action,
            AuditEvent.object_type,
            AuditEvent.object_id,
            AuditEvent.details,
            AuditEvent.client_addr,
            AuditEvent.hash,
        )
        .where(AuditEvent.occurred_at >= start, AuditEvent.occurred_at < end)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=5000)
    )
    with rows:
        for row in rows:
            yield (
                row.seq,
                row.occurred_at,
                row.actor_label,
                row.action,
                row.object_type or "",
                row.object_id or "",
                "" if row.details == "{}" else row.details,
                row.client_addr or "",
                row.hash,
            )


def _batch_rows(session: Session, period: Period, tz: Any) -> Iterator[tuple[Any, ...]]:
    start = local_midnight_utc(period.start, tz)
    end = local_midnight_utc(period.end + timedelta(days=1), tz)
    for batch in session.scalars(
        select(AccessBatch)
        .where(AccessBatch.imported_at >= start, AccessBatch.imported_at < end)
        .order_by(AccessBatch.id)
    ):
        yield (
            batch.id,
            batch.kind,
            batch.filename,
            batch.sha256,
            batch.row_count,
            batch.rejected_count,
            batch.first_date,
            batch.last_date,
            batch.imported_by_label,
            batch.imported_at,
        )


def _anomaly_rows(session: Session, period: Period) -> Iterator[tuple[Any, ...]]:
    triagers = dict(session.execute(select(User.id, User.display_name)).all())
    people = dict(session.execute(select(Handler.id, Handler.employee_id)).all())
    for anomaly in session.scalars(
        select(Anomaly)
        .where(Anomaly.local_date >= period.start, Anomaly.local_date <= period.end)
        .order_by(Anomaly.local_date, Anomaly.rule, Anomaly.id)
    ):
        person = people.get(anomaly.handler_id) if anomaly.handler_id else None
        yield (
            anomaly.id,
            anomaly.rule,
            anomaly.severity,
            person or anomaly.person_key.split(":", 1)[-1],
            anomaly.local_date,
            anomaly.area or "",
            anomaly.event_count,
            anomaly.first_seen,
            anomaly.last_seen,
            anomaly.status,
            anomaly.reason or "",
            triagers.get(anomaly.triaged_by_id or 0, ""),
            anomaly.triaged_at,
            anomaly.finding_id,
        )


def _incident_rows(session: Session, period: Period, tz: Any) -> Iterator[tuple[Any, ...]]:
    start = local_midnight_utc(period.start, tz)
    end = local_midnight_utc(period.end + timedelta(days=1), tz)
    reporters = dict(session.execute(select(User.id, User.display_name)).all())
    for incident in session.scalars(
        select(Incident)
        .where(
            Incident.aware_at < end, (Incident.closed_at.is_(None)) | (Incident.closed_at >= start)
        )
        .order_by(Incident.id)
    ):
        yield (
            incident.id,
            incident.title,
            reporters.get(incident.reported_by_id or 0, ""),
            incident.reported_at,
            incident.aware_at,
            incident.status,
            incident.sensitive_data,
            incident.financial_harm,
            incident.unlawful_purpose,
            incident.over_1000_people,
            incident.reportable if incident.assessed else None,
            incident.preliminary_due_on,
            incident.preliminary_reported_on,
            incident.final_due_on,
            incident.final_reported_on,
            incident.resolution or "",
            incident.closed_at,
        )
