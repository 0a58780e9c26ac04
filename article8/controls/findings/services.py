"""Findings and their corrective actions: open → in_progress → resolved → verified, or cancelled.

The verifier is a responsible person (or admin) who is not the action's owner.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.findings.models import SEVERITIES, CorrectiveAction, Finding
from article8.controls.findings.titles import finding_title
from article8.core import audit, roles
from article8.core import outbox as notify
from article8.core.audit import Actor
from article8.core.calendar import local_date
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.core.i18n import translator
from article8.core.models import User

MAX_REASON = 2000


def get_finding(session: Session, finding_id: int) -> Finding:
    """The finding with its actions."""
    finding = session.scalar(
        select(Finding).where(Finding.id == finding_id).options(selectinload(Finding.actions))
    )
    if finding is None:
        raise NotFound(N_("No such finding."))
    return finding


def get_action(session: Session, action_id: int) -> CorrectiveAction:
    """The corrective action with ``action_id``."""
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFound(N_("No such corrective action."))
    return action


def set_severity(
    session: Session,
    actor: Actor,
    finding: Finding,
    severity: str,
    *,
    now: datetime,
) -> None:
    """Grade a finding low, medium or high."""
    if not roles.has(actor.role, "finding.manage"):
        raise PermissionDenied(N_("Only the responsible person can grade findings."))
    if severity not in SEVERITIES:
        raise ValidationError(N_("Unknown severity %(value)s."), field="severity", value=severity)
    if finding.severity != severity:
        before, finding.severity, finding.updated_at = finding.severity, severity, now
        audit.record(
            session,
            actor,
            "finding.severity",
            now=now,
            object_type="finding",
            object_id=finding.id,
            details={"before": before, "after": severity},
        )


ASSIGNED_SUBJECT = N_("[article8] Corrective action assigned to you: %(finding)s")
ASSIGNED_BODY = N_(
    "%(by)s has assigned a corrective action to you.\n\nFinding: %(finding)s\n"
    "Action: %(description)s\nDue: %(due)s\n\nOpen the finding: %(link)s\n"
)


def add_action(
    session: Session,
    actor: Actor,
    finding: Finding,
    *,
    description: str,
    owner: User,
    due_on: date,
    now: datetime,
    tz: ZoneInfo,
    base_url: str = "",
    fy_start_month: int = 4,
) -> CorrectiveAction:
    """Plan a corrective action with an owner and a due date (today or later, in ``tz``), and
    mail the owner (through the outbox: delivered once the caller commits)."""
    if not roles.has(actor.role, "finding.manage"):
        raise PermissionDenied(N_("Only the responsible person can plan corrective actions."))
    if finding.status == "verified":
        raise ValidationError(N_("This finding is already closed."))
    if not description.strip():
        raise ValidationError(N_("Describe the corrective action."), field="description")
    today = local_date(now, tz)
    if due_on < today:
        raise ValidationError(
            N_("The due date %(due)s is in the past; choose today or a later day."),
            field="due_on",
            due=due_on.isoformat(),
        )
    if not owner.active:
        raise ValidationError(N_("The owner must be an active user."), field="owner_id")
    if not roles.is_assignable(owner):
        # Auditors stay read-only and independent: they own no corrective action.
        raise ValidationError(
            N_("The owner must be an inspector, a responsible person or an administrator."),
            field="owner_id",
        )
    action = CorrectiveAction(
        finding=finding,
        description=description.strip(),
        owner_id=owner.id,
        due_on=due_on,
        status="open",
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    _set_finding_status(finding, "in_progress", now)
    session.flush()
    audit.record(
        session,
        actor,
        "action.create",
        now=now,
        object_type="corrective_action",
        object_id=action.id,
        details={"finding_id": finding.id, "owner_id": owner.id, "due_on": due_on.isoformat()},
    )
    if owner.id != actor.id:  # whoever plans an action for themselves knows already
        _ = translator(owner.locale)
        by = session.get(User, actor.id) if actor.id is not None else None
        params = {
            "by": by.display_name if by else actor.label,
            "finding": finding_title(finding, _, fy_start_month),
            "description": action.description,
            "due": due_on.isoformat(),
            "link": f"{base_url}/findings/{finding.id}",
        }
        notify.queue(
            session,
            key=f"action.assigned:{action.id}:{owner.id}",
            kind="action.assigned",
            recipient=owner,
            subject=_(ASSIGNED_SUBJECT, **params),
            body=_(ASSIGNED_BODY, **params),
            now=now,
            object_type="corrective_action",
            object_id=action.id,
        )
    return action


def cancel_action(
    session: Session,
    actor: Actor,
    action: CorrectiveAction,
    reason: str,
    *,
    now: datetime,
) -> None:
    """The responsible person cancels an action that is no longer needed, saying why."""
    if not roles.has(actor.role, "finding.manage"):
        raise PermissionDenied(N_("Only the responsible person can cancel corrective actions."))
    if action.status not in ("open", "in_progress"):
        raise ValidationError(N_("Only an open or started action can be cancelled."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(N_("Say why the action is cancelled."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            N_("The reason has at most %(count)d characters."), field="reason", count=MAX_REASON
        )
    before = action.status
    action.status, action.cancel_reason = "cancelled", reason
    action.cancelled_by_id, action.cancelled_at, action.updated_at = actor.id, now, now
    _sync_finding(action.finding, now)
    audit.record(
        session,
        actor,
        "action.cancel",
        now=now,
        object_type="corrective_action",
        object_id=action.id,
        details={"finding_id": action.finding_id, "before": before, "reason": reason},
    )


def _set_finding_status(finding: Finding, status: str, now: datetime) -> None:
    if finding.status != status:
        finding.status, finding.updated_at = status, now


def _sync_finding(finding: Finding, now: datetime) -> None:
    # Cancelled actions do nothing for the finding: with only those, it is open again.
    states = {a.status for a in finding.actions} - {"cancelled"}
    if states and states == {"verified"}:
        _set_finding_status(finding, "verified", now)
    elif states and states <= {"resolved", "verified"}:
        _set_finding_status(finding, "resolved", now)
    elif states:
        _set_finding_status(finding, "in_progress", now)
    elif finding.actions:
        _set_finding_status(finding, "open", now)


def progress_action(
    session: Session,
    actor: Actor,
    action: CorrectiveAction,
    status: str,
    *,
    now: datetime,
    resolution: str = "",
) -> None:
    """The owner starts or resolves an action (resolution text required to resolve)."""
    if not roles.may_progress(actor, action):
        raise PermissionDenied(N_("Only the action's owner can update it."))
    allowed = {
        "open": ("in_progress", "resolved"),
        "in_progress": ("resolved",),
        "resolved": ("in_progress",),
    }
    if status not in allowed.get(action.status, ()):
        raise ValidationError(N_("This change of state is not allowed."))
    if status == "resolved":
        if not resolution.strip():
            raise ValidationError(N_("Say how the action was resolved."), field="resolution")
        action.resolution, action.resolved_at = resolution.strip(), now
    before, action.status, action.updated_at = action.status, status, now
    _sync_finding(action.finding, now)
    audit.record(
        session,
        actor,
        "action.progress",
        now=now,
        object_type="corrective_action",
        object_id=action.id,
        details={"before": before, "after": status},
    )


def verify_action(
    session: Session,
    actor: Actor,
    action: CorrectiveAction,
    *,
    now: datetime,
) -> None:
    """The responsible person confirms a resolved action works; never the action's owner."""
    if not roles.has(actor.role, "finding.manage"):
        raise PermissionDenied(N_("Only the responsible person can verify corrective actions."))
    if actor.id == action.owner_id:
        raise PermissionDenied(N_("You own this action, so you cannot verify it."))
    if action.status != "resolved":
        raise ValidationError(N_("Only a resolved action can be verified."))
    action.status, action.verified_by_id, action.verified_at = "verified", actor.id, now
    action.updated_at = now
    _sync_finding(action.finding, now)
    audit.record(
        session,
        actor,
        "action.verify",
        now=now,
        object_type="corrective_action",
        object_id=action.id,
        details={"finding_id": action.finding_id},
    )
