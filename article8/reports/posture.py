"""The responsible person's dashboard: posture, timeliness, work owed, evidence, access, incidents.

Read side only. Every figure is one grouped SQL statement (ten in all, whatever the size of the
data); Python only shapes results bounded by the number of controls and months. The same
statements serve the live page and the page "as of" a past instant: see
:mod:`article8.reports.history` for how a past state is reconstructed and what is approximated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import CTE, Row, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from article8.access.models import Anomaly
from article8.controls.catalogue.models import Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.incidents.models import Incident
from article8.controls.inspections.models import PENDING_STATES, submitted_on_time_sql
from article8.core.calendar import local_midnight_utc
from article8.core.settings import Settings
from article8.core.vocabulary import CATEGORIES
from article8.evidence.models import EvidenceItem, evidence_control
from article8.evidence.queries import EXPIRING_DAYS
from article8.reports.history import (
    action_open,
    anomaly_new,
    control_active,
    evidence_current,
    finding_open,
    incident_open,
    inspection_states,
    reported_by,
)
from article8.reports.period import Moment
from article8.reports.posture_figures import (
    Ages,
    Dashboard,
    EvidenceGap,
    HeatCell,
    HeatRow,
    IncidentDeadline,
    MonthTrend,
    OnTime,
    Posture,
)

MONTHS = 12
UPCOMING_DAYS = 14
Window = tuple[date, date]


def dashboard(
    session: Session,
    *,
    today: date,
    as_of: datetime | None,
    settings: Settings,
    expiring_days: int = EXPIRING_DAYS,
) -> Dashboard:
    """The dashboard for local day ``today``; with ``as_of``, as it stood at that instant.

    ``today`` is the local day the figures are for (for a past view, the local day of
    ``as_of``): due dates, ages and validity are judged against it.
    """
    moment = Moment(today, as_of, settings.timezone, session.get_bind().dialect.name)
    states = inspection_states(moment)
    months = _months(today)
    controls = _controls(session, moment)
    categories, overall = _posture(session, moment, states)
    trend, on_time = _trend(session, moment, states, months)
    overdue, upcoming = _pending(session, moment, states)
    actions, overdue_actions = _actions(session, moment)
    expiring, expired = _evidence(session, moment, expiring_days)
    return Dashboard(
        today=today,
        as_of=as_of,
        categories=categories,
        overall=overall,
        on_time=on_time,
        overdue=overdue,
        upcoming=upcoming,
        upcoming_until=today + timedelta(days=UPCOMING_DAYS),
        trend=trend,
        heat_map=_heat_map(session, states, months, controls),
        findings=_findings(session, moment),
        actions=actions,
        overdue_actions=overdue_actions,
        evidence_expiring=expiring,
        evidence_expired=expired,
        expiring_days=expiring_days,
        evidence_gaps=tuple(
            EvidenceGap(c.code, c.title_en, c.title_ja, "expired" if c.lapsed else "missing")
            for c in controls
            if not c.in_force
        ),
        anomalies=_anomalies(session, moment),
        incidents=_incidents(session, moment),
    )


def _months(today: date) -> list[Window]:
    """The last ``MONTHS`` calendar months, ending with the current one."""
    base = today.year * 12 + today.month - 1
    windows = []
    for index in range(base - MONTHS + 1, base + 1):
        start = date(index // 12, index % 12 + 1, 1)
        following = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
        windows.append((start, following - timedelta(days=1)))
    return windows


def _controls(session: Session, moment: Moment) -> list[Row[Any]]:
    """Active controls by code, with whether they have evidence in force or only lapsed."""
    item, link = EvidenceItem, evidence_control.c
    linked = and_(
        link.control_id == Control.id, link.evidence_id == item.id, evidence_current(moment)
    )
    in_force = exists().where(
        linked, or_(item.valid_until.is_(None), item.valid_until >= moment.today)
    )
    lapsed = exists().where(linked, item.valid_until < moment.today)
    return list(
        session.execute(
            select(
                Control.id,
                Control.code,
                Control.category,
                Control.title_en,
                Control.title_ja,
                in_force.label("in_force"),
                lapsed.label("lapsed"),
            )
            .where(control_active(moment))
            .order_by(Control.code)
        )
    )


def _posture(session: Session, moment: Moment, states: CTE) -> tuple[tuple[Posture, ...], Posture]:
    """Active controls per category by the state of their current inspection."""
    latest = (
        select(states.c.control_id, func.max(states.c.period_start).label("period_start"))
        .where(states.c.opens_on <= moment.today)
        .group_by(states.c.control_id)
        .subquery("latest_opened")
    )
    current = states.alias("current_inspection")
    # Work still owed on an earlier period makes the control overdue whatever the current one.
    owed = (
        select(states.c.control_id)
        .where(states.c.status.in_(PENDING_STATES), states.c.due_on < moment.today)
        .group_by(states.c.control_id)
        .subquery("owed")
    )
    status = current.c.status
    bucket = case(
        (owed.c.control_id.is_not(None), "overdue"),
        (status.is_(None), "not_due"),
        (and_(status == "approved", current.c.result == "pass"), "passed"),
        (status == "approved", "failed"),
        (status == "missed", "missed"),
        (status == "submitted", "in_review"),
        (current.c.due_on < moment.today, "overdue"),
        else_="not_due",
    ).label("bucket")
    rows: Iterable[Any] = session.execute(
        select(Control.category, bucket, func.count().label("n"))
        .select_from(Control)
        .outerjoin(latest, latest.c.control_id == Control.id)
        .outerjoin(
            current,
            and_(
                current.c.control_id == Control.id,
                current.c.period_start == latest.c.period_start,
            ),
        )
        .outerjoin(owed, owed.c.control_id == Control.id)
        .where(control_active(moment))
        .group_by(Control.category, bucket)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for category, state, n in rows:
        counts[category][state] = n
    per_category = tuple(
        Posture(category, controls=sum(counts[category].values()), **counts[category])
        for category in CATEGORIES.codes
    )
    totals: dict[str, int] = defaultdict(int)
    for states_of in counts.values():
        for state, n in states_of.items():
            totals[state] += n
    return per_category, Posture("", controls=sum(totals.values()), **totals)


def _outcome(states: CTE, *, scheduled: str = "open") -> Any:
    status = states.c.status
    return case(
        (and_(status == "approved", states.c.result == "pass"), "pass"),
        (status == "approved", "fail"),
        (status == "missed", "missed"),
        (status == "scheduled", scheduled),
        else_="open",
    )


def _trend(
    session: Session, moment: Moment, states: CTE, months: list[Window]
) -> tuple[tuple[MonthTrend, ...], OnTime]:
    """Inspections due per month by outcome, and timeliness of those due so far."""
    due = states.c.due_on
    month = case(
        *((and_(due >= start, due <= end), literal(n)) for n, (start, end) in enumerate(months))
    ).label("month")
    submitted = states.c.status.in_(("submitted", "approved"))
    in_time = submitted_on_time_sql(
        states.c.submitted_at, due, moment.timezone, moment.dialect, near=moment.today
    )
    timeliness = case(
        (due > moment.today, "not_due"),
        (and_(submitted, states.c.submitted_at.is_(None)), "unknown"),
        (and_(submitted, in_time), "on_time"),
        (submitted, "late"),
        (states.c.status == "missed", "missed"),
        else_="pending",
    ).label("timeliness")
    outcome = _outcome(states).label("outcome")
    rows: Iterable[Any] = session.execute(
        select(month, outcome, timeliness, func.count().label("n"))
        .where(due >= months[0][0], due <= months[-1][1])
        .group_by(month, outcome, timeliness)
    )
    per_month: list[dict[str, int]] = [defaultdict(int) for _ in months]
    kinds: dict[str, int] = defaultdict(int)
    for index, result, when, n in rows:
        per_month[index][result] += n
        kinds[when] += n
    names = {"pass": "passed", "fail": "failed", "missed": "missed", "open": "open"}
    trend = tuple(
        MonthTrend(start, end, **{names[k]: v for k, v in counts.items()})
        for (start, end), counts in zip(months, per_month, strict=True)
    )
    on_time = OnTime(months[0][0], moment.today, kinds["on_time"], kinds["late"], kinds["missed"])
    return trend, on_time


def _pending(session: Session, moment: Moment, states: CTE) -> tuple[Ages, int]:
    """Work still owed: overdue by days past due, and due in the next days."""
    due, today = states.c.due_on, moment.today
    bucket = case(
        (due < today - timedelta(days=30), "over_30"),
        (due < today - timedelta(days=7), "d8_30"),
        (due < today, "d0_7"),
        else_="upcoming",
    ).label("bucket")
    rows: dict[str, int] = dict(
        session.execute(
            select(bucket, func.count().label("n"))
            .where(
                states.c.status.in_(PENDING_STATES),
                due <= today + timedelta(days=UPCOMING_DAYS),
            )
            .group_by(bucket)
        ).all()
    )
    upcoming = rows.pop("upcoming", 0)
    return Ages(**rows), upcoming


def _heat_map(
    session: Session, states: CTE, months: list[Window], controls: list[Row[Any]]
) -> tuple[HeatRow, ...]:
    """Each active control's inspection covering each month (the latest period when several)."""
    s = states.c
    rows = session.execute(
        select(s.id, s.control_id, s.period_start, s.period_end, s.period_label, s.status)
        # Not opened yet: nothing is owed for those months so far.
        .add_columns(_outcome(states, scheduled="none").label("outcome"))
        .where(s.period_end >= months[0][0], s.period_start <= months[-1][1])
        .order_by(s.period_start)
    )
    cells: dict[int, dict[int, HeatCell]] = defaultdict(dict)
    for row in rows:
        for n, (start, end) in enumerate(months):
            if row.period_start <= end and row.period_end >= start:
                cells[row.control_id][n] = HeatCell(
                    start,
                    row.outcome,
                    row.status,
                    row.id,
                    row.period_label,
                    row.period_start,
                    row.period_end,
                )
    empty = [HeatCell(start, "none") for start, _ in months]
    return tuple(
        HeatRow(
            c.code,
            c.category,
            c.title_en,
            c.title_ja,
            tuple(cells[c.id].get(n, cell) for n, cell in enumerate(empty)),
        )
        for c in controls
    )


def _age(column: Any, moment: Moment) -> Any:
    """Age in local days since ``column``: 0–7, 8–30 or more than 30."""
    tz = moment.timezone
    return case(
        (column >= local_midnight_utc(moment.today - timedelta(days=7), tz), "d0_7"),
        (column >= local_midnight_utc(moment.today - timedelta(days=30), tz), "d8_30"),
        else_="over_30",
    ).label("age")


def _by_severity(rows: Any) -> dict[str, Ages]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for severity, age, n in rows:
        counts[severity][age] = counts[severity].get(age, 0) + n
    return {severity: Ages(**ages) for severity, ages in counts.items()}


def _findings(session: Session, moment: Moment) -> dict[str, Ages]:
    """Open findings by severity and age."""
    age = _age(Finding.created_at, moment)
    return _by_severity(
        session.execute(
            select(Finding.severity, age, func.count())
            .where(finding_open(moment))
            .group_by(Finding.severity, age)
        )
    )


def _actions(session: Session, moment: Moment) -> tuple[dict[str, Ages], int]:
    """Open corrective actions by their finding's severity and age; how many are overdue."""
    age = _age(CorrectiveAction.created_at, moment)
    late = case((CorrectiveAction.due_on < moment.today, 1), else_=0).label("late")
    rows: Iterable[Any] = list(
        session.execute(
            select(Finding.severity, age, late, func.count())
            .select_from(CorrectiveAction)
            .join(Finding, Finding.id == CorrectiveAction.finding_id)
            .where(action_open(moment))
            .group_by(Finding.severity, age, late)
        )
    )
    overdue = sum(n for _, _, is_late, n in rows if is_late)
    return _by_severity((severity, a, n) for severity, a, _, n in rows), overdue


def _evidence(session: Session, moment: Moment, days: int) -> tuple[int, int]:
    """Current evidence whose validity ends within ``days``, and whose validity has ended."""
    until, today = EvidenceItem.valid_until, moment.today
    row = session.execute(
        select(
            func.coalesce(func.sum(case((until >= today, 1), else_=0)), 0),
            func.coalesce(func.sum(case((until < today, 1), else_=0)), 0),
        ).where(evidence_current(moment), until <= today + timedelta(days=days))
    ).one()
    return int(row[0]), int(row[1])


def _anomalies(session: Session, moment: Moment) -> dict[str, int]:
    """Anomalies awaiting triage, by rule."""
    rows = session.execute(
        select(Anomaly.rule, func.count())
        .where(anomaly_new(moment))
        .group_by(Anomaly.rule)
        .order_by(Anomaly.rule)
    )
    return {rule: n for rule, n in rows}


def _incidents(session: Session, moment: Moment) -> tuple[IncidentDeadline, ...]:
    """Open incidents with their next PPC report deadline, overdue ones first."""
    i = Incident
    rows = session.execute(
        select(
            i.id,
            i.title,
            i.status,
            i.sensitive_data,
            i.financial_harm,
            i.unlawful_purpose,
            i.over_1000_people,
            i.preliminary_due_on,
            i.preliminary_reported_on,
            i.final_due_on,
            i.final_reported_on,
        ).where(incident_open(moment))
    )
    found = []
    for row in rows:
        conditions = (
            row.sensitive_data,
            row.financial_harm,
            row.unlawful_purpose,
            row.over_1000_people,
        )
        # One condition that holds is enough; otherwise it is open until all four are answered
        # (as on the incident page: the number of individuals alone answers only the fourth).
        if any(conditions):
            reportable: bool | None = True
        else:
            reportable = None if None in conditions else False
        deadline, due_on = None, None
        if row.preliminary_due_on and not reported_by(row.preliminary_reported_on, moment):
            deadline, due_on = "preliminary", row.preliminary_due_on
        elif row.final_due_on and not reported_by(row.final_reported_on, moment):
            deadline, due_on = "final", row.final_due_on
        overdue = due_on is not None and due_on < moment.today
        # Closed only after the moment: it was still under investigation then.
        status = "investigating" if row.status == "closed" else row.status
        found.append(
            IncidentDeadline(row.id, row.title, status, reportable, deadline, due_on, overdue)
        )
    found.sort(key=lambda d: (not d.overdue, d.due_on is None, d.due_on or date.max, d.id))
    return tuple(found)
