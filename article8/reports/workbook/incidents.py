"""The incidents sheet: every incident open at some time in the range, and its reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.controls.incidents.models import Incident
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import INCIDENT_STATES
from article8.reports.queries import incident_open_during
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per incident known by the end of the range and not closed before it, by id."""
    session, tz = context.session, context.timezone
    reporters = dict(session.execute(select(User.id, User.display_name)).all())
    for incident in session.scalars(
        select(Incident).where(incident_open_during(context.period, tz)).order_by(Incident.id)
    ):
        yield (
            incident.id,
            incident.title,
            reporters.get(incident.reported_by_id or 0),
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
            incident.resolution or None,
            incident.closed_at,
        )


SHEET = TableSheet(
    N_("Incidents"),
    (
        Column(N_("Incident"), 8, "int"),
        Column(N_("Subject"), 36),
        Column(N_("Reported by"), 20),
        Column(N_("Reported"), 17, "datetime"),
        Column(N_("Aware"), 17, "datetime"),
        Column(N_("Status"), 12, "status", (INCIDENT_STATES,)),
        Column(N_("Sensitive data"), 10, "bool"),
        Column(N_("Risk of financial harm"), 10, "bool"),
        Column(N_("Possible unlawful purpose"), 10, "bool"),
        Column(N_("More than 1,000 people"), 10, "bool"),
        Column(N_("Reportable"), 10, "bool"),
        Column(N_("Preliminary report due"), 12, "date"),
        Column(N_("Preliminary report made"), 12, "date"),
        Column(N_("Final report due"), 12, "date"),
        Column(N_("Final report made"), 12, "date"),
        Column(N_("Resolution"), 40),
        Column(N_("Closed"), 17, "datetime"),
    ),
    rows,
    holds=N_("Incidents, their assessment and reports"),
    scope=N_(
        "Incidents known before the range ended and not closed before it began; status as at "
        "generation"
    ),
)
