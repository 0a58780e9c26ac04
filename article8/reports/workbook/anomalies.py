"""The anomalies sheet: what the access rules found in the range, who it concerns (by name, from
the handler register), its triage and the finding it led to."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from article8.access.models import Anomaly, Handler
from article8.core.errors import N_
from article8.core.models import User
from article8.core.vocabulary import ANOMALY_STATES, RULES, SEVERITIES
from article8.reports.queries import anomaly_in
from article8.reports.workbook.table import Column, Context, TableSheet

TITLE = N_("Anomalies")
FINDINGS = N_("Findings")
PERSON = N_("%(name)s (%(employee)s)")


def rows(context: Context) -> Iterator[tuple[Any, ...]]:
    """One row per anomaly, by day, rule and id."""
    session, _ = context.session, context.translate
    triagers = dict(session.execute(select(User.id, User.display_name)).all())
    register: Iterable[Any] = session.execute(select(Handler.id, Handler.name, Handler.employee_id))
    people = {
        handler_id: _(PERSON) % {"name": name, "employee": employee}
        for handler_id, name, employee in register
    }
    for anomaly in session.scalars(
        select(Anomaly)
        .where(anomaly_in(context.period, context.timezone))
        .order_by(Anomaly.local_date, Anomaly.rule, Anomaly.id)
    ):
        # Someone the register does not know is named as the log wrote them.
        person = people.get(anomaly.handler_id) if anomaly.handler_id else None
        yield (
            anomaly.id,
            anomaly.rule,
            anomaly.severity,
            person or anomaly.person_key.split(":", 1)[-1],
            anomaly.local_date,
            anomaly.area or None,
            anomaly.event_count,
            anomaly.first_seen,
            anomaly.last_seen,
            anomaly.status,
            anomaly.reason or None,
            triagers.get(anomaly.triaged_by_id or 0),
            anomaly.triaged_at,
            context.ref(FINDINGS, anomaly.finding_id),
        )


def keys(context: Context) -> Iterable[int]:
    """The anomaly of each row, in row order."""
    return context.session.scalars(
        select(Anomaly.id)
        .where(anomaly_in(context.period, context.timezone))
        .order_by(Anomaly.local_date, Anomaly.rule, Anomaly.id)
    )


SHEET = TableSheet(
    TITLE,
    (
        Column(N_("Anomaly"), 8, "int"),
        Column(N_("Rule"), 22, "status", (RULES,)),
        Column(N_("Severity"), 10, "status", (SEVERITIES,)),
        Column(N_("Person"), 20),
        Column(N_("Date"), 12, "date"),
        Column(N_("Area"), 14),
        Column(N_("Events"), 8, "int"),
        Column(N_("First seen"), 17, "datetime"),
        Column(N_("Last seen"), 17, "datetime"),
        Column(N_("Triage"), 14, "status", (ANOMALY_STATES,)),
        Column(N_("Reason"), 30),
        Column(N_("Triaged by"), 14),
        Column(N_("Triaged"), 17, "datetime"),
        Column(N_("Finding"), 8, "link"),
    ),
    rows,
    holds=N_("What the access rules found, who it concerns, its triage and the finding it led to"),
    scope=N_(
        "Anomalies on the range's days, and any awaiting triage at some time in the range; "
        "triage as at generation"
    ),
    keys=keys,
)
