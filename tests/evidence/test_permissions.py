"""Object-level rules of the evidence vault: which inspection new evidence may be linked to,
who may replace or withdraw evidence, and notes on decided inspections."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import run_schedule
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError
from article8.core.models import AuditEvent
from article8.evidence import notes, services
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.models import EvidenceItem
from tests.support.schedule import LOADED, RULES

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "evidence")


@pytest.fixture
def inspection(session, synced_catalogue) -> Inspection:
    """The open November 2026 inspection of monthly control ORG-04."""
    run_schedule(session, RULES, now=LOADED)
    return session.scalar(
        select(Inspection)
        .join(Control)
        .where(Control.code == "ORG-04", Inspection.status == "open")
    )


def actor(user) -> Actor:
    return Actor(user.id, user.email, None, user.role)


def upload(session, store, clock, who: Actor, content=PDF, name="check.pdf", **fields):
    data = services.EvidenceInput(
        filename=name,
        title="Check",
        collected_on=date(2026, 11, 20),
        control_codes=fields.pop("controls", ["ORG-04"]),
        **fields,
    )
    return services.add_evidence(
        session, store, who, io.BytesIO(content), data, max_bytes=MB, now=clock()
    )


def stored(session) -> list[EvidenceItem]:
    session.expire_all()
    return list(session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)))


def test_only_the_assignee_links_evidence_to_an_inspection_assigned_to_them(
    session, store, clock, inspection, make_user
):
    assignee, other, manager = make_user("inspector"), make_user("inspector"), make_user("admin")
    workflow.assign(
        session, Actor.for_user(make_user("responsible")), inspection, assignee, now=clock()
    )
    with pytest.raises(PermissionDenied, match="assignee or performer"):
        upload(session, store, clock, actor(other), inspection_id=inspection.id)
    item = upload(session, store, clock, actor(assignee), inspection_id=inspection.id)
    assert item.inspection_id == inspection.id
    managed = upload(
        session, store, clock, actor(manager), PDF + b"%2", inspection_id=inspection.id
    )
    linked = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "inspection.evidence_linked")
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.object_id, e.actor_id) for e in linked] == [
        (str(inspection.id), assignee.id),
        (str(inspection.id), manager.id),
    ]
    assert '"as":"assignee"' in linked[0].details and '"as":"manager"' in linked[1].details
    assert f'"evidence_id":{managed.id}' in linked[1].details


def test_a_submitted_inspection_takes_evidence_only_from_managers(
    session, store, clock, inspection, make_user
):
    performer, responsible = make_user("inspector"), make_user("responsible")
    workflow.start(session, Actor.for_user(performer), inspection, now=clock())
    workflow.save_answers(
        session,
        Actor.for_user(performer),
        inspection,
        {i.id: workflow.AnswerInput("pass") for i in inspection.revision.items},
        now=clock(),
    )
    workflow.submit(session, Actor.for_user(performer), inspection, now=clock())
    with pytest.raises(ValidationError, match="while it is open, in progress or returned"):
        upload(session, store, clock, actor(performer), inspection_id=inspection.id)
    upload(session, store, clock, actor(responsible), inspection_id=inspection.id)
    workflow.approve(session, Actor.for_user(responsible), inspection, now=clock())
    for who in (performer, responsible, make_user("admin")):
        with pytest.raises(ValidationError, match="approved or missed and takes no new evidence"):
            upload(session, store, clock, actor(who), PDF + b"%x", inspection_id=inspection.id)
    assert len(stored(session)) == 1


def test_only_the_uploader_or_a_manager_replaces_or_withdraws_evidence(
    session, store, clock, inspection, make_user
):
    uploader, other = make_user("inspector"), make_user("inspector")
    item = upload(session, store, clock, actor(uploader))
    for who in (actor(other), Actor(None, "cli"), Actor(None, "anonymous")):
        with pytest.raises(PermissionDenied, match="Only the person who uploaded"):
            upload(session, store, clock, who, PDF + b"%v2", replaces_id=item.id)
        with pytest.raises(PermissionDenied, match="Only the person who uploaded"):
            services.withdraw(session, who, item, "Not theirs", now=clock())
    assert item.status == "current" and len(stored(session)) == 1
    newer = upload(session, store, clock, actor(uploader), PDF + b"%v2", replaces_id=item.id)
    assert (item.status, newer.version) == ("superseded", 2)
    services.withdraw(session, actor(make_user("responsible")), newer, "Wrong month", now=clock())
    assert newer.status == "withdrawn"


def test_a_responsible_person_adds_a_note_with_a_reason_to_a_missed_inspection(
    session, store, clock, inspection, make_user
):
    # Nobody performed November's inspection: 30 days after its due date it is missed.
    run_schedule(session, RULES, now=LOADED + timedelta(days=90))
    session.refresh(inspection)
    assert inspection.status == "missed"
    responsible = make_user("responsible")
    with pytest.raises(ValidationError, match="takes no new evidence"):
        upload(session, store, clock, actor(responsible), inspection_id=inspection.id)

    def note(who, text="The log was checked on paper.", reason="Found in the archive"):
        return notes.add_note(
            session,
            store,
            actor(who),
            inspection.id,
            text,
            reason,
            collected_on=date(2027, 1, 20),
            now=clock(),
        )

    with pytest.raises(PermissionDenied, match="responsible person or an administrator"):
        note(make_user("inspector"))
    with pytest.raises(ValidationError, match="Give a reason") as refused:
        note(responsible, reason="  ")
    assert refused.value.field == "reason"
    item = note(responsible)
    assert (item.media_type, item.original_name, item.description) == (
        "text/plain; charset=utf-8",
        "note.txt",
        "Found in the archive",
    )
    assert item.inspection_id == inspection.id and [c.code for c in item.controls] == ["ORG-04"]
    assert store.path(item.sha256).read_bytes() == b"The log was checked on paper.\n"
    (linked,) = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "inspection.evidence_linked")
    ).all()
    assert '"as":"note"' in linked.details and '"reason":"Found in the archive"' in linked.details
    assert '"inspection_status":"missed"' in linked.details


def test_a_note_is_only_for_a_decided_inspection(session, store, clock, inspection, make_user):
    with pytest.raises(ValidationError, match="still takes evidence"):
        notes.add_note(
            session,
            store,
            actor(make_user("admin")),
            inspection.id,
            "Note",
            "Reason",
            collected_on=date(2026, 11, 20),
            now=clock(),
        )
    assert stored(session) == []
