"""The anomalies sheet: what the access rules found on the days of the period, and its triage."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from article8.access.models import Anomaly, Handler
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import ANOMALY_STATES, SEVERITIES
from article8.reports.workbook.table import Column, Context, TableSheet


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per anomaly, by day, rule and id."""
    session, period = context.session, context.period
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


SHEET = TableSheet(
    N_("Anomalies"),
    (
        Column(N_("Anomaly"), 8, "int"),
        Column(N_("Rule"), 22),
        Column(N_("Severity"), 10, "status", (SEVERITIES,)),
        Column(N_("Person"), 18),
        Column(N_("Date"), 12, "date"),
        Column(N_("Area"), 14),
        Column(N_("Events"), 8, "int"),
        Column(N_("First seen"), 17, "datetime"),
        Column(N_("Last seen"), 17, "datetime"),
        Column(N_("Triage"), 14, "status", (ANOMALY_STATES,)),
        Column(N_("Reason"), 40),
        Column(N_("Triaged by"), 20),
        Column(N_("Triaged"), 17, "datetime"),
        Column(N_("Finding"), 8, "int"),
    ),
    rows,
)
