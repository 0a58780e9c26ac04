"""The catalogue pages: everyone reads the controls; the responsible person and admins edit them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import get_control, update_settings
from article8.core.audit import details_of
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR, csrf_token

SPECS = load_catalogue()


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced and committed."""


def listed(client, query: str = "") -> list[str]:
    """The control codes the catalogue list shows for ``query``."""
    page = client.get(f"/controls/?{query}")
    assert page.status_code == 200
    return re.findall(r'<tr data-code="([A-Z]+-\d+)"', page.get_data(as_text=True))


def codes(predicate) -> list[str]:
    """The shipped controls for which ``predicate(spec)`` holds, in code order."""
    return sorted(spec.code for spec in SPECS if predicate(spec))


def set_up(session, clock, code: str, **changes) -> None:
    """Change a control's settings as the responsible person would, and commit."""
    control = get_control(session, code)
    wanted = {"owner_id": control.owner_id, "frequency": control.frequency, "active": True}
    update_settings(session, SYSTEM_ACTOR, control, **(wanted | changes), now=clock())
    session.commit()


def control_events(session, code: str) -> list[AuditEvent]:
    """The audit events about one control, oldest first."""
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "control", AuditEvent.object_id == code)
            .order_by(AuditEvent.seq)
        )
    )


# --- the list --------------------------------------------------------------------------------


def test_everyone_sees_the_whole_catalogue_with_its_count(client, login_as, catalogue):
    login_as("inspector")
    page = client.get("/controls/").get_data(as_text=True)
    assert listed(client) == sorted(spec.code for spec in SPECS)
    assert f"Controls shown: {len(SPECS)}" in page
    assert "Physical measures" in page and "Monthly" in page
    assert '<abbr title="Physical entry">A.7.2</abbr>' in page


def test_the_list_filters_by_category_clause_and_frequency(client, login_as, catalogue):
    login_as("auditor")
    assert listed(client, "category=physical") == [f"PHY-0{n}" for n in range(1, 8)]
    assert listed(client, "clause=3") == codes(lambda s: "3" in s.article8_clauses)
    assert listed(client, "clause=guideline") == codes(
        lambda s: s.article8_clauses == ("guideline",)
    )
    assert "HUM-01" in listed(client, "clause=guideline")
    assert listed(client, "frequency=monthly") == codes(lambda s: s.frequency == "monthly")
    assert listed(client, "category=technical&frequency=monthly&clause=4") == [
        "TEC-05",
        "TEC-06",
        "TEC-07",
        "TEC-10",
    ]
    assert listed(client, "category=nonsense") == listed(client)  # unknown values do not filter


def test_the_list_filters_by_owner_and_status(
    client, login_as, make_user, session, clock, catalogue
):
    login_as("responsible")
    owner = make_user("inspector")
    set_up(session, clock, "TEC-03", owner_id=owner.id)
    set_up(session, clock, "HUM-02", owner_id=owner.id, active=False)
    assert listed(client, f"owner={owner.id}") == ["HUM-02", "TEC-03"]
    assert listed(client, "active=no") == ["HUM-02"]
    assert "HUM-02" not in listed(client, "active=yes")
    assert len(listed(client, "active=yes")) == len(SPECS) - 1
    assert listed(client, f"owner={owner.id}&active=yes") == ["TEC-03"]


def test_search_finds_codes_and_titles_in_either_language(client, login_as, catalogue):
    login_as("inspector")
    in_japanese = listed(client, "q=責任者")
    assert "ORG-01" in in_japanese
    assert in_japanese == codes(lambda s: "責任者" in s.title.ja)
    assert listed(client, "q=entry+and+exit") == ["PHY-02"]
    assert listed(client, "q=ACCESS+CONTROL") == codes(
        lambda s: "access control" in s.title.en.lower()
    )
    assert listed(client, "q=tec-1") == ["TEC-10", "TEC-11", "TEC-12"]
    assert listed(client, "q=no+such+control") == []


# --- one control -----------------------------------------------------------------------------


def test_a_control_page_shows_its_checklist_mappings_and_iso_names(client, login_as, catalogue):
    login_as("inspector")
    page = client.get("/controls/PHY-02").get_data(as_text=True)
    spec = next(s for s in SPECS if s.code == "PHY-02")
    assert spec.title.en in page and spec.title.ja in page  # the other language, secondary
    assert "(3) Physical measures" in page and "Named explicitly in Article 8" in page
    assert "10-5 (1)" in page
    assert (
        "A.7.2</span> Physical entry" in page
        and "A.7.4</span> Physical security monitoring" in page
    )
    assert "Revision 1" in page
    for question in spec.checklist:
        assert question.en in page
    assert spec.evidence_expected[0].en in page
    # The inspector may not open the audit trail, so no History link leads to a refusal.
    assert "/audit/?object_type=control" not in page
    assert "/inspections/?control=PHY-02&amp;status=" in page  # all of its inspections
    assert 'data-testid="control-evidence"' in page  # its evidence, and an upload form
    assert 'data-testid="control-evidence-upload"' in page
    # An inspector reads; the edit forms are not offered.
    assert 'data-testid="control-settings"' not in page and "/controls/PHY-02/settings" not in page


def test_the_control_history_link_is_for_those_who_read_the_audit_trail(
    client, login_as, catalogue
):
    login_as("auditor")
    page = client.get("/controls/PHY-02").get_data(as_text=True)
    assert "/audit/?object_type=control&amp;object_id=PHY-02" in page
    assert client.get("/audit/?object_type=control&object_id=PHY-02").status_code == 200


def test_an_unknown_control_is_not_found(client, login_as, catalogue):
    login_as("auditor")
    response = client.get("/controls/NOPE-01")
    assert response.status_code == 404
    assert "No control with code NOPE-01." in response.get_data(as_text=True)


def test_the_responsible_person_changes_owner_frequency_and_status_and_history_shows_it(
    client, login_as, make_user, session, catalogue
):
    login_as("responsible")
    owner = make_user("inspector", display_name="Owner Olivia")
    page = "/controls/PHY-02"
    assert 'data-testid="control-settings"' in client.get(page).get_data(as_text=True)
    response = client.post(
        f"{page}/settings",
        data={
            "owner_id": str(owner.id),
            "frequency": "quarterly",
            "csrf_token": csrf_token(client, page),
        },
        follow_redirects=True,
    )  # "active" unticked: the control is deactivated
    text = response.get_data(as_text=True)
    assert "The settings of PHY-02 have been saved." in text
    assert re.search(r'data-testid="control-owner">Owner Olivia<', text)
    assert re.search(r'data-testid="control-frequency">Quarterly<', text)
    session.expire_all()
    control = get_control(session, "PHY-02")
    assert (control.owner_id, control.frequency, control.active) == (owner.id, "quarterly", False)

    update = control_events(session, "PHY-02")[-1]
    assert update.action == "control.update"
    assert details_of(update)["changes"] == {
        "owner_id": {"before": None, "after": owner.id},
        "frequency": {"before": "monthly", "after": "quarterly"},
        "active": {"before": True, "after": False},
    }
    history = client.get("/audit/?object_type=control&object_id=PHY-02").get_data(as_text=True)
    assert "<code>control.update</code>" in history and "<code>control.create</code>" in history


def test_saving_unchanged_settings_records_nothing(client, login_as, session, catalogue):
    login_as("admin")
    page = "/controls/ORG-01"
    before = len(control_events(session, "ORG-01"))
    response = client.post(
        f"{page}/settings",
        data={
            "owner_id": "",
            "frequency": "annual",
            "active": "y",
            "csrf_token": csrf_token(client, page),
        },
        follow_redirects=True,
    )
    assert "Nothing was changed." in response.get_data(as_text=True)
    assert len(control_events(session, "ORG-01")) == before


def test_a_deactivated_owner_must_be_replaced(
    client, login_as, make_user, session, clock, catalogue
):
    from article8.core.users import set_active

    login_as("responsible")
    owner = make_user("inspector", display_name="Gone Gina")
    set_up(session, clock, "TEC-01", owner_id=owner.id)
    set_active(session, SYSTEM_ACTOR, owner, False, now=clock())
    session.commit()
    page = "/controls/TEC-01"
    assert "Gone Gina (deactivated)" in client.get(page).get_data(as_text=True)
    response = client.post(
        f"{page}/settings",
        data={
            "owner_id": str(owner.id),
            "frequency": "quarterly",
            "active": "y",
            "csrf_token": csrf_token(client, page),
        },
    )
    assert response.status_code == 400
    assert "The owner must be an active user." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_inspectors_and_auditors_read_but_cannot_edit(client, login_as, session, role, catalogue):
    login_as(role)
    token = csrf_token(client, "/controls/")
    page = client.get("/controls/ORG-02").get_data(as_text=True)
    assert "control-settings" not in page and "checklist-editor" not in page
    assert "/controls/new" not in client.get("/controls/").get_data(as_text=True)
    settings = {"owner_id": "", "frequency": "monthly", "active": "y", "csrf_token": token}
    assert client.post("/controls/ORG-02/settings", data=settings).status_code == 403
    checklist = {"checklist_en": "Q?", "checklist_ja": "質問？", "csrf_token": token}
    assert client.post("/controls/ORG-02/checklist", data=checklist).status_code == 403
    assert client.get("/controls/new").status_code == 403
    assert client.post("/controls/new", data={"csrf_token": token}).status_code == 403
    session.expire_all()
    assert get_control(session, "ORG-02").frequency == "quarterly"


# --- custom controls -------------------------------------------------------------------------


def custom(token: str, **overrides) -> dict[str, object]:
    """A valid custom-control form, with ``overrides``."""
    data: dict[str, object] = {
        "code": "CUS-01",
        "category": "organisational",
        "title_en": "Clean-desk rounds in the call centre",
        "title_ja": "コールセンターのクリアデスク巡回",
        "description_en": "The floor lead checks desks at the end of each shift.",
        "description_ja": "フロアリーダーが各シフト終了時に机上を確認する。",
        "frequency": "monthly",
        "clauses": ["2", "3"],
        "ppc_headings": ["10-3", "10-5"],
        "ppc_ref": "10-5 (4)",
        "iso27001": "A.7.7, A.5.10",
        "checklist_en": "Were the rounds done every shift?\n\nWere findings reported?\n",
        "checklist_ja": "各シフトで巡回が行われたか。\n指摘事項が報告されたか。",
        "evidence_en": "Round sheets",
        "evidence_ja": "巡回記録",
        "csrf_token": token,
    }
    return data | overrides


def test_the_new_control_form_suggests_the_next_free_custom_code(client, login_as, catalogue):
    login_as("responsible")
    assert 'value="CUS-01"' in client.get("/controls/new").get_data(as_text=True)
    client.post("/controls/new", data=custom(csrf_token(client, "/controls/new")))
    assert 'value="CUS-02"' in client.get("/controls/new").get_data(as_text=True)


def test_the_responsible_person_adds_a_custom_control(client, login_as, session, catalogue):
    login_as("responsible")
    response = client.post("/controls/new", data=custom(csrf_token(client, "/controls/new")))
    assert response.status_code == 302 and response.headers["Location"] == "/controls/CUS-01"
    page = client.get("/controls/CUS-01").get_data(as_text=True)
    assert "Clean-desk rounds in the call centre" in page and "Custom control" in page
    assert "Were findings reported?" in page and "Round sheets" in page
    assert "A.7.7</span> Clear desk and clear screen" in page
    assert 'data-testid="checklist-editor"' in page
    session.expire_all()
    control = get_control(session, "CUS-01")
    assert (control.source, control.active, control.owner_id) == ("custom", True, None)
    assert control.refs("article8") == ["2", "3"] and control.refs("iso27001") == [
        "A.7.7",
        "A.5.10",
    ]
    assert [item.text_ja for item in control.current_revision.items] == [
        "各シフトで巡回が行われたか。",
        "指摘事項が報告されたか。",
    ]
    assert [e.action for e in control_events(session, "CUS-01")] == ["control.create"]
    assert "CUS-01" in listed(client, "q=クリアデスク")


def test_a_custom_control_without_clauses_is_a_guideline_control(
    client, login_as, session, catalogue
):
    login_as("admin")
    data = custom(csrf_token(client, "/controls/new"), clauses=[], iso27001="", explicit="y")
    assert client.post("/controls/new", data=data).status_code == 302
    assert "CUS-01" in listed(client, "clause=guideline")
    session.expire_all()
    control = get_control(session, "CUS-01")
    assert control.refs("article8") == [] and control.article8_explicit is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "PHY-01"}, "A control with code PHY-01 already exists."),
        ({"code": "cus1"}, "Enter 2–5 capital letters, a hyphen and 2–3 digits, such as CUS-01."),
        (
            {"checklist_ja": "各シフトで巡回が行われたか。"},
            "Both languages need the same number of lines: 2 in English, 1 in Japanese.",
        ),
        (
            {"evidence_ja": ""},
            "Both languages need the same number of lines: 1 in English, 0 in Japanese.",
        ),
        ({"iso27001": "A.5.1, A.9.4"}, "A.9.4 is not an ISO/IEC 27001:2022 Annex A control"),
        (
            {
                "checklist_en": "\n".join(f"Q{n}?" for n in range(21)),
                "checklist_ja": "\n".join(f"質問{n}？" for n in range(21)),
            },
            "A checklist has at most 20 questions.",
        ),
        ({"title_ja": ""}, "This field is required."),
        (
            {"description_ja": "机上を確認\x07する。"},
            # Refused for every form field before any view runs (web.params), naming the field.
            "description_ja: control characters (such as NUL) are not accepted.",
        ),
    ],
)
def test_a_bad_custom_control_is_explained_and_changes_nothing(
    client, login_as, session, overrides, message, catalogue
):
    login_as("responsible")
    response = client.post(
        "/controls/new", data=custom(csrf_token(client, "/controls/new"), **overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Control)) == len(SPECS)


REVISED = {
    "checklist_en": "\n".join(
        [
            "Were the rounds done every shift?",
            "Were photos taken of open desks?",
            "Were findings reported?",
        ]
    ),
    "checklist_ja": "\n".join(
        [
            "各シフトで巡回が行われたか。",
            "机上の状況が写真で記録されたか。",
            "指摘事項が報告されたか。",
        ]
    ),
}


def test_a_custom_control_gets_a_second_checklist_revision(client, login_as, session, catalogue):
    login_as("responsible")
    client.post("/controls/new", data=custom(csrf_token(client, "/controls/new")))
    page = "/controls/CUS-01"
    token = csrf_token(client, page)
    mismatched = client.post(
        f"{page}/checklist",
        data={"checklist_en": "A?\nB?", "checklist_ja": "A？", "csrf_token": token},
    )
    assert mismatched.status_code == 400
    assert "2 in English, 1 in Japanese" in mismatched.get_data(as_text=True)

    response = client.post(
        f"{page}/checklist",
        data={**REVISED, "csrf_token": token},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "Checklist revision 2 has been saved." in text
    assert "Revision 2" in text and 'data-testid="earlier-revisions"' in text
    assert "Were photos taken of open desks?" in text
    session.expire_all()
    control = get_control(session, "CUS-01")
    assert [r.number for r in control.revisions] == [1, 2]
    assert len(control.revisions[0].items) == 2 and len(control.revisions[1].items) == 3
    revision_event = control_events(session, "CUS-01")[-1]
    assert revision_event.action == "control.checklist_revision"
    assert details_of(revision_event) == {"revision": 2, "questions": 3}

    same = client.post(
        f"{page}/checklist",
        data={**REVISED, "csrf_token": token},
        follow_redirects=True,
    )
    assert "The checklist is unchanged." in same.get_data(as_text=True)


def test_a_catalogue_controls_checklist_is_not_edited_on_the_page(
    client, login_as, session, catalogue
):
    login_as("responsible")
    page = "/controls/ORG-01"
    assert "checklist-editor" not in client.get(page).get_data(as_text=True)
    response = client.post(
        f"{page}/checklist",
        data={
            "checklist_en": "Q?",
            "checklist_ja": "質問？",
            "csrf_token": csrf_token(client, page),
        },
    )
    assert response.status_code == 400
    assert "changes only with the catalogue file" in response.get_data(as_text=True)
    session.expire_all()
    assert len(get_control(session, "ORG-01").revisions) == 1


# --- coverage --------------------------------------------------------------------------------


def gap_rows(page: str) -> list[str]:
    """The refs of the coverage rows marked as gaps."""
    return re.findall(r'<tr data-ref="([^"]+)" class="table-warning a8-gap">', page)


def test_the_shipped_catalogue_covers_every_clause_and_ppc_heading(client, login_as, catalogue):
    login_as("auditor")
    page = client.get("/controls/coverage").get_data(as_text=True)
    gaps = gap_rows(page)
    assert not [g for g in gaps if g.startswith(("(", "10-"))]
    assert "Gaps: 0 of 4" in page and "Gaps: 0 of 7" in page
    assert all(g.startswith("A.") for g in gaps)
    assert f"No APPI counterpart: {len(gaps)} of 93" in page
    assert page.count("No APPI counterpart control") == len(gaps)
    assert "A.5 Organisational controls" in page and "A.8 Technological controls" in page
    assert "(2)</td>" in page and "Organisational measures" in page
    assert "Establishing a basic policy" in page and "Rules for handling personal data" in page


def test_deactivating_every_control_of_a_clause_shows_a_gap(
    client, login_as, session, clock, catalogue
):
    login_as("responsible")
    clause3 = codes(lambda s: "3" in s.article8_clauses)
    assert "BP-03" in clause3  # BP-03 names all four clauses: the last to go
    for code in clause3:
        if code != "BP-03":
            set_up(session, clock, code, active=False)
    assert "(3)" not in gap_rows(client.get("/controls/coverage").get_data(as_text=True))
    set_up(session, clock, "BP-03", active=False)
    page = client.get("/controls/coverage").get_data(as_text=True)
    assert [g for g in gap_rows(page) if not g.startswith("A.")] == ["(3)"]
    assert "Gaps: 1 of 4" in page and "Gaps: 0 of 7" in page


# --- Japanese --------------------------------------------------------------------------------


def test_an_enforcement_case_is_shown_apart_from_the_description(client, login_as, catalogue):
    login_as("inspector", locale="ja")
    page = client.get("/controls/TEC-07").get_data(as_text=True)
    reference = page.split('data-testid="reference"', 1)[1].split("</section>", 1)[0]
    assert "参考事例" in reference and "928万人" in reference and "9.28 million" in reference
    description = page.split('data-testid="reference"', 1)[0]
    assert "928万人" not in description
    assert 'data-testid="reference"' not in client.get("/controls/PHY-02").get_data(as_text=True)


def test_a_japanese_user_reads_the_control_page_in_japanese(client, login_as, catalogue):
    login_as("auditor", locale="ja")
    page = client.get("/controls/PHY-02").get_data(as_text=True)
    assert '<html lang="ja">' in page
    for text in (
        "管理区域への入退室管理",
        "管理策カタログ",
        "物理的安全管理措置",
        "毎月",
        "チェックリスト",
        "想定される証跡",
        "点検",
        "(3) 物理的安全管理措置",
        "履歴",
    ):
        assert text in page, text
    listing = client.get("/controls/?category=physical").get_data(as_text=True)
    assert "表示件数: 7" in listing and "管理区域への入退室管理" in listing
