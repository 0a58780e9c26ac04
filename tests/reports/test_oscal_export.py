"""The OSCAL documents exported together: the assessment plan, the evidence hashes, the
organisation as a party, the references between the files, and NIST's schema in both languages."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from pydantic.v1 import ValidationError
from sqlalchemy import select
from trestle.oscal import assessment_plan as oscal_ap
from trestle.oscal import assessment_results as oscal_ar
from trestle.oscal import catalog as oscal_catalog

from article8.controls.catalogue.models import Control
from article8.core.models import AuditEvent
from article8.evidence.models import EvidenceItem
from article8.reports.oscal import (
    CATALOG_FILE,
    PLAN_FILE,
    RESULTS_FILE,
    assessment_plan,
    catalog,
    documents,
    write_documents,
)
from article8.reports.period import Period
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR
from tests.reports import oscal_support
from tests.reports.oscal_schemas import schema_errors
from tests.reports.oscal_support import EXPORTED, FISCAL_YEAR, TOKYO, VISITOR_LOG, valid

programme = oscal_support.programme  # November's programme, shared with test_oscal
COMPANY = "株式会社サンプル商事"
BASE_URL = "https://article8.example.co.jp"


def bundle(session, lang: str = "en") -> dict[str, dict]:
    return documents(
        session,
        FISCAL_YEAR,
        tz=TOKYO,
        lang=lang,
        now=EXPORTED,
        organisation=COMPANY,
        base_url=BASE_URL,
    )


def resource(document: dict, href: str) -> dict:
    """The back-matter resource a ``#uuid`` reference names."""
    assert href.startswith("#"), href
    [found] = [r for r in document["back-matter"]["resources"] if r["uuid"] == href[1:]]
    return found


def catalog_ids(document: dict) -> set[str]:
    return {c["id"] for g in document["catalog"]["groups"] for c in g["controls"]}


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_document_passes_nists_schema_and_trestle(session, programme, lang):
    exported = bundle(session, lang)
    assert list(exported) == [CATALOG_FILE, PLAN_FILE, RESULTS_FILE]
    for name, document in exported.items():
        assert schema_errors(document) == [], name
        valid(document)
        assert next(iter(document.values()))["metadata"]["oscal-version"] == "1.1.3"


def test_the_schema_reads_unicode_token_patterns_rather_than_skipping_them(session, programme):
    # NIST's token pattern is ^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$: a Japanese name is a token, a
    # name with a space is not. Python's re cannot even compile the pattern.
    document = catalog(session, now=EXPORTED)
    document["catalog"]["groups"][0]["props"][0]["name"] = "表題"
    assert schema_errors(document) == []
    document["catalog"]["groups"][0]["props"][0]["name"] = "表 題"
    [error] = schema_errors(document)
    assert error.startswith("catalog/groups/0/props/0/name: '表 題' does not match")


PLAN_BREAKAGES = {
    "no import-ssp": lambda p: p.pop("import-ssp"),
    "no reviewed controls": lambda p: p.pop("reviewed-controls"),
    "a frequency unit OSCAL does not know": lambda p: p["tasks"][0]["tasks"][0]["timing"][
        "at-frequency"
    ].update(unit="fortnights"),
    "a party type OSCAL does not know": lambda p: p["metadata"]["parties"][0].update(
        type="company"
    ),
}


@pytest.mark.parametrize("breakage", PLAN_BREAKAGES, ids=list(PLAN_BREAKAGES))
def test_both_validations_reject_a_broken_plan(session, programme, breakage):
    document = bundle(session)[PLAN_FILE]
    PLAN_BREAKAGES[breakage](document["assessment-plan"])
    assert schema_errors(document)
    with pytest.raises(ValidationError):
        oscal_ap.Model.parse_obj(document)


def test_both_validations_reject_a_hash_without_its_algorithm(session, programme):
    document = bundle(session)[RESULTS_FILE]
    evidence = document["assessment-results"]["back-matter"]["resources"][-1]
    del evidence["rlinks"][0]["hashes"][0]["algorithm"]
    assert schema_errors(document)
    with pytest.raises(ValidationError):
        oscal_ar.Model.parse_obj(document)


TRESTLE_ONLY = {
    "a resource twice": lambda p: p["back-matter"]["resources"].append(
        p["back-matter"]["resources"][0]
    ),
    "a responsible party in a role not defined": lambda p: p["metadata"]["responsible-parties"][
        0
    ].update({"role-id": "publisher"}),
}


@pytest.mark.parametrize("breakage", TRESTLE_ONLY, ids=list(TRESTLE_ONLY))
def test_trestles_validators_catch_what_no_schema_can(session, programme, breakage):
    document = bundle(session)[PLAN_FILE]
    TRESTLE_ONLY[breakage](document["assessment-plan"])
    assert schema_errors(document) == []
    with pytest.raises(AssertionError, match="Validator to"):  # trestle's message, not ours
        valid(document)


# --- evidence, parties, references ---------------------------------------------------------


def test_each_examined_evidence_file_carries_its_sha256_in_its_rlink(session, programme):
    results = bundle(session)[RESULTS_FILE]["assessment-results"]
    observation = next(
        o for o in results["results"][0]["observations"] if o["title"].startswith("PHY-02")
    )
    [examined] = observation["relevant-evidence"]
    item = session.get(EvidenceItem, programme["evidence"].id)
    found = resource(results, examined["href"])
    assert found["title"] == "Visitor log, November"
    [rlink] = found["rlinks"]
    assert rlink["hashes"] == [{"algorithm": "SHA-256", "value": item.sha256}]
    assert item.sha256 == hashlib.sha256(VISITOR_LOG).hexdigest()
    assert rlink["href"] == f"{BASE_URL}/evidence/{item.id}/download"
    assert rlink["media-type"] == item.media_type
    hashed = [
        r
        for r in results["back-matter"]["resources"]
        for link in r.get("rlinks", [])
        if "hashes" in link
    ]
    assert hashed == [found]  # only examined evidence; the other resources are documents


def test_the_organisation_is_one_party_in_every_document(session, programme):
    exported = bundle(session, "ja")
    uuids = set()
    for document in exported.values():
        about = next(iter(document.values()))["metadata"]
        [organisation] = [p for p in about["parties"] if p["type"] == "organization"]
        assert organisation["name"] == COMPANY
        assert about["responsible-parties"] == [
            {"role-id": "prepared-by", "party-uuids": [organisation["uuid"]]}
        ]
        assert {"id": "prepared-by", "title": "作成者"} in about["roles"]
        uuids.add(organisation["uuid"])
    [organisation] = uuids
    people = [
        p
        for p in exported[RESULTS_FILE]["assessment-results"]["metadata"]["parties"]
        if p["type"] == "person"
    ]
    assert {p["name"] for p in people} == {"Ito Inspector", "Sato Responsible"}
    assert all(p["member-of-organizations"] == [organisation] for p in people)
    plan = exported[PLAN_FILE]["assessment-plan"]
    [subject] = plan["assessment-subjects"]
    assert subject["include-subjects"] == [{"subject-uuid": organisation, "type": "party"}]


def test_the_organisation_setting_is_the_party_name_by_default(session, programme):
    about = catalog(session, now=EXPORTED)["catalog"]["metadata"]
    assert about["parties"][0]["name"] == "Example K.K."


def test_import_ap_resolves_to_the_plan_file_written_beside_the_results(
    session, programme, tmp_path
):
    out = tmp_path / "oscal"
    written = write_documents(
        session, out, SYSTEM_ACTOR, period=FISCAL_YEAR, tz=TOKYO, lang="ja", now=EXPORTED
    )
    assert sorted(p.name for p in out.iterdir()) == sorted(written)
    results = json.loads((out / RESULTS_FILE).read_text(encoding="utf-8"))
    root = results["assessment-results"]
    plan_resource = resource(root, root["import-ap"]["href"])
    [rlink] = plan_resource["rlinks"]
    assert rlink == {"href": PLAN_FILE, "media-type": "application/oscal.ap+json"}
    plan_file = out / rlink["href"]
    plan = oscal_ap.AssessmentPlan.oscal_read(plan_file)
    assert plan.metadata.title == "評価計画：article8 の点検スケジュール"
    assert written[PLAN_FILE] == hashlib.sha256(plan_file.read_bytes()).hexdigest()
    for name in written:
        assert schema_errors(json.loads((out / name).read_text(encoding="utf-8"))) == []


def test_the_results_and_the_plan_link_to_the_catalog_their_control_ids_come_from(
    session, programme, tmp_path
):
    write_documents(
        session, tmp_path, SYSTEM_ACTOR, period=FISCAL_YEAR, tz=TOKYO, lang="en", now=EXPORTED
    )
    controls = catalog_ids(json.loads((tmp_path / CATALOG_FILE).read_text(encoding="utf-8")))
    for name, model in ((RESULTS_FILE, "assessment-results"), (PLAN_FILE, "assessment-plan")):
        root = json.loads((tmp_path / name).read_text(encoding="utf-8"))[model]
        reviewed = (
            root["results"][0]["reviewed-controls"]
            if "results" in root
            else root["reviewed-controls"]
        )
        for link in (*root["metadata"]["links"], *reviewed["links"]):
            assert link["rel"] == "reference"
            [rlink] = resource(root, link["href"])["rlinks"]
            assert rlink == {"href": CATALOG_FILE, "media-type": "application/oscal.catalog+json"}
            assert (tmp_path / rlink["href"]).is_file()
        selected = {
            c["control-id"] for s in reviewed["control-selections"] for c in s["include-controls"]
        }
        assert selected <= controls
    # The plan reviews the whole catalogue; the results the controls due in the period.
    plan = json.loads((tmp_path / PLAN_FILE).read_text(encoding="utf-8"))["assessment-plan"]
    assert [
        c["control-id"]
        for c in plan["reviewed-controls"]["control-selections"][0]["include-controls"]
    ] == sorted(controls)


# --- the plan ------------------------------------------------------------------------------


def test_the_plan_inspects_each_control_at_its_frequency_within_the_period(session, programme):
    plan = bundle(session)[PLAN_FILE]["assessment-plan"]
    by_frequency: dict[str, set[str]] = defaultdict(set)
    for code, frequency in session.execute(
        select(Control.code, Control.frequency).where(Control.active.is_(True))
    ):
        by_frequency[frequency].add(code.lower())
    activities = {a["uuid"]: a for a in plan["local-definitions"]["activities"]}
    [period_task] = plan["tasks"]
    assert period_task["timing"] == {
        "within-date-range": {"start": "2026-03-31T15:00:00Z", "end": "2027-03-31T15:00:00Z"}
    }
    every = {}
    for task in period_task["tasks"]:
        frequency = next(p["value"] for p in task["props"] if p["name"] == "frequency")
        every[frequency] = task["timing"]["at-frequency"]
        [association] = task["associated-activities"]
        activity = activities[association["activity-uuid"]]
        selected = activity["related-controls"]["control-selections"][0]["include-controls"]
        assert {c["control-id"] for c in selected} == by_frequency[frequency]
        assert [s["responsible-roles"] for s in activity["steps"]] == [
            [{"role-id": "assessor"}],
            [{"role-id": "approver"}],
        ]
    assert every == {
        "monthly": {"period": 1, "unit": "months"},
        "quarterly": {"period": 3, "unit": "months"},
        "semiannual": {"period": 6, "unit": "months"},
        "annual": {"period": 1, "unit": "years"},
    }
    roles = {r["id"] for r in plan["metadata"]["roles"]}
    assert roles == {"prepared-by", "assessor", "approver"}


def test_the_plan_says_why_import_ssp_points_at_no_system_security_plan(session, programme):
    plan = bundle(session, "ja")[PLAN_FILE]["assessment-plan"]
    explained = resource(plan, plan["import-ssp"]["href"])
    assert explained["title"] == "システムセキュリティ計画なし"
    assert "rlinks" not in explained
    assert "catalog.json" in plan["import-ssp"]["remarks"]
    assert explained["description"] == plan["import-ssp"]["remarks"]


def test_a_plan_for_a_catalogue_without_active_controls_is_still_valid(session, programme):
    for control in session.scalars(select(Control)):
        control.active = False
    session.flush()
    document = assessment_plan(
        session, Period(date(2020, 1, 1), date(2020, 1, 31)), tz=TOKYO, now=EXPORTED
    )
    valid(document)
    assert "local-definitions" not in document["assessment-plan"]


# --- command line --------------------------------------------------------------------------


def test_export_oscal_writes_the_three_documents_and_records_their_hashes(
    fresh_database_url, tmp_path
):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    assert article8(fresh_database_url, tmp_path, "scheduler", "tick").returncode == 0
    out = tmp_path / "oscal"
    result = article8(
        fresh_database_url,
        tmp_path,
        *("export", "oscal", "--out", str(out), "--from", "2020-04-01", "--to", "2040-03-31"),
        *("--lang", "ja"),
        env={"ARTICLE8_ORGANISATION": COMPANY},
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert sorted(printed["files"]) == sorted([CATALOG_FILE, PLAN_FILE, RESULTS_FILE])
    for name, digest in printed["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
        assert schema_errors(json.loads((out / name).read_text(encoding="utf-8"))) == []
    oscal_catalog.Catalog.oscal_read(out / CATALOG_FILE)
    plan = oscal_ap.AssessmentPlan.oscal_read(out / PLAN_FILE)
    results = oscal_ar.AssessmentResults.oscal_read(out / RESULTS_FILE)
    assert [p.name for p in plan.metadata.parties] == [COMPANY]
    assert results.metadata.parties[0].name == COMPANY
    details = last_details(fresh_database_url, "export.oscal")
    assert details["files"] == printed["files"]
    assert details["lang"] == "ja" and details["from"] == "2020-04-01"


def last_details(database_url: str, action: str) -> dict:
    from article8.core.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            details = conn.scalar(
                select(AuditEvent.details)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.seq.desc())
            )
    finally:
        engine.dispose()
    return json.loads(details)


def test_export_oscal_refuses_a_file_where_the_directory_should_be(fresh_database_url, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("not a directory", encoding="utf-8")
    result = article8(fresh_database_url, tmp_path, "export", "oscal", "--out", str(taken))
    assert result.returncode == 2 and "taken" in result.stderr
    assert taken.read_text(encoding="utf-8") == "not a directory"


def test_a_written_plan_is_the_plan_the_bundle_returns(session, programme, tmp_path: Path):
    write_documents(
        session, tmp_path, SYSTEM_ACTOR, period=FISCAL_YEAR, tz=TOKYO, lang="en", now=EXPORTED
    )
    on_disk = json.loads((tmp_path / PLAN_FILE).read_text(encoding="utf-8"))
    assert on_disk == documents(session, FISCAL_YEAR, tz=TOKYO, now=EXPORTED)[PLAN_FILE]
