"""Counts as at the end of the range: the cover's and the summary's figures are the state at
that instant, replayed from the audit trail with the dashboard's "as of" building blocks
(:mod:`article8.reports.history`), not the state at generation."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, select

from article8.controls.inspections.models import timeliness
from article8.reports import history
from article8.reports.period import Moment
from article8.reports.queries import TIMELINESS_CODES
from article8.reports.workbook.table import Context


@dataclass(frozen=True)
class Outcome:
    """One inspection of the range as it stood at the moment."""

    control_id: int
    status: str
    result: str | None
    timeliness: str  # a code of the TIMELINESS vocabulary


def moment(context: Context) -> Moment:
    """The end of the range; the live state when the range ends after generation."""
    as_of = None if context.as_at >= context.now else context.as_at
    dialect = context.session.get_bind().dialect.name
    return Moment(context.as_at_day, as_of, context.timezone, dialect)


def outcomes(context: Context) -> list[Outcome]:
    """Each inspection whose period overlaps the range, as it stood at the end of the range (an
    inspection not yet created then is left out)."""
    at = moment(context)
    states = history.inspection_states(at)
    period = context.period
    found: list[Any] = context.session.execute(  # type: ignore[assignment]
        select(
            states.c.control_id,
            states.c.status,
            states.c.result,
            states.c.submitted_at,
            states.c.due_on,
        )
        .where(and_(states.c.period_start <= period.end, states.c.period_end >= period.start))
        .order_by(states.c.due_on, states.c.id)
    ).all()
    result = []
    for control_id, status, graded, submitted_at, due_on in found:
        # timeliness() reads only the state, the submission time and the due date.
        shim: Any = SimpleNamespace(status=status, submitted_at=submitted_at, due_on=due_on)
        state = timeliness(shim, today=at.today, tz=context.timezone)
        result.append(Outcome(control_id, status, graded, TIMELINESS_CODES.get(state, state)))
    return result
