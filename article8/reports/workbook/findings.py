"""The findings sheet: every finding opened by the end of the period, one row per action."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from article8.controls.catalogue.models import ChecklistItem, Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.findings.titles import compose_title
from article8.controls.inspections.models import Inspection
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import ACTION_STATES, FINDING_STATES, SEVERITIES
from article8.reports.workbook.table import Column, Context, TableSheet

NO_ACTION = (None, "", "", None, "", None, "", None)


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per corrective action (one for a finding without any), by finding and action.

    One statement whatever the number of findings: the control and the people are joined, not
    loaded finding by finding.
    """
    owner, verifier = aliased(User, name="owner"), aliased(User, name="verifier")
    action = CorrectiveAction
    found = context.session.execute(
        select(
            Finding.id,
            Control.code,
            Finding.severity,
            Finding.title,
            Finding.description,
            Finding.status,
            Finding.created_at,
            action.id,
            action.description,
            owner.display_name,
            action.due_on,
            action.status,
            action.resolved_at,
            verifier.display_name,
            action.verified_at,
            # What the title is composed from, in the reader's language (not the stored text).
            Finding.source,
            Inspection.period_start,
            Inspection.period_end,
            ChecklistItem.position,
        )
        .join(Control, Control.id == Finding.control_id)
        .outerjoin(Inspection, Inspection.id == Finding.inspection_id)
        .outerjoin(ChecklistItem, ChecklistItem.id == Finding.item_id)
        .outerjoin(action, action.finding_id == Finding.id)
        .outerjoin(owner, owner.id == action.owner_id)
        .outerjoin(verifier, verifier.id == action.verified_by_id)
        .where(Finding.created_at < context.period.ends_at(context.timezone))
        .order_by(Finding.id, action.id)
    )
    for row in found:
        values: tuple[Any, ...] = tuple(row)
        source, start, end, position = values[15:]
        title = compose_title(
            source=source,
            stored=row.title,
            code=row.code,
            period=(start, end) if start and end else None,
            position=position,
            translate=context.translate,
            fy_start_month=context.settings.fiscal_year_start,
        )
        finding = (*values[:3], title, *values[4:7])
        action_id, *done = values[7:15]
        if action_id is None:
            yield (*finding, *NO_ACTION)
        else:
            described, owned_by, due_on, status, resolved_at, verified_by, verified_at = done
            yield (
                *finding,
                action_id,
                described,
                owned_by,
                due_on,
                status,
                resolved_at,
                verified_by or "",
                verified_at,
            )


SHEET = TableSheet(
    N_("Findings"),
    (
        Column(N_("Finding"), 8, "int"),
        Column(N_("Control"), 10),
        Column(N_("Severity"), 10, "status", (SEVERITIES,)),
        Column(N_("Title"), 18),
        Column(N_("Description"), 24),
        Column(N_("Finding status"), 12, "status", (FINDING_STATES,)),
        Column(N_("Opened"), 17, "datetime"),
        Column(N_("Action"), 8, "int"),
        Column(N_("Corrective action"), 24),
        Column(N_("Owner"), 12),
        Column(N_("Due"), 12, "date"),
        Column(N_("Action status"), 12, "status", (ACTION_STATES,)),
        Column(N_("Resolved"), 17, "datetime"),
        Column(N_("Verified by"), 12),
        Column(N_("Verified"), 17, "datetime"),
    ),
    rows,
)
