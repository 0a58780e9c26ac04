"""Corrective actions: planning one mails its owner (through the outbox), a due date in the past
is refused, and an action no longer needed is cancelled with a reason that the audit trail keeps."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.controls.findings import services as finding_service
from article8.controls.findings.models import Finding
from article8.controls.findings.titles import finding_title
from article8.controls.inspections import services as workflow
from article8.controls.inspections.schedule import run_schedule
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError
from article8.core.i18n import translator
from article8.core.models import AuditEvent, Notification
from tests.support.inspections import TODAY, performed
from tests.support.schedule import RULES

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def finding(session, clock, synced_catalogue, make_user) -> Finding:
    """A finding opened by approving an inspection whose first question failed."""
    run_schedule(session, RULES, now=clock())
    inspector, reviewer = make_user("inspector"), make_user("responsible")
    inspection = performed(session, clock, inspector, fail=1)
    (opened,) = workflow.approve(session, Actor.for_user(reviewer), inspection, now=clock())
    session.commit()
    return opened


def plan(session, clock, manager, finding, owner, due=TODAY, description="Turn on export logs"):
    return finding_service.add_action(
        session,
        Actor.for_user(manager),
        finding,
        description=description,
        owner=owner,
        due_on=due,
        now=clock(),
        tz=TOKYO,
        base_url="https://a8.example.jp",
    )


def mails(session) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.kind == "action.assigned")))


def test_planning_an_action_mails_its_owner_in_their_language(session, clock, finding, make_user):
    manager = make_user("responsible", display_name="Sato")
    owner = make_user("inspector", locale="ja")

    action = plan(session, clock, manager, finding, owner, due=TODAY + timedelta(days=14))

    (mail,) = mails(session)
    assert (mail.recipient_id, mail.status) == (owner.id, "pending")  # sent after the commit
    assert (mail.object_type, mail.object_id) == ("corrective_action", str(action.id))
    title = finding_title(finding, translator("ja"))
    assert title in mail.subject and title != finding.title  # the title in the owner's language
    assert (
        "Turn on export logs" in mail.body and (TODAY + timedelta(days=14)).isoformat() in mail.body
    )
    assert f"https://a8.example.jp/findings/{finding.id}" in mail.body and "Sato" in mail.body


def test_whoever_plans_an_action_for_themselves_gets_no_mail(session, clock, finding, make_user):
    manager = make_user("responsible")
    plan(session, clock, manager, finding, manager)
    assert mails(session) == []


def test_a_due_date_in_the_past_is_refused_and_today_is_accepted(
    session, clock, finding, make_user
):
    manager, owner = make_user("responsible"), make_user("inspector")
    with pytest.raises(ValidationError, match="in the past") as refused:
        plan(session, clock, manager, finding, owner, due=TODAY - timedelta(days=1))
    assert refused.value.field == "due_on"
    assert finding.actions == [] and mails(session) == []
    assert plan(session, clock, manager, finding, owner, due=TODAY).due_on == TODAY


def test_a_cancelled_action_keeps_its_reason_in_the_audit_trail_and_reopens_the_finding(
    session, clock, finding, make_user
):
    manager, owner = make_user("responsible"), make_user("inspector")
    action = plan(session, clock, manager, finding, owner)
    assert finding.status == "in_progress"

    with pytest.raises(ValidationError, match="Say why") as refused:
        finding_service.cancel_action(session, Actor.for_user(manager), action, "  ", now=clock())
    assert refused.value.field == "reason"
    with pytest.raises(PermissionDenied):
        finding_service.cancel_action(session, Actor.for_user(owner), action, "No", now=clock())

    reason = "The server was decommissioned"
    finding_service.cancel_action(session, Actor.for_user(manager), action, reason, now=clock())

    assert (action.status, action.cancel_reason) == ("cancelled", reason)
    assert (action.cancelled_by_id, action.cancelled_at) == (manager.id, clock())
    assert finding.status == "open"  # nothing is being done about it any more
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "action.cancel"))
    assert event is not None and event.object_id == str(action.id)
    assert reason in event.details and manager.email in event.actor_label
    with pytest.raises(ValidationError):
        finding_service.progress_action(
            session, Actor.for_user(owner), action, "in_progress", now=clock()
        )
    with pytest.raises(ValidationError, match="Only an open or started action"):
        finding_service.cancel_action(
            session, Actor.for_user(manager), action, "Again", now=clock()
        )


def test_a_finding_with_a_cancelled_and_a_verified_action_is_verified(
    session, clock, finding, make_user
):
    manager, other, owner = make_user("responsible"), make_user("admin"), make_user("inspector")
    dropped = plan(session, clock, manager, finding, owner, description="Buy a tool")
    kept = plan(session, clock, manager, finding, owner, description="Configure the server")
    finding_service.cancel_action(
        session, Actor.for_user(manager), dropped, "Not needed", now=clock()
    )
    finding_service.progress_action(
        session, Actor.for_user(owner), kept, "resolved", resolution="Done", now=clock()
    )
    finding_service.verify_action(session, Actor.for_user(other), kept, now=clock())
    assert finding.status == "verified"
