"""Content checks for the shipped APPI control catalogue (article8/controls/catalogue/*.yaml).

These tests read the YAML files directly, so they guard the data itself rather than any loader.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from article8.controls.catalogue.files import SHIPPED_DIR

CATALOGUE_DIR = SHIPPED_DIR

CATEGORIES = (
    "basic_policy",
    "organisational",
    "human",
    "physical",
    "technical",
    "external_environment",
)
CODE_PREFIX = {
    "basic_policy": "BP",
    "organisational": "ORG",
    "human": "HUM",
    "physical": "PHY",
    "technical": "TEC",
    "external_environment": "EXT",
}
SCHEMA_KEYS = {
    "code",
    "category",
    "title",
    "description",
    "article8_clauses",
    "article8_explicit",
    "ppc_ref",
    "ppc_headings",
    "iso27001",
    "frequency",
    "checklist",
    "evidence_expected",
}
# Keys a control may add: background shown apart from the description.
OPTIONAL_KEYS = {"reference"}
FREQUENCIES = {"monthly", "quarterly", "semiannual", "annual"}
ARTICLE8_CLAUSES = ("1", "2", "3", "4")
PPC_HEADINGS = tuple(f"10-{n}" for n in range(1, 8))

# Controls the registers beyond Article 8 give evidence for (issues 16 and 17).
BEYOND_THE_ANNEX = {"ORG-12", "ORG-13"}
CODE_RE = re.compile(r"^(BP|ORG|HUM|PHY|TEC|EXT)-\d{2}$")
ISO_RE = re.compile(r"^A\.[5-8]\.\d{1,2}$")
JAPANESE_RE = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff]")
# An annex heading named in ppc_ref, e.g. "10-3 (4)"; not Q&A numbers such as "10-24".
HEADING_IN_REF_RE = re.compile(r"(?<![\d.-])(10-[1-7])(?![\d-])")
# Guideline section 3-5 (leak reporting) itself, not a sub-section such as "3-5-1".
LEAK_REPORTING_REF_RE = re.compile(r"(?<![\d.-])3-5(?![\d-])")


def _load(category: str) -> dict:
    with (CATALOGUE_DIR / f"{category}.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _all_controls() -> list[dict]:
    controls: list[dict] = []
    for category in CATEGORIES:
        controls.extend(_load(category)["controls"])
    return controls


ALL_CONTROLS = _all_controls()


def _ids(control: dict) -> str:
    return control["code"]


def _is_bilingual(value: object) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"en", "ja"}
        and all(isinstance(text, str) and text.strip() for text in value.values())
    )


def test_catalogue_directory_holds_exactly_the_six_category_files():
    assert sorted(p.stem for p in CATALOGUE_DIR.glob("*.yaml")) == sorted(CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_file_parses_to_a_non_empty_controls_list(category):
    data = _load(category)
    assert isinstance(data, dict)
    assert set(data) == {"controls"}
    assert isinstance(data["controls"], list)
    assert data["controls"]


@pytest.mark.parametrize("category", CATEGORIES)
def test_controls_sit_in_the_file_named_after_their_category(category):
    for control in _load(category)["controls"]:
        assert control["category"] == category, control["code"]
        assert control["code"].split("-")[0] == CODE_PREFIX[category], control["code"]


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_every_control_has_exactly_the_schema_keys_with_the_right_types(control):
    assert SCHEMA_KEYS <= set(control) <= SCHEMA_KEYS | OPTIONAL_KEYS
    assert isinstance(control["code"], str)
    assert CODE_RE.match(control["code"])
    assert control["category"] in CATEGORIES
    assert control["frequency"] in FREQUENCIES
    assert isinstance(control["article8_explicit"], bool)
    assert isinstance(control["ppc_ref"], str)
    assert control["ppc_ref"].strip()
    for key in ("article8_clauses", "ppc_headings", "iso27001", "checklist", "evidence_expected"):
        assert isinstance(control[key], list), key


def test_control_codes_are_unique_across_all_files():
    counts = Counter(control["code"] for control in ALL_CONTROLS)
    duplicates = sorted(code for code, n in counts.items() if n > 1)
    assert duplicates == []


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_article8_clauses_name_seed_clauses_or_guideline_only(control):
    clauses = control["article8_clauses"]
    assert clauses
    assert all(isinstance(clause, str) for clause in clauses)
    assert len(set(clauses)) == len(clauses)
    if "guideline" in clauses:
        assert clauses == ["guideline"]
        assert control["article8_explicit"] is False
    else:
        assert set(clauses) <= set(ARTICLE8_CLAUSES)


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_titles_and_descriptions_are_written_in_english_and_japanese(control):
    for key in ("title", "description", *(OPTIONAL_KEYS & set(control))):
        assert _is_bilingual(control[key]), key
        assert JAPANESE_RE.search(control[key]["ja"]), key
        assert not JAPANESE_RE.search(control[key]["en"]), key


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_every_control_has_three_to_seven_bilingual_checklist_questions(control):
    checklist = control["checklist"]
    # Seven since bundled questions were split into one condition each (TEC-07 has seven).
    assert 3 <= len(checklist) <= 7
    for item in checklist:
        assert _is_bilingual(item)
        assert item["en"].rstrip().endswith("?"), item["en"]
        assert JAPANESE_RE.search(item["ja"]), item["ja"]
        assert item["ja"].rstrip().endswith("か。"), item["ja"]


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_every_control_expects_two_to_five_bilingual_kinds_of_evidence(control):
    evidence = control["evidence_expected"]
    assert 2 <= len(evidence) <= 5
    for item in evidence:
        assert _is_bilingual(item)
        assert JAPANESE_RE.search(item["ja"]), item["ja"]


@pytest.mark.parametrize("clause", ARTICLE8_CLAUSES)
def test_every_article8_clause_is_implemented_by_at_least_one_control(clause):
    assert any(clause in control["article8_clauses"] for control in ALL_CONTROLS)


@pytest.mark.parametrize("heading", PPC_HEADINGS)
def test_every_ppc_annex_heading_is_covered_by_at_least_one_control(heading):
    assert any(heading in control["ppc_headings"] for control in ALL_CONTROLS)


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_ppc_headings_are_annex_headings_and_include_those_named_in_ppc_ref(control):
    headings = control["ppc_headings"]
    assert set(headings) <= set(PPC_HEADINGS)
    assert len(set(headings)) == len(headings)
    named = set(HEADING_IN_REF_RE.findall(control["ppc_ref"]))
    assert named <= set(headings)


def test_leak_reporting_to_the_ppc_is_in_the_catalogue():
    assert any(LEAK_REPORTING_REF_RE.search(control["ppc_ref"]) for control in ALL_CONTROLS)


def test_contractor_supervision_is_in_the_catalogue():
    assert any("3-4-4" in control["ppc_ref"] for control in ALL_CONTROLS)


@pytest.mark.parametrize("control", ALL_CONTROLS, ids=_ids)
def test_iso27001_references_are_annex_a_2022_control_ids(control):
    iso_ids = control["iso27001"]
    assert iso_ids
    assert len(set(iso_ids)) == len(iso_ids)
    for iso_id in iso_ids:
        assert isinstance(iso_id, str)
        assert ISO_RE.match(iso_id), iso_id


def test_catalogue_holds_between_35_and_45_controls():
    # The annex's measures in 35 to 40 controls, and a few beyond the annex for the registers of
    # issues 16 and 17 (requests and complaints, provision records).
    annex = [c for c in ALL_CONTROLS if c["code"] not in BEYOND_THE_ANNEX]
    assert 35 <= len(annex) <= 40
    assert len(ALL_CONTROLS) <= 45
