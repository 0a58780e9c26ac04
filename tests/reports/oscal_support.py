"""What the OSCAL tests share: November's inspected programme and the two validations (NIST's
JSON schema and compliance-trestle's models) every exported document must pass."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from trestle.core.validator_factory import validator_factory as trestle_validators
from trestle.oscal import assessment_plan as oscal_ap
from trestle.oscal import assessment_results as oscal_ar
from trestle.oscal import catalog as oscal_catalog

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.findings import services as finding_services
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import run_schedule
from article8.core.audit import Actor
from article8.evidence import services as evidence
from article8.evidence.blobstore import LocalBlobStore
from article8.reports.oscal import assessment_results
from article8.reports.period import Period
from tests.conftest import SYSTEM_ACTOR
from tests.reports.oscal_schemas import schema_errors
from tests.support.schedule import LOADED, RULES

TOKYO = ZoneInfo("Asia/Tokyo")
EXPORTED = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
FISCAL_YEAR = Period(date(2026, 4, 1), date(2027, 3, 31))
VISITOR_LOG = b"%PDF-1.7\nvisitor log"
TRESTLE_MODELS: dict[str, Any] = {
    "catalog": oscal_catalog.Model,
    "assessment-plan": oscal_ap.Model,
    "assessment-results": oscal_ar.Model,
}


def valid(document: dict[str, Any]) -> Any:
    """The document's trestle model, once NIST's schema, trestle's models and trestle's
    validators (duplicate UUIDs, roles of responsible parties, links, …) all accept it."""
    assert schema_errors(document) == []
    [model] = document
    found = getattr(TRESTLE_MODELS[model].parse_obj(document), model.replace("-", "_"))
    for check in trestle_validators.get_all():
        assert check.model_is_valid(found, True), check.error_msg()
    return found


def open_inspection(session, code: str) -> Inspection:
    return session.scalar(
        select(Inspection).join(Control).where(Control.code == code, Inspection.status == "open")
    )


def perform(session, inspector, inspection, clock, *, fail_first: bool) -> None:
    items = inspection.control.current_revision.items
    answers = {item.id: workflow.AnswerInput("pass") for item in items}
    if fail_first:
        answers[items[0].id] = workflow.AnswerInput("fail", "No appointment letter on file")
    workflow.save_answers(session, Actor.for_user(inspector), inspection, answers, now=clock())
    workflow.submit(session, Actor.for_user(inspector), inspection, now=clock())


@pytest.fixture
def programme(session, make_user, clock, tmp_path):
    """November's monthly inspections: ORG-04 failed, PHY-02 passed, TEC-05 awaiting review,
    TEC-06 missed; everything else still open or scheduled."""
    inspector = make_user("inspector", display_name="Ito Inspector")
    responsible = make_user("responsible", display_name="Sato Responsible")
    sync_catalogue(session, load_catalogue(), SYSTEM_ACTOR, now=LOADED)
    run_schedule(session, RULES, now=LOADED)
    failed, passed, submitted, missed = (
        open_inspection(session, code) for code in ("ORG-04", "PHY-02", "TEC-05", "TEC-06")
    )
    perform(session, inspector, failed, clock, fail_first=True)
    [finding] = workflow.approve(
        session, Actor.for_user(responsible), failed, now=clock(), severity="high"
    )
    finding_services.add_action(
        session,
        Actor.for_user(responsible),
        finding,
        description="Collect the appointment letter",
        owner=responsible,
        due_on=date(2026, 12, 15),
        now=clock(),
        tz=TOKYO,
    )
    perform(session, inspector, passed, clock, fail_first=False)
    # Evidence comes before the decision: an approved inspection takes no new evidence.
    log = evidence.add_evidence(
        session,
        LocalBlobStore(tmp_path / "evidence"),
        SYSTEM_ACTOR,
        io.BytesIO(VISITOR_LOG),
        evidence.EvidenceInput(
            filename="visitor-log.pdf",
            title="Visitor log, November",
            collected_on=date(2026, 11, 20),
            control_codes=["PHY-02"],
            inspection_id=passed.id,
        ),
        max_bytes=10**6,
        now=clock(),
    )
    workflow.approve(session, Actor.for_user(responsible), passed, now=clock())
    perform(session, inspector, submitted, clock, fail_first=False)
    # The scheduler marks an inspection missed 30 days after its due date; set it directly.
    missed.status = "missed"
    session.flush()
    return {
        "failed": failed,
        "passed": passed,
        "submitted": submitted,
        "missed": missed,
        "evidence": log,
    }


def results_of(session, lang: str = "en", now: datetime = EXPORTED, **options: str) -> dict:
    return assessment_results(session, FISCAL_YEAR, tz=TOKYO, lang=lang, now=now, **options)
