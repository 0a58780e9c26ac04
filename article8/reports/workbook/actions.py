"""The corrective actions sheet: every action open at some time in the range, on a finding of
the findings sheet, with who owns it and how it was closed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from article8.controls.catalogue.models import Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import ACTION_STATES
from article8.reports.queries import action_open_during, finding_open_during
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Corrective actions")
FINDINGS = N_("Findings")


def _scoped(context: Context, *columns: Any) -> Any:
    period, tz = context.period, context.timezone
    return (
        select(*columns)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .where(finding_open_during(period, tz), action_open_during(period, tz))
        .order_by(CorrectiveAction.finding_id, CorrectiveAction.id)
    )


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per corrective action, by finding and action; the people are joined."""
    owner, verifier = aliased(User, name="owner"), aliased(User, name="verifier")
    action = CorrectiveAction
    found: Iterable[Any] = context.session.execute(
        _scoped(
            context,
            action.id,
            action.finding_id,
            Control.code,
            action.description,
            owner.display_name,
            action.due_on,
            action.status,
            action.resolved_at,
            verifier.display_name,
            action.verified_at,
        )
        .join(Control, Control.id == Finding.control_id)
        .outerjoin(owner, owner.id == action.owner_id)
        .outerjoin(verifier, verifier.id == action.verified_by_id)
    )
    for row in found:
        values = tuple(row)
        yield (values[0], context.ref(FINDINGS, values[1]), *values[2:])


def keys(context: Context) -> Iterable[int]:
    """The action of each row, in row order."""
    return context.session.scalars(_scoped(context, CorrectiveAction.id))


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Action"), 8, "int"),
        Column(N_("Finding"), 8, "link"),
        Column(N_("Control"), 10),
        Column(N_("Corrective action"), 36),
        Column(N_("Owner"), 16),
        Column(N_("Due"), 12, "date"),
        Column(N_("Status"), 12, "status", (ACTION_STATES,)),
        Column(N_("Resolved"), 17, "datetime"),
        Column(N_("Verified by"), 16),
        Column(N_("Verified"), 17, "datetime"),
    ),
    rows,
    holds=N_("Every corrective action of those findings: owner, due date, status and verification"),
    scope=N_(
        "Actions open at some time in the range (created before it ended, neither resolved nor "
        "cancelled before it began); status as at generation"
    ),
    keys=keys,
)
