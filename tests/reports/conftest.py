"""What the workbook tests share: a small inspected programme with hostile text everywhere."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import run_schedule
from article8.core.audit import Actor
from article8.evidence import services as evidence
from article8.evidence.blobstore import LocalBlobStore
from tests.conftest import SYSTEM_ACTOR
from tests.support.schedule import LOADED, RULES

INJECTIONS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]


@pytest.fixture
def programme(session, make_user, clock, tmp_path):
    """An inspected, approved control with a failed item, and hostile text everywhere."""
    inspector, responsible = make_user("inspector"), make_user("responsible")
    sync_catalogue(session, load_catalogue(), SYSTEM_ACTOR, now=LOADED)
    run_schedule(session, RULES, now=LOADED)
    inspection = session.scalar(
        select(Inspection)
        .join(Control)
        .where(Control.code == "ORG-04", Inspection.status == "open")
    )
    workflow.start(session, Actor.for_user(inspector), inspection, now=clock())
    items = inspection.revision.items
    answers = {item.id: workflow.AnswerInput("pass") for item in items}
    answers[items[0].id] = workflow.AnswerInput("fail", INJECTIONS[0])
    answers[items[1].id] = workflow.AnswerInput("na", INJECTIONS[1])
    workflow.save_answers(session, Actor.for_user(inspector), inspection, answers, now=clock())
    workflow.submit(session, Actor.for_user(inspector), inspection, now=clock())
    workflow.approve(session, Actor.for_user(responsible), inspection, now=clock(), severity="high")
    store = LocalBlobStore(tmp_path / "evidence")
    for n, title in enumerate(INJECTIONS):
        evidence.add_evidence(
            session,
            store,
            SYSTEM_ACTOR,
            io.BytesIO(b"%PDF-1.7\n" + bytes([n])),
            evidence.EvidenceInput(
                filename=f"{title}.pdf",
                title=title,
                collected_on=date(2026, 11, 20),
                control_codes=["ORG-04"],
            ),
            max_bytes=10**6,
            now=clock(),
        )
    session.flush()
    return inspection
