"""The finding pages: severity, corrective actions planned, resolved by the owner, verified."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from article8.controls.findings import services as finding_service
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.inspections import services as workflow
from article8.core.audit import Actor
from tests.support.inspections import TODAY, page, performed, post

TOKYO = ZoneInfo("Asia/Tokyo")


def test_an_action_is_planned_resolved_by_its_owner_and_verified_by_another_manager(
    session, clock, schedule, signed_in
):
    inspector_client, inspector = signed_in("inspector")
    manager_client, manager = signed_in("responsible")
    other_client, _ = signed_in("admin")
    workflow.approve(
        session, Actor.for_user(manager), performed(session, clock, inspector, fail=1), now=clock()
    )
    session.commit()
    finding = session.scalar(select(Finding))
    html = page(manager_client, f"/findings/{finding.id}")
    assert 'data-testid="failed-question"' in html and "Export log missing" in html

    due = (TODAY + timedelta(days=14)).isoformat()
    plan = {"description": "Turn on export logging", "owner_id": str(inspector.id), "due_on": due}
    assert post(manager_client, f"/findings/{finding.id}/actions", plan).status_code == 302
    action = session.scalar(select(CorrectiveAction))
    path = f"/findings/actions/{action.id}"

    no_text = post(inspector_client, f"{path}/progress", {"status": "resolved"})
    assert no_text.status_code == 400
    assert "Say how the action was resolved." in no_text.get_data(as_text=True)
    done = {"status": "resolved", "resolution": "Logging enabled on the file server"}
    assert post(inspector_client, f"{path}/progress", done).status_code == 302
    assert post(inspector_client, f"{path}/verify").status_code == 403  # not a manager

    assert post(other_client, f"{path}/verify").status_code == 302
    session.expire_all()
    assert session.get(CorrectiveAction, action.id).status == "verified"
    assert session.get(Finding, finding.id).status == "verified"


def test_a_manager_never_verifies_their_own_action(session, clock, schedule, signed_in):
    inspector = signed_in("inspector")[1]
    client, manager = signed_in("responsible")
    workflow.approve(
        session, Actor.for_user(manager), performed(session, clock, inspector, fail=1), now=clock()
    )
    finding = session.scalar(select(Finding))
    action = finding_service.add_action(
        session,
        Actor.for_user(manager),
        finding,
        description="Fix",
        owner=manager,
        due_on=TODAY,
        now=clock(),
        tz=TOKYO,
    )
    finding_service.progress_action(
        session, Actor.for_user(manager), action, "resolved", resolution="Fixed", now=clock()
    )
    session.commit()
    assert 'data-testid="verify-note"' in page(client, f"/findings/{finding.id}")
    assert post(client, f"/findings/actions/{action.id}/verify").status_code == 403


def test_overdue_actions_and_severity_changes_show_on_the_findings_pages(
    session, clock, schedule, signed_in
):
    inspector = signed_in("inspector")[1]
    _, manager = signed_in("responsible")
    workflow.approve(
        session, Actor.for_user(manager), performed(session, clock, inspector, fail=1), now=clock()
    )
    finding = session.scalar(select(Finding))
    finding_service.add_action(
        session,
        Actor.for_user(manager),
        finding,
        description="Late",
        owner=inspector,
        due_on=TODAY,
        now=clock(),
        tz=TOKYO,
    )
    session.commit()
    clock.advance(days=3)
    client, _ = signed_in("responsible")
    assert "3 days overdue" in page(client, f"/findings/{finding.id}")
    listing = page(client, "/findings/")
    overdue = listing.split('data-testid="overdue-actions"', 1)[1]
    assert "Late" in overdue and "3 days overdue" in overdue
    assert f'<tr data-finding="{finding.id}" data-code="ORG-04" class="table-warning">' in listing

    assert post(client, f"/findings/{finding.id}/severity", {"severity": "high"}).status_code == 302
    assert 'data-finding="' in page(client, "/findings/?severity=high")
    assert 'data-finding="' not in page(client, "/findings/?severity=low")
    assert 'data-finding="' in page(client, "/findings/?status=in_progress")


def test_the_findings_list_takes_as_many_statements_for_many_findings_as_for_one(
    session, clock, schedule, signed_in, connection
):
    """Titles are rebuilt from each finding's inspection and question, loaded in bulk."""
    manager_client, manager = signed_in("responsible")
    _, inspector = signed_in("inspector")
    inspection = performed(session, clock, inspector, fail=1)
    workflow.approve(session, Actor.for_user(manager), inspection, now=clock())
    session.commit()

    def statements_for_list() -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement, *_args):
            seen.append(statement)

        page(manager_client, "/findings/")  # warm
        event.listen(connection, "before_cursor_execute", count)
        try:
            assert "ORG-04" in page(manager_client, "/findings/")
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(seen)

    one = statements_for_list()
    first = session.scalar(select(Finding))
    for item in inspection.revision.items[1:]:
        session.add(
            Finding(
                control_id=first.control_id,
                inspection_id=inspection.id,
                item_id=item.id,
                source="inspection",
                severity="low",
                title=f"stored {item.id}",
                created_at=clock(),
                updated_at=clock(),
            )
        )
    session.commit()
    assert len(inspection.revision.items) > 2
    assert statements_for_list() == one
