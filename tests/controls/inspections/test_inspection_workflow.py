"""Performing and reviewing inspections; segregation of duties; findings and corrective actions."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.findings import services as finding_service
from article8.controls.findings.models import Finding
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import run_schedule
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR
from tests.support.schedule import LOADED, RULES

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def open_inspection(session, synced_catalogue):
    """The open November 2026 inspection of monthly control ORG-04."""
    run_schedule(session, RULES, now=LOADED)
    return session.scalar(
        select(Inspection)
        .join(Control)
        .where(Control.code == "ORG-04", Inspection.status == "open")
    )


def answer_all(session, user, inspection, clock, fail_first=False, comment="Export log missing"):
    workflow.start(session, Actor.for_user(user), inspection, now=clock())
    answers = {
        item.id: workflow.AnswerInput(
            "fail" if fail_first and n == 0 else "pass", comment if fail_first and n == 0 else ""
        )
        for n, item in enumerate(inspection.revision.items)
    }
    workflow.save_answers(session, Actor.for_user(user), inspection, answers, now=clock())


def test_an_inspector_performs_and_the_responsible_person_approves(
    session, open_inspection, make_user, clock
):
    inspector, responsible = make_user("inspector"), make_user("responsible")
    answer_all(session, inspector, open_inspection, clock, fail_first=True)
    workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    assert (open_inspection.status, open_inspection.result) == ("submitted", "fail")
    created = workflow.approve(
        session, Actor.for_user(responsible), open_inspection, now=clock(), severity="high"
    )
    assert open_inspection.status == "approved"
    assert [f.severity for f in created] == ["high"] and created[0].description == (
        "Export log missing"
    )
    snapshot = json.loads(open_inspection.snapshot)
    assert snapshot["revision"] == 1 and snapshot["items"][0]["answer"] == "fail"
    assert snapshot["performed_by"] == inspector.email
    assert snapshot["approved_by"] == responsible.email
    actions = list(
        session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "inspection",
                AuditEvent.object_id == str(open_inspection.id),
            )
        )
    )
    assert actions[-4:] == [
        "inspection.start",
        "inspection.answers_save",
        "inspection.submit",
        "inspection.approve",
    ]


def test_the_performer_can_never_approve_their_own_inspection(
    session, open_inspection, make_user, clock
):
    responsible = make_user("responsible")
    answer_all(session, responsible, open_inspection, clock)
    workflow.submit(session, Actor.for_user(responsible), open_inspection, now=clock())
    with pytest.raises(PermissionDenied, match="you cannot review it"):
        workflow.approve(session, Actor.for_user(responsible), open_inspection, now=clock())
    with pytest.raises(PermissionDenied, match="you cannot review it"):
        workflow.return_for_rework(
            session, Actor.for_user(responsible), open_inspection, "x", now=clock()
        )
    assert open_inspection.status == "submitted"


def test_inspectors_and_auditors_cannot_approve(session, open_inspection, make_user, clock):
    performer = make_user("inspector")
    answer_all(session, performer, open_inspection, clock)
    workflow.submit(session, Actor.for_user(performer), open_inspection, now=clock())
    for role in ("inspector", "auditor"):
        with pytest.raises(PermissionDenied):
            workflow.approve(session, Actor.for_user(make_user(role)), open_inspection, now=clock())


def test_a_failed_item_needs_a_comment_and_every_item_an_answer(
    session, open_inspection, make_user, clock
):
    inspector = make_user("inspector")
    workflow.start(session, Actor.for_user(inspector), open_inspection, now=clock())
    first = open_inspection.revision.items[0]
    workflow.save_answers(
        session,
        Actor.for_user(inspector),
        open_inspection,
        {first.id: workflow.AnswerInput("pass")},
        now=clock(),
    )
    items = open_inspection.revision.items
    # Every question that is not ready is named at once, not just the first.
    with pytest.raises(
        ValidationError, match=f"not answered yet: {len(items) - 1} of {len(items)}"
    ) as refused:
        workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    assert refused.value.field == f"item-{items[1].id}"
    assert {item: str(error) for item, error in refused.value.problems.items()} == {
        item.id: f"Question {item.position} is not answered yet." for item in items[1:]
    }
    answer_all(session, inspector, open_inspection, clock, fail_first=True, comment="  ")
    with pytest.raises(ValidationError, match="without a comment: 1") as refused:
        workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    assert [str(e) for e in refused.value.problems.values()] == [
        "Question 1 failed: say what is wrong in a comment."
    ]
    assert open_inspection.status == "in_progress"


def test_returned_inspections_go_back_to_work_and_can_be_resubmitted(
    session, open_inspection, make_user, clock
):
    inspector, responsible = make_user("inspector"), make_user("responsible")
    answer_all(session, inspector, open_inspection, clock)
    workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    with pytest.raises(ValidationError, match="Say what needs to change"):
        workflow.return_for_rework(
            session, Actor.for_user(responsible), open_inspection, " ", now=clock()
        )
    workflow.return_for_rework(
        session, Actor.for_user(responsible), open_inspection, "Attach the log", now=clock()
    )
    assert open_inspection.status == "returned"
    workflow.start(session, Actor.for_user(inspector), open_inspection, now=clock())
    assert open_inspection.status == "in_progress"
    workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    workflow.approve(session, Actor.for_user(responsible), open_inspection, now=clock())
    assert open_inspection.status == "approved"


def test_approved_inspections_are_immutable(session, open_inspection, make_user, clock):
    inspector, responsible = make_user("inspector"), make_user("responsible")
    answer_all(session, inspector, open_inspection, clock)
    workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    workflow.approve(session, Actor.for_user(responsible), open_inspection, now=clock())
    item = open_inspection.revision.items[0]
    with pytest.raises(ValidationError):
        workflow.save_answers(
            session,
            Actor.for_user(inspector),
            open_inspection,
            {item.id: workflow.AnswerInput("fail", "changed")},
            now=clock(),
        )
    with pytest.raises(ValidationError):
        workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    with pytest.raises(ValidationError):
        workflow.approve(session, Actor.for_user(make_user("admin")), open_inspection, now=clock())


def test_an_inspection_assigned_to_someone_else_cannot_be_performed(
    session, open_inspection, make_user, clock
):
    owner, other, responsible = (
        make_user("inspector"),
        make_user("inspector"),
        make_user("responsible"),
    )
    workflow.assign(session, Actor.for_user(responsible), open_inspection, owner, now=clock())
    with pytest.raises(PermissionDenied, match="assigned to someone else"):
        workflow.start(session, Actor.for_user(other), open_inspection, now=clock())
    with pytest.raises(PermissionDenied):
        workflow.assign(session, Actor.for_user(other), open_inspection, other, now=clock())


def test_the_checklist_revision_is_kept_when_the_catalogue_changes(
    session, open_inspection, make_user, clock
):
    from article8.controls.catalogue.files import Bilingual
    from article8.controls.catalogue.services import _add_revision

    inspector = make_user("inspector")
    workflow.start(session, Actor.for_user(inspector), open_inspection, now=clock())
    kept = open_inspection.revision_id
    _add_revision(
        session,
        open_inspection.control,
        [Bilingual("New?", "新しい質問か。")],
        SYSTEM_ACTOR,
        clock(),
    )
    session.flush()
    assert open_inspection.revision_id == kept
    assert open_inspection.control.current_revision.id != kept


def test_corrective_actions_are_verified_by_someone_other_than_their_owner(
    session, open_inspection, make_user, clock
):
    inspector, responsible, other = (
        make_user("inspector"),
        make_user("responsible"),
        make_user("responsible"),
    )
    answer_all(session, inspector, open_inspection, clock, fail_first=True)
    workflow.submit(session, Actor.for_user(inspector), open_inspection, now=clock())
    (finding,) = workflow.approve(
        session, Actor.for_user(responsible), open_inspection, now=clock()
    )
    action = finding_service.add_action(
        session,
        Actor.for_user(responsible),
        finding,
        description="Keep export logs for 1 year",
        owner=responsible,
        due_on=date(2026, 12, 31),
        now=clock(),
        tz=TOKYO,
    )
    assert finding.status == "in_progress"
    with pytest.raises(ValidationError, match="Say how"):
        finding_service.progress_action(
            session, Actor.for_user(responsible), action, "resolved", now=clock()
        )
    finding_service.progress_action(
        session,
        Actor.for_user(responsible),
        action,
        "resolved",
        resolution="Retention set to 400 days",
        now=clock(),
    )
    assert finding.status == "resolved"
    with pytest.raises(PermissionDenied, match="You own this action"):
        finding_service.verify_action(session, Actor.for_user(responsible), action, now=clock())
    with pytest.raises(PermissionDenied):
        finding_service.verify_action(session, Actor.for_user(inspector), action, now=clock())
    finding_service.verify_action(session, Actor.for_user(other), action, now=clock())
    assert (action.status, finding.status) == ("verified", "verified")
    assert session.scalar(select(Finding.status).where(Finding.id == finding.id)) == "verified"
