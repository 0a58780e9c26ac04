"""Catalogue sync: idempotent, revisioned, never deleting, and all-or-nothing on bad files."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from article8.controls.catalogue import queries
from article8.controls.catalogue.errors import CatalogueError
from article8.controls.catalogue.files import SHIPPED_DIR, load_catalogue, parse_control
from article8.controls.catalogue.models import ChecklistRevision, Control
from article8.controls.catalogue.services import (
    create_custom_control,
    get_control,
    sync_catalogue,
    update_settings,
)
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR


def shipped_documents() -> dict[str, dict]:
    return {
        f.name: yaml.safe_load(f.read_text(encoding="utf-8"))
        for f in sorted(SHIPPED_DIR.glob("*.yaml"))
    }


def write_catalogue(directory: Path, documents: dict[str, dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        (directory / name).write_text(
            yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
        )
    return directory


def counts(session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Control)),
        session.scalar(select(func.count()).select_from(ChecklistRevision)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


@pytest.fixture
def synced(session, clock, shipped_catalogue):
    report = sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock())
    session.commit()
    return report


def test_the_first_sync_creates_every_control_with_revision_one(session, synced):
    assert len(synced.created) == 41 and not synced.updated
    control = queries.control_detail(session, "ORG-02")
    assert control.current_revision.number == 1
    assert len(control.current_revision.items) >= 3
    assert control.refs("article8") == ["2"] and "A.5.15" in control.refs("iso27001")
    assert control.title_ja and control.active and control.source == "catalogue"


def test_a_second_sync_changes_nothing(session, synced, clock, shipped_catalogue):
    before = counts(session)
    report = sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock())
    assert not report.changed and report.unchanged == 41
    assert counts(session) == before


def test_a_changed_checklist_creates_a_new_revision_and_keeps_the_old(
    session, synced, clock, tmp_path
):
    documents = shipped_documents()
    control = documents["physical.yaml"]["controls"][0]
    control["checklist"][0]["en"] = "Is the entry log reviewed every week?"
    control["title"]["ja"] = control["title"]["ja"] + "(改訂)"
    report = sync_catalogue(
        session,
        load_catalogue(write_catalogue(tmp_path / "c", documents)),
        SYSTEM_ACTOR,
        now=clock(),
    )
    code = control["code"]
    assert report.revised == [code] and report.updated == [code]
    detail = queries.control_detail(session, code)
    assert [r.number for r in detail.revisions] == [1, 2]
    assert detail.revisions[0].items[0].text_en != "Is the entry log reviewed every week?"
    assert detail.revisions[1].items[0].text_en == "Is the entry log reviewed every week?"
    actions = list(
        session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "control", AuditEvent.object_id == code
            )
        )
    )
    assert actions[-2:] == ["control.update", "control.checklist_revision"]


def test_a_control_dropped_from_the_file_becomes_inactive_and_returns(
    session, synced, clock, tmp_path, shipped_catalogue
):
    documents = shipped_documents()
    dropped = documents["human.yaml"]["controls"].pop(0)["code"]
    smaller = write_catalogue(tmp_path / "smaller", documents)
    report = sync_catalogue(session, load_catalogue(smaller), SYSTEM_ACTOR, now=clock())
    assert report.deactivated == [dropped]
    control = get_control(session, dropped)
    assert not control.active and not control.in_catalogue
    assert session.scalar(select(func.count()).select_from(Control)) == 41  # never deleted
    again = sync_catalogue(session, load_catalogue(smaller), SYSTEM_ACTOR, now=clock())
    assert not again.changed
    back = sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock())
    assert back.reactivated == [dropped] and get_control(session, dropped).active


def test_sync_keeps_the_organisations_own_choices(
    session, synced, clock, make_user, shipped_catalogue
):
    owner = make_user("responsible")
    control = get_control(session, "TEC-05")
    update_settings(
        session,
        SYSTEM_ACTOR,
        control,
        owner_id=owner.id,
        frequency="annual",
        active=False,
        now=clock(),
    )
    report = sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock())
    assert not report.changed
    control = get_control(session, "TEC-05")
    assert (control.owner_id, control.frequency, control.active) == (owner.id, "annual", False)


def test_custom_controls_survive_a_sync(session, synced, clock, shipped_catalogue):
    raw = copy.deepcopy(shipped_documents()["basic_policy.yaml"]["controls"][0])
    raw.update(code="CUS-01", source="custom")
    create_custom_control(session, SYSTEM_ACTOR, parse_control(raw, "form"), now=clock())
    report = sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock())
    assert not report.changed
    assert get_control(session, "CUS-01").active


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c.update(category="legal"), "field category: expected one of"),
        (lambda c: c.pop("frequency"), "field frequency: is missing"),
        (lambda c: c["title"].pop("ja"), "field title: expected both 'en' and 'ja' texts"),
        (lambda c: c.update(article8_clauses=["5"]), "field article8_clauses"),
        (lambda c: c.update(iso27001=["A.9.1"]), "field iso27001: 'A.9.1' is not"),
        (lambda c: c.update(ppc_headings=["10-9"]), "field ppc_headings"),
        (lambda c: c.update(colour="blue"), "field colour: is not a known field"),
        (
            lambda c: c["checklist"].__setitem__(0, {"en": "", "ja": "x"}),
            "field checklist[1].en: is empty",
        ),
    ],
)
def test_a_bad_file_names_file_control_and_field_and_changes_nothing(
    session, synced, clock, tmp_path, mutate, expected
):
    documents = shipped_documents()
    # Change the last control of the last file, so that every earlier control is valid:
    # nothing may be applied before the error is found.
    documents["physical.yaml"]["controls"][0]["title"]["en"] = "Changed but must not land"
    victim = documents["technical.yaml"]["controls"][-1]
    mutate(victim)
    before = counts(session)
    with pytest.raises(CatalogueError) as caught:
        sync_catalogue(
            session,
            load_catalogue(write_catalogue(tmp_path / "bad", documents)),
            SYSTEM_ACTOR,
            now=clock(),
        )
    message = str(caught.value)
    assert message.startswith(f"technical.yaml: control {victim['code']}: ")
    assert expected in message
    assert counts(session) == before
    assert get_control(session, documents["physical.yaml"]["controls"][0]["code"]).title_en != (
        "Changed but must not land"
    )


def test_broken_yaml_reports_the_line_and_column(tmp_path):
    (tmp_path / "broken.yaml").write_text("controls:\n  - code: ORG-01\n    title: [unclosed\n")
    with pytest.raises(CatalogueError, match=r"broken.yaml: not valid YAML: line \d+, column \d+"):
        load_catalogue(tmp_path)


def test_duplicate_codes_across_files_are_rejected(tmp_path):
    documents = shipped_documents()
    documents["human.yaml"]["controls"].append(documents["physical.yaml"]["controls"][0])
    with pytest.raises(CatalogueError, match="duplicate code"):
        load_catalogue(write_catalogue(tmp_path / "dup", documents))


def test_an_exported_file_keeps_a_retired_control_inactive(session, synced, clock, tmp_path):
    from article8.controls.catalogue.exchange import export_yaml

    documents = shipped_documents()
    dropped = documents["human.yaml"]["controls"].pop(0)["code"]
    sync_catalogue(
        session,
        load_catalogue(write_catalogue(tmp_path / "smaller", documents)),
        SYSTEM_ACTOR,
        now=clock(),
    )
    export_yaml(session, tmp_path / "export.yaml")
    report = sync_catalogue(
        session, load_catalogue(tmp_path / "export.yaml"), SYSTEM_ACTOR, now=clock()
    )
    assert not get_control(session, dropped).active
    assert report.reactivated == []


def test_an_unknown_owner_in_an_import_changes_nothing(session, synced, clock, tmp_path):
    from article8.controls.catalogue.exchange import export_yaml

    export_yaml(session, tmp_path / "export.yaml")
    document = yaml.safe_load((tmp_path / "export.yaml").read_text(encoding="utf-8"))
    document["controls"][0]["frequency"] = "monthly"
    document["controls"][-1]["owner"] = "nobody@example.com"
    (tmp_path / "export.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
    before = counts(session)
    with pytest.raises(CatalogueError, match=r"no user with email nobody@example\.com"):
        sync_catalogue(session, load_catalogue(tmp_path / "export.yaml"), SYSTEM_ACTOR, now=clock())
    assert counts(session) == before
    assert get_control(session, document["controls"][0]["code"]).frequency != "monthly"
