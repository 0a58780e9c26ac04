"""Findings and their corrective actions: open → in_progress → resolved → verified.

The verifier is a responsible person (or admin) who is not the action's owner.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.findings.models import SEVERITIES, CorrectiveAction, Finding
from article8.core import audit, roles
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.core.models import User


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


def add_action(
    session: Session,
    actor: Actor,
    finding: Finding,
    *,
    description: str,
    owner: User,
    due_on: date,
    now: datetime,
) -> CorrectiveAction:
    """Plan a corrective action with an owner and a due date."""
    if not roles.has(actor.role, "finding.manage"):
        raise PermissionDenied(N_("Only the responsible person can plan corrective actions."))
    if finding.status == "verified":
        raise ValidationError(N_("This finding is already closed."))
    if not description.strip():
        raise ValidationError(N_("Describe the corrective action."), field="description")
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
    return action


def _set_finding_status(finding: Finding, status: str, now: datetime) -> None:
    if finding.status != status:
        finding.status, finding.updated_at = status, now


def _sync_finding(finding: Finding, now: datetime) -> None:
    states = {a.status for a in finding.actions}
    if states and states == {"verified"}:
        _set_finding_status(finding, "verified", now)
    elif states and states <= {"resolved", "verified"}:
        _set_finding_status(finding, "resolved", now)
    elif states:
        _set_finding_status(finding, "in_progress", now)


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
