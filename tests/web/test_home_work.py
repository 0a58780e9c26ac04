"""The home page starts with the signed-in person's work: an inspector sees the inspections that
need them, the corrective actions they own and their evidence that expires; a responsible person
also sees the review queue, the anomalies to triage and the incidents with PPC deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from article8.access.models import Anomaly
from article8.controls.findings import services as finding_service
from article8.controls.incidents import services as incident_service
from article8.controls.inspections import services as workflow
from article8.core.audit import Actor
from article8.evidence.blobstore import local_store
from tests.conftest import csrf_token
from tests.support.evidence import add_item, as_actor
from tests.support.inspections import TODAY, monthly_codes, november, page, performed

TOKYO = ZoneInfo("Asia/Tokyo")


def card(html: str, testid: str) -> str:
    """One card of "My work" (empty when the page does not show it)."""
    if f'data-testid="{testid}"' not in html:
        return ""
    return html.split(f'data-testid="{testid}"', 1)[1].split('<div class="col-', 1)[0]


def group(html: str, key: str) -> str:
    """One group of the "My inspections" card (overdue, returned, due_soon, open)."""
    mine = card(html, "my-inspections")
    if f'data-testid="my-{key}"' not in mine:
        return ""
    return mine.split(f'data-testid="my-{key}"', 1)[1].split('data-testid="my-', 1)[0]


def test_an_inspector_sees_their_inspections_actions_and_expiring_evidence(
    session, clock, schedule, signed_in, assign, settings
):
    client, inspector = signed_in("inspector")
    _, manager = signed_in("responsible")
    _, admin = signed_in("admin")
    soon, back, failing = monthly_codes(session)[:3]
    assign(november(session, soon), inspector)
    november(session, soon).due_on = TODAY + timedelta(days=3)
    session.commit()
    returned = performed(session, clock, inspector, back)
    workflow.return_for_rework(session, Actor.for_user(manager), returned, "Attach", now=clock())
    failed = performed(session, clock, manager, failing, fail=1)
    (finding,) = workflow.approve(session, Actor.for_user(admin), failed, now=clock())
    finding_service.add_action(
        session,
        Actor.for_user(manager),
        finding,
        description="Rotate the shared password",
        owner=inspector,
        due_on=TODAY + timedelta(days=5),
        now=clock(),
        tz=TOKYO,
    )
    session.commit()
    store = local_store(settings)
    who = as_actor(inspector)
    expiring = add_item(session, store, clock, who, valid_until=TODAY + timedelta(days=10))
    lasting = add_item(session, store, clock, who, valid_until=TODAY + timedelta(days=300))

    html = page(client, "/")

    assert f'data-inspection="{november(session, soon).id}"' in group(html, "due_soon")
    assert f'data-inspection="{returned.id}"' in group(html, "returned")
    assert group(html, "overdue") == ""
    assert "Rotate the shared password" in card(html, "my-actions")
    evidence = card(html, "my-evidence")
    assert f'data-evidence="{expiring.id}"' in evidence
    assert f'data-evidence="{lasting.id}"' not in evidence
    assert card(html, "my-review-queue") == "" and card(html, "my-anomalies") == ""


def test_a_responsible_person_sees_the_review_queue_anomalies_and_incident_deadlines(
    session, clock, schedule, signed_in
):
    client, _ = signed_in("responsible")
    _, inspector = signed_in("inspector")
    submitted = performed(session, clock, inspector)
    seen = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    anomaly = Anomaly(
        rule="off_hours",
        severity="medium",
        person_key="p:E001",
        local_date=TODAY - timedelta(days=1),
        area="",
        event_count=1,
        first_seen=seen,
        last_seen=seen,
        status="new",
        run_token="t",
        created_at=seen,
        updated_at=seen,
    )
    session.add(anomaly)
    incident = incident_service.report_violation(
        session,
        Actor.for_user(inspector),
        "USB stick lost",
        "A USB stick with the customer list was lost.",
        clock() - timedelta(hours=2),
        now=clock(),
        tz=TOKYO,
    )
    session.commit()

    html = page(client, "/")

    assert f'data-inspection="{submitted.id}"' in card(html, "my-review-queue")
    assert f'data-anomaly="{anomaly.id}"' in card(html, "my-anomalies")
    incidents = card(html, "my-incidents")
    assert f'data-incident="{incident.id}"' in incidents and "Not assessed" in incidents


def test_someone_with_nothing_to_do_is_told_so_and_the_auditor_sees_no_work(
    session, clock, schedule, signed_in
):
    inspector_client, _ = signed_in("inspector")
    auditor_client, _ = signed_in("auditor")
    assert 'data-testid="my-work-empty"' in page(inspector_client, "/")
    assert 'data-testid="my-work"' not in page(auditor_client, "/")


def test_the_review_queue_names_each_period_in_the_readers_language(
    session, clock, schedule, signed_in
):
    client, _ = signed_in("responsible")
    _, inspector = signed_in("inspector")
    submitted = performed(session, clock, inspector)
    session.commit()

    queue = card(page(client, "/"), "my-review-queue")
    assert f"{submitted.control.code} 2026-11" in queue
    switched = client.post(
        "/language", data={"lang": "ja", "next": "/", "csrf_token": csrf_token(client, "/")}
    )
    assert switched.status_code == 302
    queue = card(page(client, "/"), "my-review-queue")
    assert f"{submitted.control.code} 2026年11月" in queue


def test_requests_and_inquiries_assigned_to_someone_are_on_their_home_page(
    session, clock, signed_in
):
    # The clock of a request runs from receipt whoever holds it: the person it is given to sees
    # it at once, soonest due first; a request given to someone else, or closed, is not theirs.
    from article8.privacy.inquiries import services as inquiries
    from article8.privacy.requests import services as requests
    from article8.privacy.requests.services import Deadlines, RequestInput

    client, inspector = signed_in("inspector")
    manager_client, manager = signed_in("responsible")
    _, other = signed_in("admin")
    boss = Actor.for_user(manager)
    rules = Deadlines(tz=TOKYO)

    def received(days_ago: int) -> RequestInput:
        return RequestInput(
            kind="disclosure",
            channel="mail",
            received_at=clock() - timedelta(days=days_ago),
            requester_name="山田 花子",
        )

    late = requests.receive(session, boss, received(20), now=clock(), deadlines=rules)
    fresh = requests.receive(session, boss, received(1), now=clock(), deadlines=rules)
    elsewhere = requests.receive(session, boss, received(2), now=clock(), deadlines=rules)
    for found, owner in ((late, inspector), (fresh, inspector), (elsewhere, other)):
        requests.assign(session, boss, found, owner, now=clock())
    complaint = inquiries.receive(
        session,
        boss,
        kind="complaint",
        channel="phone",
        received_at=clock() - timedelta(days=1),
        subject="Received someone else's invoice",
        now=clock(),
        deadlines=rules,
    )
    inquiries.assign(session, boss, complaint, manager, now=clock())
    session.commit()

    mine = card(page(client, "/"), "my-requests")
    assert f'data-request="{late.id}"' in mine and f'data-request="{fresh.id}"' in mine
    assert f'data-request="{elsewhere.id}"' not in mine and "data-inquiry" not in mine
    assert mine.index(f'data-request="{late.id}"') < mine.index(f'data-request="{fresh.id}"')
    assert 'data-clock="overdue"' in mine.split(f'data-request="{fresh.id}"')[0]

    theirs = card(page(manager_client, "/"), "my-requests")
    assert f'data-inquiry="{complaint.id}"' in theirs and "data-request=" not in theirs
