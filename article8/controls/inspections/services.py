"""The inspection workflow: assign, answer, submit, approve or return; findings on failures.

States: scheduled → open → in_progress → submitted → approved; submitted → returned →
in_progress; and missed. Overdue is derived from the due date, never stored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.models import ChecklistRevision
from article8.controls.findings.models import Finding
from article8.controls.inspections.errors import ChecklistIncomplete
from article8.controls.inspections.models import ANSWERS, ChecklistAnswer, Inspection
from article8.core import audit, roles
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.core.models import User


@dataclass(frozen=True)
class AnswerInput:
    """One answer as a person gave it."""

    answer: str
    comment: str = ""


def get_inspection(session: Session, inspection_id: int) -> Inspection:
    """The inspection with its control, checklist revision and answers."""
    inspection = session.scalar(
        select(Inspection)
        .where(Inspection.id == inspection_id)
        .options(
            selectinload(Inspection.answers),
            selectinload(Inspection.revision).selectinload(ChecklistRevision.items),
        )
    )
    if inspection is None:
        raise NotFound(N_("No such inspection."))
    return inspection


def _record(
    session: Session,
    actor: Actor,
    action: str,
    inspection: Inspection,
    now: datetime,
    **details: object,
) -> None:
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="inspection",
        object_id=inspection.id,
        details={"control_id": inspection.control_id, **details},
    )


def assign(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    assignee: User | None,
    *,
    now: datetime,
) -> None:
    """Give the inspection to ``assignee`` (responsible person or admin only)."""
    if not roles.has(actor.role, "inspection.assign"):
        raise PermissionDenied(N_("Only the responsible person can assign inspections."))
    if inspection.status not in roles.ASSIGNABLE_STATES:
        raise ValidationError(N_("This inspection can no longer be reassigned."))
    if assignee is not None and not roles.is_assignable(assignee):
        raise ValidationError(
            N_("The assignee must be an active inspector or responsible person."),
            field="assignee_id",
        )
    before = inspection.assignee_id
    new = assignee.id if assignee else None
    if before == new:
        return
    inspection.assignee_id = new
    inspection.updated_at = now
    _record(
        session,
        actor,
        "inspection.assign",
        inspection,
        now,
        before=before,
        after=new,
    )


def _check_performer(actor: Actor, inspection: Inspection) -> None:
    if not roles.has(actor.role, "inspection.perform"):
        raise PermissionDenied(N_("You may not perform inspections."))
    if not roles.may_work_on(actor, inspection):
        raise PermissionDenied(N_("This inspection is assigned to someone else."))


def start(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    *,
    now: datetime,
) -> None:
    """Begin (or resume after a return) work on an open inspection."""
    _check_performer(actor, inspection)
    if inspection.status == "in_progress":
        return
    if inspection.status not in ("open", "returned"):
        raise ValidationError(N_("This inspection cannot be worked on in its current state."))
    if inspection.revision_id is None:
        # Fixed at the start: later catalogue changes create new revisions, not edits to this one.
        current = inspection.control.current_revision
        if current is None:
            raise ValidationError(N_("The control has no checklist."))
        inspection.revision_id = current.id
        session.flush()
        session.refresh(inspection, ["revision"])
    if inspection.assignee_id is None:
        inspection.assignee_id = actor.id
    before, inspection.status = inspection.status, "in_progress"
    inspection.updated_at = now
    _record(
        session,
        actor,
        "inspection.start",
        inspection,
        now,
        before=before,
        revision=inspection.revision.number if inspection.revision else None,
    )


def save_answers(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    answers: Mapping[int, AnswerInput],
    *,
    now: datetime,
) -> None:
    """Save a draft of answers (item id → answer); starts the inspection when needed."""
    start(session, actor, inspection, now=now)
    assert inspection.revision is not None
    items = {item.id: item for item in inspection.revision.items}
    existing = {a.item_id: a for a in inspection.answers}
    changed = []
    for item_id, given in answers.items():
        if item_id not in items:
            raise ValidationError(N_("The answer refers to a question not on this checklist."))
        if given.answer not in ANSWERS:
            raise ValidationError(
                N_("Answer each question with pass, fail or not applicable."),
                field=f"item-{item_id}",
            )
        comment = given.comment.strip()
        answer = existing.get(item_id)
        if answer is None:
            inspection.answers.append(
                ChecklistAnswer(
                    item_id=item_id, answer=given.answer, comment=comment, answered_at=now
                )
            )
            changed.append(item_id)
        elif (answer.answer, answer.comment) != (given.answer, comment):
            answer.answer, answer.comment, answer.answered_at = given.answer, comment, now
            changed.append(item_id)
    if changed:
        inspection.updated_at = now
        session.flush()
        _record(
            session,
            actor,
            "inspection.answers_save",
            inspection,
            now,
            items=changed,
        )


def submit(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    *,
    now: datetime,
) -> None:
    """Hand the completed checklist over for review."""
    _check_performer(actor, inspection)
    if inspection.status != "in_progress" or inspection.revision is None:
        raise ValidationError(N_("Only an inspection in progress can be submitted."))
    answered = {a.item_id: a for a in inspection.answers}
    # Every question that is not ready, not just the first: the performer fixes them in one go.
    problems: dict[int, ValidationError] = {}
    unanswered = 0
    for item in inspection.revision.items:
        answer = answered.get(item.id)
        if answer is None:
            unanswered += 1
            problems[item.id] = ValidationError(
                N_("Question %(number)d is not answered yet."),
                field=f"item-{item.id}",
                number=item.position,
            )
        elif answer.answer == "fail" and not answer.comment:
            problems[item.id] = ValidationError(
                N_("Question %(number)d failed: say what is wrong in a comment."),
                field=f"item-{item.id}",
                number=item.position,
            )
    if problems:
        raise ChecklistIncomplete(
            problems, unanswered=unanswered, total=len(inspection.revision.items)
        )
    failed = [a for a in inspection.answers if a.answer == "fail"]
    inspection.result = "fail" if failed else "pass"
    inspection.status = "submitted"
    inspection.performed_by_id = actor.id
    inspection.submitted_at = now
    inspection.updated_at = now
    _record(
        session,
        actor,
        "inspection.submit",
        inspection,
        now,
        result=inspection.result,
        failed_items=len(failed),
    )


def _check_reviewer(actor: Actor, inspection: Inspection) -> None:
    if not roles.has(actor.role, "inspection.review"):
        raise PermissionDenied(N_("Only the responsible person can review inspections."))
    # Segregation of duties: whoever performed an inspection never reviews it.
    if inspection.performed_by_id == actor.id:
        raise PermissionDenied(N_("You performed this inspection, so you cannot review it."))
    if inspection.status != "submitted":
        raise ValidationError(N_("Only a submitted inspection can be reviewed."))


def approve(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    *,
    now: datetime,
    comment: str = "",
    severity: str = "medium",
) -> list[Finding]:
    """Approve: the inspection becomes immutable; each failed item opens a finding."""
    _check_reviewer(actor, inspection)
    assert inspection.revision is not None
    inspection.status = "approved"
    inspection.reviewed_by_id = actor.id
    inspection.reviewed_at = now
    inspection.review_comment = comment.strip() or None
    inspection.updated_at = now
    answers = {a.item_id: a for a in inspection.answers}
    inspection.snapshot = json.dumps(
        {
            "control": inspection.control.code,
            "period": [inspection.period_start.isoformat(), inspection.period_end.isoformat()],
            "revision": inspection.revision.number,
            "items": [
                {
                    "position": item.position,
                    "en": item.text_en,
                    "ja": item.text_ja,
                    "answer": answers[item.id].answer,
                    "comment": answers[item.id].comment,
                }
                for item in inspection.revision.items
            ],
            "performed_by": inspection.performed_by.email if inspection.performed_by else None,
            "submitted_at": inspection.submitted_at.isoformat()
            if inspection.submitted_at
            else None,
            "approved_by": actor.label,
            "approved_at": now.isoformat(),
            "result": inspection.result,
        },
        ensure_ascii=False,
    )
    findings = []
    for item in inspection.revision.items:
        answer = answers[item.id]
        if answer.answer == "fail":
            finding = Finding(
                control_id=inspection.control_id,
                inspection_id=inspection.id,
                item_id=item.id,
                source="inspection",
                severity=severity,
                title=f"{inspection.control.code} {inspection.period_label} Q{item.position}",
                description=answer.comment,
                status="open",
                created_at=now,
                updated_at=now,
            )
            session.add(finding)
            findings.append(finding)
    session.flush()
    _record(
        session,
        actor,
        "inspection.approve",
        inspection,
        now,
        result=inspection.result,
        findings=[f.id for f in findings],
    )
    for finding in findings:
        audit.record(
            session,
            actor,
            "finding.open",
            now=now,
            object_type="finding",
            object_id=finding.id,
            details={"inspection_id": inspection.id, "severity": finding.severity},
        )
    return findings


def return_for_rework(
    session: Session,
    actor: Actor,
    inspection: Inspection,
    comment: str,
    *,
    now: datetime,
) -> None:
    """Send a submitted inspection back to its performer with a comment."""
    _check_reviewer(actor, inspection)
    if not comment.strip():
        raise ValidationError(
            N_("Say what needs to change when returning an inspection."), field="comment"
        )
    inspection.status = "returned"
    inspection.reviewed_by_id = actor.id
    inspection.reviewed_at = now
    inspection.review_comment = comment.strip()
    inspection.updated_at = now
    _record(
        session,
        actor,
        "inspection.return",
        inspection,
        now,
        comment=comment.strip(),
    )
