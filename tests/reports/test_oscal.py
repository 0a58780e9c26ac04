"""OSCAL exports: the catalog and the assessment results, validated with NIST's OSCAL JSON
schema and compliance-trestle's OSCAL 1.1 models (tests/reports/oscal_support.py)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic.v1 import ValidationError
from sqlalchemy import select
from trestle.common.err import TrestleError
from trestle.oscal import assessment_results as oscal_ar
from trestle.oscal import catalog as oscal_catalog

from article8.controls.catalogue.models import Control
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.core.audit import Actor
from article8.core.models import AuditEvent
from article8.reports.oscal import assessment_results, catalog, stable_uuid, write_json
from article8.reports.period import Period
from tests.cli_runner import article8
from tests.reports import oscal_support
from tests.reports.oscal_schemas import schema_errors
from tests.reports.oscal_support import (
    EXPORTED,
    FISCAL_YEAR,
    TOKYO,
    VISITOR_LOG,
    results_of,
    valid,
)

programme = oscal_support.programme  # November's programme, shared with test_oscal_export
TIMESTAMP_KEYS = {"last-modified", "published", "start", "end", "collected"}


def valid_catalog(document: dict) -> oscal_catalog.Catalog:
    return valid(document)


def valid_results(document: dict) -> oscal_ar.AssessmentResults:
    return valid(document)


def timestamps(node: object) -> list[str]:
    """Every date-time value in a document, wherever it is."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k in TIMESTAMP_KEYS and isinstance(v, str)]
        return found + [t for v in node.values() for t in timestamps(v)]
    if isinstance(node, list):
        return [t for v in node for t in timestamps(v)]
    return []


def without_last_modified(document: dict) -> dict:
    document = copy.deepcopy(document)
    next(iter(document.values()))["metadata"].pop("last-modified")
    return document


def part_ids(node: object) -> set[str]:
    if isinstance(node, dict):
        own = {node["id"]} if "id" in node and "name" in node else set()
        return own | {i for v in node.values() for i in part_ids(v)}
    if isinstance(node, list):
        return {i for v in node for i in part_ids(v)}
    return set()


# --- catalog -------------------------------------------------------------------------------


def test_the_catalog_is_valid_oscal_with_every_active_control(session, programme):
    document = catalog(session, now=EXPORTED)
    model = valid_catalog(document)
    assert model.metadata.oscal_version.__root__ == "1.1.3"
    assert model.metadata.title == "APPI Article 8 safety control measures (article8)"
    assert model.metadata.version.startswith("41 controls · ")
    assert [g.id for g in model.groups] == [
        "basic_policy",
        "organisational",
        "human",
        "physical",
        "technical",
        "external_environment",
    ]
    controls = [c for g in document["catalog"]["groups"] for c in g["controls"]]
    assert len(controls) == 41
    assert all(re.fullmatch(r"[a-z]{2,5}-\d{2,3}", c["id"]) for c in controls)
    org02 = next(c for c in controls if c["id"] == "org-02")
    props = {(p["name"], p["value"]) for p in org02["props"]}
    assert ("label", "ORG-02") in props and ("frequency", "quarterly") in props
    assert any(name == "title-ja" for name, _ in props)
    assert {name for name, _ in props} >= {"article8-clause", "article8-explicit", "iso27001"}


def test_a_control_carries_its_checklist_evidence_and_mappings(session, programme):
    document = catalog(session, now=EXPORTED)
    controls = {c["id"]: c for g in document["catalog"]["groups"] for c in g["controls"]}
    org01 = controls["org-01"]
    parts = {p["name"]: p for p in org01["parts"]}
    assert parts["statement"]["id"] == "org-01_smt"
    assert parts["statement"]["prose"].startswith("The company formally names one person")
    questions = parts["assessment-objective"]["parts"]
    assert [q["id"] for q in questions] == [f"org-01_obj.{n}" for n in range(1, 5)]
    assert questions[0]["prose"].startswith("Is there a current written appointment")
    assert questions[0]["props"][1] == {
        "name": "prose-ja",
        "value": "責任者の任命が、辞令又は取締役会決議等の文書により最新の状態で確認できるか。",
        "ns": "https://article8.example/ns/oscal",
    }
    evidence_part = parts["assessment-method"]
    assert evidence_part["class"] == "evidence-expected"
    first = evidence_part["parts"][0]
    assert first["id"] == "org-01_asm-examine.1"
    assert first["prose"] == "Letter of appointment or board minutes"
    values = [(p["name"], p["value"]) for p in org01["props"]]
    assert ("article8-clause", "2") in values and ("ppc-heading", "10-3") in values
    assert ("iso27001", "A.5.2") in values and ("iso27001", "A.5.4") in values
    resources = {
        f"#{r['uuid']}": r["title"] for r in document["catalog"]["back-matter"]["resources"]
    }
    linked = {(resources[link["href"]][:9], link["text"]) for link in org01["links"]}
    assert linked == {("PPC Guide", "10-3 (1)"), ("ISO/IEC 2", "A.5.2"), ("ISO/IEC 2", "A.5.4")}


def test_the_japanese_catalog_has_japanese_prose_and_english_props(session, programme):
    document = catalog(session, lang="ja", now=EXPORTED)
    valid_catalog(document)
    groups = {g["id"]: g for g in document["catalog"]["groups"]}
    assert groups["organisational"]["title"] == "組織的安全管理措置"
    org01 = groups["organisational"]["controls"][0]
    assert org01["title"] == "個人データの取扱いに関する責任者の設置及び責任の明確化"
    alt = {p["name"]: p["value"] for p in org01["props"]}
    assert alt["title-en"] == "Appointing a responsible person and making responsibilities clear"
    assert document["catalog"]["metadata"]["props"][0]["value"] == "ja"


def test_an_inactive_control_is_left_out(session, programme):
    session.scalar(select(Control).where(Control.code == "HUM-01")).active = False
    session.flush()
    document = catalog(session, now=EXPORTED)
    ids = {c["id"] for g in document["catalog"]["groups"] for c in g["controls"]}
    assert len(ids) == 40 and "hum-01" not in ids


# --- assessment results --------------------------------------------------------------------


def test_assessment_results_are_valid_oscal(session, programme):
    document = results_of(session)
    model = valid_results(document)
    assert len(model.results) == 1
    result = document["assessment-results"]["results"][0]
    assert result["start"] == "2026-03-31T15:00:00Z" and result["end"] == "2027-03-31T15:00:00Z"
    selected = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    due = session.scalars(
        select(Control.code)
        .join(Inspection)
        .where(Inspection.due_on.between(FISCAL_YEAR.start, FISCAL_YEAR.end))
    )
    assert sorted(s["control-id"] for s in selected) == sorted({c.lower() for c in due})
    for value in timestamps(document):
        assert value.endswith("Z"), value


def test_each_concluded_inspection_gets_its_verdict(session, programme):
    result = results_of(session)["assessment-results"]["results"][0]
    verdicts = {f["target"]["target-id"]: f["target"]["status"] for f in result["findings"]}
    assert verdicts == {
        "org-04_obj": {"state": "not-satisfied", "reason": "fail"},
        "phy-02_obj": {"state": "satisfied", "reason": "pass"},
        "tec-06_obj": {"state": "not-satisfied", "reason": "other"},
    }
    assert all(f["target"]["type"] == "objective-id" for f in result["findings"])
    # Awaiting review: observed, but no verdict yet; the remarks say so.
    observed = {o["title"].split()[0] for o in result["observations"]}
    assert observed == {"ORG-04", "PHY-02", "TEC-05"}
    assert "TEC-05 2026-11: Submitted" in result["remarks"]
    assert "ORG-04" not in result["remarks"]


def test_every_reference_in_the_results_resolves(session, programme):
    document = results_of(session)["assessment-results"]
    result = document["results"][0]
    objectives = part_ids(catalog(session, now=EXPORTED))
    observations = {o["uuid"] for o in result["observations"]}
    risks = {r["uuid"] for r in result["risks"]}
    parties = {p["uuid"] for p in document["metadata"]["parties"]}
    roles = {r["id"] for r in document["metadata"]["roles"]}
    resources = {f"#{r['uuid']}" for r in document["back-matter"]["resources"]}
    assert document["import-ap"]["href"] in resources
    for finding in result["findings"]:
        assert finding["target"]["target-id"] in objectives
        for ref in finding.get("related-observations", []):
            assert ref["observation-uuid"] in observations
        for ref in finding.get("related-risks", []):
            assert ref["risk-uuid"] in risks
    for observation in result["observations"]:
        for actor in observation["origins"][0]["actors"]:
            assert actor["actor-uuid"] in parties and actor["role-id"] in roles
    people = [p for p in document["metadata"]["parties"] if p["type"] == "person"]
    assert {p["name"] for p in people} == {"Ito Inspector", "Sato Responsible"}


def test_the_failed_item_is_a_risk_with_its_corrective_action(session, programme):
    result = results_of(session)["assessment-results"]["results"][0]
    [risk] = result["risks"]
    assert risk["status"] == "remediating"
    assert risk["description"] == "No appointment letter on file"
    assert risk["statement"] == programme["failed"].revision.items[0].text_en
    assert {"name": "severity", "value": "high", "ns": "https://article8.example/ns/oscal"} in (
        risk["props"]
    )
    [action] = risk["remediations"]
    assert action["lifecycle"] == "planned"
    assert action["description"] == "Collect the appointment letter"
    org04 = next(f for f in result["findings"] if f["target"]["target-id"] == "org-04_obj")
    assert org04["related-risks"] == [{"risk-uuid": risk["uuid"]}]


def test_an_observation_names_who_did_what_and_the_evidence(session, programme):
    result = results_of(session)["assessment-results"]["results"][0]
    phy02 = next(o for o in result["observations"] if o["title"].startswith("PHY-02"))
    assert phy02["methods"] == ["EXAMINE"]
    assert phy02["collected"] == "2026-11-24T01:00:00Z"
    assert "Performed by: Ito Inspector" in phy02["description"]
    assert "Approved by: Sato Responsible" in phy02["description"]
    [item] = phy02["relevant-evidence"]
    assert item["description"] == "Visitor log, November"
    assert item["href"] == f"#{stable_uuid('resource', 'evidence', programme['evidence'].id)}"
    assert hashlib.sha256(VISITOR_LOG).hexdigest() not in json.dumps(phy02)


def test_japanese_results_use_the_japanese_labels(session, programme):
    document = results_of(session, lang="ja")
    valid_results(document)
    result = document["assessment-results"]["results"][0]
    phy02 = next(o for o in result["observations"] if o["title"].startswith("PHY-02"))
    assert "実施者: Ito Inspector" in phy02["description"]
    assert phy02["title"] == "PHY-02 2026年11月" and "対象期間: 2026年11月" in phy02["description"]
    assert result["title"].startswith("対象期間")


def test_a_period_without_inspections_is_still_valid(session, programme):
    document = assessment_results(
        session, Period(date(2020, 1, 1), date(2020, 1, 31)), tz=TOKYO, now=EXPORTED
    )
    valid_results(document)
    result = document["assessment-results"]["results"][0]
    assert "findings" not in result and "observations" not in result


# --- reproducibility and validation that can fail ------------------------------------------


@pytest.mark.parametrize("export", ["catalog", "assessment-results"])
def test_two_exports_differ_only_in_their_timestamp(session, programme, export):
    def run(now: datetime) -> dict:
        if export == "catalog":
            return catalog(session, now=now)
        return results_of(session, now=now)

    first, second = run(EXPORTED), run(datetime(2027, 1, 5, 3, 0, tzinfo=UTC))
    assert first != second
    assert without_last_modified(first) == without_last_modified(second)


def test_the_document_uuid_follows_its_content(session, programme, make_user, clock):
    before = results_of(session)["assessment-results"]["uuid"]
    responsible = make_user("responsible")
    workflow.approve(session, Actor.for_user(responsible), programme["submitted"], now=clock())
    after = results_of(session)["assessment-results"]
    assert after["uuid"] != before
    observation = next(o for o in after["results"][0]["observations"] if "TEC-05" in o["title"])
    assert observation["uuid"] == stable_uuid("observation", "TEC-05", "2026-11-01")


BREAKAGES = {
    "a control without a title": lambda d: d["catalog"]["groups"][0]["controls"][0].pop("title"),
    "a control id with a space": lambda d: d["catalog"]["groups"][0]["controls"][0].update(
        id="ORG 01"
    ),
    "an unknown key": lambda d: d["catalog"]["metadata"].update(language="en"),
    "metadata without last-modified": lambda d: d["catalog"]["metadata"].pop("last-modified"),
    "a prop namespace that is no URI": lambda d: d["catalog"]["groups"][0]["props"][0].update(
        ns="article8"
    ),
    "a uuid that is not one": lambda d: d["catalog"].update(uuid="not-a-uuid"),
    "an empty prop value": lambda d: d["catalog"]["groups"][0]["props"][0].update(value=""),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_validation_rejects_a_broken_catalog(session, programme, breakage):
    document = catalog(session, now=EXPORTED)
    valid_catalog(document)
    BREAKAGES[breakage](document)
    assert schema_errors(document)
    with pytest.raises(ValidationError):
        oscal_catalog.Model.parse_obj(document)


def test_validation_rejects_a_verdict_oscal_does_not_know(session, programme):
    document = results_of(session)
    document["assessment-results"]["results"][0]["findings"][0]["target"]["status"]["state"] = (
        "passed"
    )
    assert schema_errors(document)
    with pytest.raises(ValidationError):
        oscal_ar.Model.parse_obj(document)
    del document["assessment-results"]["import-ap"]
    assert "assessment-results: 'import-ap' is a required property" in schema_errors(document)
    with pytest.raises(ValidationError):
        oscal_ar.Model.parse_obj(document)


def test_write_json_replaces_the_file_only_when_it_is_whole(tmp_path):
    out = tmp_path / "catalog.json"
    digest = write_json({"catalog": {"title": "東京"}}, out)
    assert digest == hashlib.sha256(out.read_bytes()).hexdigest()
    assert json.loads(out.read_text(encoding="utf-8")) == {"catalog": {"title": "東京"}}
    with pytest.raises(TypeError):
        write_json({"catalog": {"broken": object()}}, out)
    assert json.loads(out.read_text(encoding="utf-8")) == {"catalog": {"title": "東京"}}
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.json"]


# --- command line --------------------------------------------------------------------------


def audit_details(database_url: str, action: str) -> dict:
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


def test_the_cli_writes_a_valid_catalog_and_records_it(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    out = tmp_path / "catalog.json"
    result = article8(
        fresh_database_url,
        tmp_path,
        *("catalogue", "export", "--format", "oscal", "--out", str(out)),
        env={"ARTICLE8_ORGANISATION": "株式会社サンプル"},
    )
    assert result.returncode == 0, result.stderr
    model = oscal_catalog.Catalog.oscal_read(out)
    assert sum(len(g.controls) for g in model.groups) == 41
    assert [(p.type.value, p.name) for p in model.metadata.parties] == [
        ("organization", "株式会社サンプル")
    ]
    details = audit_details(fresh_database_url, "catalogue.export")
    assert details["format"] == "oscal" and details["lang"] == "en"
    assert details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_the_cli_writes_valid_assessment_results_and_records_their_hash(
    fresh_database_url, tmp_path
):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    assert article8(fresh_database_url, tmp_path, "scheduler", "tick").returncode == 0
    out = tmp_path / "results.json"
    result = article8(
        fresh_database_url,
        tmp_path,
        "export",
        "assessment-results",
        "--out",
        str(out),
        "--from",
        "2020-04-01",
        "--to",
        "2040-03-31",
        "--lang",
        "ja",
    )
    assert result.returncode == 0, result.stderr
    model = oscal_ar.AssessmentResults.oscal_read(out)
    assert model.metadata.title.startswith("プライバシーポリシー")
    printed = json.loads(result.stdout)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert printed["sha256"] == digest
    details = audit_details(fresh_database_url, "export.assessment_results")
    assert details["sha256"] == digest and details["from"] == "2020-04-01"


def test_the_cli_refuses_a_period_that_ends_before_it_starts(fresh_database_url, tmp_path):
    out = tmp_path / "results.json"
    result = article8(
        fresh_database_url,
        tmp_path,
        "export",
        "assessment-results",
        "--out",
        str(out),
        "--from",
        "2027-01-01",
        "--to",
        "2026-01-01",
    )
    assert result.returncode == 2 and "--to is before --from" in result.stderr
    assert not out.exists()


def test_trestle_rejects_a_broken_file(tmp_path: Path):
    out = tmp_path / "broken.json"
    out.write_text(json.dumps({"catalog": {"uuid": "x"}}), encoding="utf-8")
    with pytest.raises(TrestleError):
        oscal_catalog.Catalog.oscal_read(out)
