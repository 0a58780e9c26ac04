"""The dashboard "as of" a past day: the same figures as they stood then, after later changes."""

from __future__ import annotations

import functools
import io
from datetime import date

import pytest
from sqlalchemy import select

from article8.access.models import Anomaly
from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.incidents.models import Incident
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import generate_inspections
from article8.core import audit
from article8.core.audit import Actor
from article8.core.models import User
from article8.evidence import services as evidence
from article8.evidence.blobstore import LocalBlobStore
from article8.reports.history import inspection_states
from article8.reports.period import Moment
from tests.conftest import SYSTEM_ACTOR
from tests.reports.factories import add_control, add_inspection, at, view
from tests.support.schedule import RULES


@pytest.fixture
def history(session, make_user, tmp_path):
    """One monthly control worked through November, with evidence, an anomaly, an incident."""
    inspector, responsible = make_user("inspector"), make_user("responsible")
    sync_catalogue(session, load_catalogue(), SYSTEM_ACTOR, now=at("2026-10-01T09:00"))
    for control in session.scalars(select(Control).where(Control.code != "ORG-04")):
        control.active = False
    generate_inspections(session, RULES, now=at("2026-11-16T09:00"))
    november = session.scalar(select(Inspection).where(Inspection.period_label == "2026-11"))
    workflow.start(session, Actor.for_user(inspector), november, now=at("2026-11-20T10:00"))
    answers = {item.id: workflow.AnswerInput("pass") for item in november.revision.items}
    workflow.save_answers(
        session, Actor.for_user(inspector), november, answers, now=at("2026-11-20T10:00")
    )
    workflow.submit(session, Actor.for_user(inspector), november, now=at("2026-11-22T10:00"))
    workflow.approve(session, Actor.for_user(responsible), november, now=at("2026-11-23T10:00"))

    store = LocalBlobStore(tmp_path / "evidence")
    actor = Actor(inspector.id, inspector.email, role=inspector.role)  # replaces their own

    def upload(valid_until, n, now, replaces=None):
        return evidence.add_evidence(
            session,
            store,
            actor,
            io.BytesIO(b"%PDF-1.7\n" + bytes([n])),
            evidence.EvidenceInput(
                filename=f"h{n}.pdf",
                title=f"H{n}",
                collected_on=date(2026, 11, 1),
                valid_until=valid_until,
                control_codes=["ORG-04"],
                replaces_id=replaces,
            ),
            max_bytes=10**6,
            now=now,
        )

    first = upload(date(2026, 12, 1), 1, at("2026-11-10T10:00"))
    upload(date(2027, 12, 1), 2, at("2026-11-20T10:00"), replaces=first.id)
    session.add(
        Anomaly(
            rule="off_hours",
            severity="medium",
            person_key="p:E1",
            local_date=date(2026, 11, 9),
            area="",
            event_count=1,
            first_seen=at("2026-11-09T23:00"),
            last_seen=at("2026-11-09T23:00"),
            status="dismissed",
            run_token="t",
            triaged_at=at("2026-11-23T10:00"),
            created_at=at("2026-11-10T10:00"),
            updated_at=at("2026-11-23T10:00"),
        )
    )
    session.add(
        Incident(
            title="lost laptop",
            description="",
            status="closed",
            reported_at=at("2026-11-01T10:00"),
            aware_at=at("2026-11-01T10:00"),
            closed_at=at("2026-11-23T10:00"),
            created_at=at("2026-11-01T10:00"),
            updated_at=at("2026-11-23T10:00"),
        )
    )
    session.flush()


def test_an_inspection_approved_yesterday_was_open_as_of_last_week(session, settings, history):
    now = view(session, settings)
    week_ago = view(session, settings, at("2026-11-17T23:59:59"), date(2026, 11, 17))
    assert (now.overall.controls, now.overall.passed, now.overall.not_due) == (1, 1, 0)
    assert (week_ago.overall.passed, week_ago.overall.not_due) == (0, 1)
    (row_now,), (row_then,) = now.heat_map, week_ago.heat_map
    assert row_now.cells[-1].state == "pass" and row_now.cells[-1].status == "approved"
    assert row_then.cells[-1].state == "open" and row_then.cells[-1].status == "open"
    # October was created missed on 16 November, so it was missed then as now.
    assert row_then.cells[-2].state == "missed"


def test_as_of_replays_each_state_of_the_inspection(session, settings, history):
    def posture_on(day: str):
        board = view(session, settings, at(f"{day}T23:59:59"), date.fromisoformat(day))
        return board.overall, board.heat_map[0].cells[-1].status

    before, _ = posture_on("2026-11-15")  # not yet created
    assert (before.controls, before.not_due) == (1, 1)
    assert posture_on("2026-11-20")[1] == "in_progress"
    reviewed, status = posture_on("2026-11-22")
    assert (reviewed.in_review, status) == (1, "submitted")


def test_as_of_reconstructs_evidence_anomalies_and_incidents(session, settings, history):
    now = view(session, settings)
    then = view(session, settings, at("2026-11-17T23:59:59"), date(2026, 11, 17))
    # The first version expired soon and was current then; its replacement runs to 2027.
    assert (now.evidence_expiring, then.evidence_expiring) == (0, 1)
    assert (now.anomalies, then.anomalies) == ({}, {"off_hours": 1})
    assert (len(now.incidents), len(then.incidents)) == (0, 1)
    assert then.incidents[0].status == "investigating"
    # Before any upload the control had no evidence at all.
    early = view(session, settings, at("2026-11-05T23:59:59"), date(2026, 11, 5))
    assert [(gap.code, gap.reason) for gap in early.evidence_gaps] == [("ORG-04", "missing")]


def test_only_the_events_own_status_and_result_count_not_the_same_words_deeper_in(
    session, settings
):
    """A create event whose details mention "missed" only inside a nested value is not a
    missed inspection; an approval mentioning "fail" only there is a pass."""
    control = add_control(session, "J1", "organisational")
    created = add_inspection(session, control, "2026-10", "2026-10-31", "open")
    approved = add_inspection(session, control, "2026-09", "2026-09-30", "approved", result="pass")
    record = functools.partial(audit.record, session, SYSTEM_ACTOR, object_type="inspection")
    record(
        "inspection.create",
        now=at("2026-10-01T09:00"),
        object_id=created.id,
        details={"status": "scheduled_or_open", "earlier": {"status": "missed"}},
    )
    record(
        "inspection.approve",
        now=at("2026-10-02T09:00"),
        object_id=approved.id,
        details={"result": "pass", "earlier": {"result": "fail"}},
    )
    session.flush()
    moment = Moment(date(2026, 10, 20), at("2026-10-20T12:00"), settings.timezone, dialect(session))
    states = inspection_states(moment)
    rows = {
        row.id: (row.status, row.result)
        for row in session.execute(select(states.c.id, states.c.status, states.c.result))
    }
    assert rows[created.id] == ("open", None)
    assert rows[approved.id] == ("approved", "pass")
    # And the exact test still finds the real thing.
    record(
        "inspection.create",
        now=at("2026-10-03T09:00"),
        object_id=created.id,
        details={"status": "missed"},
    )
    record(
        "inspection.approve",
        now=at("2026-10-03T09:00"),
        object_id=approved.id,
        details={"result": "fail"},
    )
    session.flush()
    rows = {
        row.id: (row.status, row.result)
        for row in session.execute(select(states.c.id, states.c.status, states.c.result))
    }
    assert rows[created.id] == ("missed", None)
    assert rows[approved.id] == ("approved", "fail")


def dialect(session) -> str:
    return session.get_bind().dialect.name


def test_a_cancelled_action_was_open_until_it_was_cancelled(session, settings, history):
    control = session.scalar(select(Control).where(Control.code == "ORG-04"))
    finding = Finding(
        control_id=control.id,
        severity="medium",
        title="ORG-04 2026-11 Q1",
        status="open",
        created_at=at("2026-11-10T10:00"),
        updated_at=at("2026-11-20T10:00"),
    )
    session.add(finding)
    session.flush()
    session.add(
        CorrectiveAction(
            finding_id=finding.id,
            description="Buy a log server",
            owner_id=history_owner(session),
            due_on=date(2026, 12, 1),
            status="cancelled",
            cancel_reason="Not needed",
            cancelled_at=at("2026-11-20T10:00"),
            created_at=at("2026-11-10T10:00"),
            updated_at=at("2026-11-20T10:00"),
        )
    )
    session.flush()

    def open_on(day: str) -> int:
        return view(session, settings, at(f"{day}T23:59:59"), date.fromisoformat(day)).open_actions

    assert (open_on("2026-11-09"), open_on("2026-11-15"), open_on("2026-11-21")) == (0, 1, 0)
    assert view(session, settings).open_actions == 0


def history_owner(session) -> int:
    """Someone to own an action (the fixture's inspector)."""
    return session.scalar(select(User.id).where(User.role == "inspector"))
