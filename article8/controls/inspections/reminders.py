"""Reminders, escalations and the weekly digest, queued as notifications in each person's language.

Each kind has a window rather than a single day, so a run missed through downtime still sends
what is due; the notification key keeps every message to once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.findings.titles import finding_title
from article8.controls.inspections.models import PENDING_STATES, Inspection
from article8.controls.inspections.schedule import ScheduleRules
from article8.core import outbox as notify
from article8.core.calendar import local_date
from article8.core.errors import N_
from article8.core.i18n import translator
from article8.core.models import User
from article8.core.period_labels import period_label

ESCALATE_AFTER_DAYS = 7

SUBJECTS = {
    "inspection.due_7d": N_("[article8] Inspection %(control)s %(period)s is due on %(due)s"),
    "inspection.due_1d": N_("[article8] Inspection %(control)s %(period)s is due tomorrow"),
    "inspection.overdue": N_("[article8] Inspection %(control)s %(period)s is overdue"),
    "inspection.escalation": N_(
        "[article8] Escalation: inspection %(control)s %(period)s is %(days)d days overdue"
    ),
    "action.overdue": N_("[article8] Corrective action %(id)d is overdue"),
    "digest.weekly": N_("[article8] Weekly summary for %(week)s"),
}
INSPECTION_BODY = N_(
    "Control: %(control)s %(title)s\nPeriod: %(period)s\nDue: %(due)s\nAssignee: %(assignee)s\n"
    "\nOpen the inspection: %(link)s\n"
)
ACTION_BODY = N_(
    "Finding: %(finding)s\nAction: %(description)s\nDue: %(due)s\n\nOpen the finding: %(link)s\n"
)
DIGEST_BODY = N_(
    "Inspections open: %(open)d\nDue within 7 days: %(due_soon)d\nOverdue: %(overdue)d\n"
    "Awaiting your review: %(submitted)d\nMissed: %(missed)d\nOpen findings: %(findings)d\n"
    "Overdue corrective actions: %(actions)d\n\nDashboard: %(link)s\n"
)


def _inspection_kind(due: Any, today: Any) -> str | None:
    if today > due:
        return "inspection.overdue"
    if due - timedelta(days=1) <= today:
        return "inspection.due_1d"
    if due - timedelta(days=7) <= today:
        return "inspection.due_7d"
    return None


def _period_name(inspection: Inspection, fy_start_month: int) -> Callable[[str], str]:
    """The inspection's period, named in each recipient's language."""
    start, end = inspection.period_start, inspection.period_end
    return lambda locale: period_label(start, end, translator(locale), fy_start_month)


def _finding_name(finding: Finding, fy_start_month: int) -> Callable[[str], str]:
    """The finding's title in each recipient's language."""
    return lambda locale: finding_title(finding, translator(locale), fy_start_month)


def queue_reminders(session: Session, rules: ScheduleRules, *, base_url: str, now: datetime) -> int:
    """Queue every reminder, escalation and digest due at ``now``; return how many were new."""
    today = local_date(now, rules.timezone)
    queued = 0
    managers = list(
        session.scalars(select(User).where(User.active.is_(True), User.role == "responsible"))
    )

    def send(
        kind: str, user: User, obj: tuple[str, object], params: dict[str, Any], body: str, key: str
    ) -> None:
        nonlocal queued
        _ = translator(user.locale)
        title = {k: v(user.locale) if callable(v) else v for k, v in params.items()}
        queued += notify.queue(
            session,
            key=key,
            kind=kind,
            recipient=user,
            subject=_(SUBJECTS[kind], **title),
            body=_(body, **title),
            now=now,
            object_type=obj[0],
            object_id=obj[1],
        )

    pending = session.scalars(
        select(Inspection)
        .options(joinedload(Inspection.control), joinedload(Inspection.assignee))
        .where(
            Inspection.status.in_(PENDING_STATES),
            Inspection.opens_on <= today,
            Inspection.due_on <= today + timedelta(days=7),
        )
    )
    for inspection in pending:
        control = inspection.control
        params: dict[str, Any] = {
            "control": control.code,
            "title": control.title,  # a method: called with each recipient's locale
            "period": _period_name(inspection, rules.fy_start_month),
            "due": inspection.due_on.isoformat(),
            "days": (today - inspection.due_on).days,
            "assignee": inspection.assignee.display_name if inspection.assignee else "-",
            "link": f"{base_url}/inspections/{inspection.id}",
        }
        kind = _inspection_kind(inspection.due_on, today)
        assignee = inspection.assignee
        if kind and assignee is not None and assignee.active:
            send(
                kind,
                assignee,
                ("inspection", inspection.id),
                params,
                INSPECTION_BODY,
                f"{kind}:{inspection.id}:{assignee.id}",
            )
        if today > inspection.due_on + timedelta(days=ESCALATE_AFTER_DAYS):
            for manager in managers:
                send(
                    "inspection.escalation",
                    manager,
                    ("inspection", inspection.id),
                    params,
                    INSPECTION_BODY,
                    f"inspection.escalation:{inspection.id}:{manager.id}",
                )

    overdue_actions = session.scalars(
        select(CorrectiveAction)
        .options(joinedload(CorrectiveAction.owner), joinedload(CorrectiveAction.finding))
        .where(
            CorrectiveAction.status.in_(("open", "in_progress")), CorrectiveAction.due_on < today
        )
    )
    for action in overdue_actions:
        if action.owner.active:
            send(
                "action.overdue",
                action.owner,
                ("corrective_action", action.id),
                {
                    "id": action.id,
                    "finding": _finding_name(action.finding, rules.fy_start_month),
                    "description": action.description,
                    "due": action.due_on.isoformat(),
                    "link": f"{base_url}/findings/{action.finding_id}",
                },
                ACTION_BODY,
                f"action.overdue:{action.id}:{action.owner_id}",
            )

    if managers:
        year, week, _day = today.isocalendar()
        counts = _digest_counts(session, today)
        for manager in managers:
            send(
                "digest.weekly",
                manager,
                ("digest", f"{year}-W{week:02d}"),
                {**counts, "week": f"{year}-W{week:02d}", "link": f"{base_url}/"},
                DIGEST_BODY,
                f"digest.weekly:{year}-W{week:02d}:{manager.id}",
            )
    return queued


def _digest_counts(session: Session, today: Any) -> dict[str, int]:
    def count(*where: Any, model: Any = Inspection) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    pending = Inspection.status.in_(PENDING_STATES)
    return {
        "open": count(Inspection.status.in_(("open", "in_progress", "returned"))),
        "due_soon": count(
            pending, Inspection.due_on >= today, Inspection.due_on <= today + timedelta(days=7)
        ),
        "overdue": count(pending, Inspection.due_on < today),
        "submitted": count(Inspection.status == "submitted"),
        "missed": count(Inspection.status == "missed"),
        "findings": count(Finding.status.in_(("open", "in_progress")), model=Finding),
        "actions": count(
            CorrectiveAction.status.in_(("open", "in_progress")),
            CorrectiveAction.due_on < today,
            model=CorrectiveAction,
        ),
    }
