"""The findings sheet: every finding open at some time in the range, with links to the
inspection, checklist answer and anomaly it came from and to its corrective actions (which have
a sheet of their own, :mod:`.actions`, so that neither is too wide to print legibly)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from article8.access.models import Anomaly
from article8.controls.catalogue.models import ChecklistItem, Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.findings.titles import compose_title
from article8.controls.inspections.models import Inspection
from article8.core.errors import N_
from article8.core.vocabulary import FINDING_STATES, SEVERITIES
from article8.reports.queries import action_open_during, finding_open_during
from article8.reports.workbook.table import Column, Context, Ref, TableSheet

TITLE = N_("Findings")
INSPECTIONS, ANSWERS = N_("Inspections"), N_("Checklist answers")
ANOMALIES, ACTIONS = N_("Anomalies"), N_("Corrective actions")


def _ids_by_finding(context: Context, statement: Any) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    pairs: Iterable[Any] = context.session.execute(statement)
    for finding_id, record_id in pairs:
        found.setdefault(finding_id, []).append(record_id)
    return found


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per finding, by id.

    A constant number of statements whatever the number of findings: the control, the
    inspection, the anomalies and the actions are joined or grouped, not loaded one by one.
    """
    period, tz = context.period, context.timezone
    anomalies = _ids_by_finding(
        context,
        select(Anomaly.finding_id, Anomaly.id)
        .join(Finding, Finding.id == Anomaly.finding_id)
        .where(finding_open_during(period, tz))
        .order_by(Anomaly.id),
    )
    actions = _ids_by_finding(
        context,
        select(CorrectiveAction.finding_id, CorrectiveAction.id)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .where(finding_open_during(period, tz), action_open_during(period, tz))
        .order_by(CorrectiveAction.id),
    )
    found = context.session.execute(
        select(
            Finding.id,
            Control.code,
            Finding.severity,
            Finding.title,
            Finding.description,
            Finding.status,
            Finding.created_at,
            # What the title is composed from, in the reader's language (not the stored text).
            Finding.source,
            Inspection.period_start,
            Inspection.period_end,
            ChecklistItem.position,
            Finding.inspection_id,
            Finding.item_id,
        )
        .join(Control, Control.id == Finding.control_id)
        .outerjoin(Inspection, Inspection.id == Finding.inspection_id)
        .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
        .where(finding_open_during(period, tz))
        .order_by(Finding.id)
    )
    for row in found:
        title = compose_title(
            source=row.source,
            stored=row.title,
            code=row.code,
            period=(row.period_start, row.period_end) if row.period_start else None,
            position=row.position,
            translate=context.translate,
            fy_start_month=context.settings.fiscal_year_start,
        )
        yield (
            row.id,
            row.code,
            row.severity,
            title,
            row.description or None,
            row.status,
            row.created_at,
            context.ref(INSPECTIONS, row.inspection_id),
            None
            if row.item_id is None
            else Ref(row.position, context.link(ANSWERS, (row.inspection_id, row.item_id))),
            context.refs(ANOMALIES, anomalies.get(row.id, [])),
            context.refs(ACTIONS, actions.get(row.id, [])),
        )


def keys(context: Context) -> Iterable[int]:
    """The finding of each row, in row order."""
    period, tz = context.period, context.timezone
    return context.session.scalars(
        select(Finding.id).where(finding_open_during(period, tz)).order_by(Finding.id)
    )


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Finding"), 8, "int"),
        Column(N_("Control"), 10),
        Column(N_("Severity"), 10, "status", (SEVERITIES,)),
        Column(N_("Title"), 22),
        Column(N_("Description"), 30),
        Column(N_("Status"), 12, "status", (FINDING_STATES,)),
        Column(N_("Opened"), 17, "datetime"),
        Column(N_("Inspection"), 9, "link"),
        Column(N_("Checklist item"), 8, "link"),
        Column(N_("Anomaly"), 8, "link"),
        Column(ACTIONS, 10, "link"),
    ),
    rows,
    holds=N_(
        "Every finding, with links to the inspection, checklist answer and anomaly it came from "
        "and to its corrective actions"
    ),
    scope=N_(
        "Findings open at some time in the range (raised before it ended, not closed before it "
        "began); status as at generation"
    ),
    keys=keys,
)
