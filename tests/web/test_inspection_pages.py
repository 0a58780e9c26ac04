"""The inspection pages: my work, performing, reviewing and assigning, the list, reading."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.findings import services as finding_service
from article8.controls.findings.models import Finding
from article8.controls.inspections import services as workflow
from article8.core.audit import Actor
from tests.support.inspections import (
    NOVEMBER_DUE,
    TODAY,
    answers,
    listed,
    monthly_codes,
    november,
    page,
    performed,
    post,
    section,
)

# --- my inspections --------------------------------------------------------------------------

TOKYO = ZoneInfo("Asia/Tokyo")


def test_my_inspections_sorts_the_work_into_sections(session, clock, schedule, signed_in, assign):
    client, inspector = signed_in("inspector")
    _, reviewer = signed_in("responsible")
    a, b, c, d, e = monthly_codes(session)[:5]
    for code in (a, b, c, d, e):
        assign(november(session, code), inspector)
    soon, late = november(session, b), november(session, c)
    soon.due_on, late.due_on = TODAY + timedelta(days=3), TODAY - timedelta(days=2)
    session.commit()
    performed(session, clock, inspector, d)
    returned = performed(session, clock, inspector, e)
    workflow.return_for_rework(
        session, Actor.for_user(reviewer), returned, "Attach the export log", now=clock()
    )
    session.commit()

    html = page(client, "/inspections/mine")
    assert section(html, "open") == [a]
    assert section(html, "due_soon") == [b]
    assert section(html, "overdue") == [c] and "2 days overdue" in html
    assert section(html, "submitted") == [d]
    assert section(html, "returned") == [e] and "Attach the export log" in html


# --- performing -------------------------------------------------------------------------------


def test_a_failed_item_without_a_comment_is_refused_next_to_its_question(
    session, clock, schedule, signed_in, assign
):
    client, inspector = signed_in("inspector")
    inspection = november(session)
    assign(inspection, inspector)

    response = post(client, f"/inspections/{inspection.id}/submit", answers(inspection, fail=2))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    question = html.split('data-testid="question-2"', 1)[1].split("</fieldset>", 1)[0]
    assert "Question 2 failed: say what is wrong in a comment." in question
    assert "was not submitted" in html
    inspection = november(session)
    assert inspection.status == "in_progress"  # the draft is kept, nothing submitted
    assert inspection.submitted_at is None


def test_the_inspector_saves_a_draft_and_then_submits(session, clock, schedule, signed_in, assign):
    client, inspector = signed_in("inspector")
    inspection = november(session)
    assign(inspection, inspector)
    data = answers(inspection, fail=1, comment="Export log missing")

    assert post(client, f"/inspections/{inspection.id}/answers", data).status_code == 302
    html = page(client, f"/inspections/{inspection.id}")
    assert "Your answers have been saved as a draft." in html
    assert html.count(" checked>") == len(inspection.control.current_revision.items)
    assert november(session).status == "in_progress"

    assert post(client, f"/inspections/{inspection.id}/submit", data).status_code == 302
    inspection = november(session)
    assert (inspection.status, inspection.result) == ("submitted", "fail")
    assert inspection.performed_by_id == inspector.id
    html = page(client, f"/inspections/{inspection.id}")
    assert 'data-testid="answer-form"' not in html and "Export log missing" in html
    assert 'data-testid="approve-form"' not in html  # inspectors never review


def test_someone_else_cannot_answer_an_inspection_assigned_to_another(
    session, clock, schedule, signed_in, assign
):
    _, inspector = signed_in("inspector")
    other, _ = signed_in("inspector")
    inspection = november(session)
    assign(inspection, inspector)
    assert 'data-testid="answer-form"' not in page(other, f"/inspections/{inspection.id}")
    assert post(
        other, f"/inspections/{inspection.id}/answers", answers(inspection)
    ).status_code == (403)


# --- reviewing --------------------------------------------------------------------------------


def test_the_performer_cannot_approve_and_another_responsible_person_can(
    session, clock, schedule, signed_in
):
    performer_client, performer = signed_in("responsible")
    reviewer_client, _ = signed_in("responsible")
    inspection = performed(session, clock, performer, fail=1)

    html = page(performer_client, f"/inspections/{inspection.id}")
    assert 'data-testid="segregation-note"' in html and "segregation of duties" in html
    assert 'data-testid="approve-form"' not in html and 'data-testid="return-form"' not in html
    refused = post(performer_client, f"/inspections/{inspection.id}/approve", {"severity": "low"})
    assert refused.status_code == 403
    assert "you cannot review it" in refused.get_data(as_text=True)
    assert (
        post(
            performer_client, f"/inspections/{inspection.id}/return", {"return_comment": "x"}
        ).status_code
        == 403
    )
    assert november(session).status == "submitted"

    queue = page(reviewer_client, "/inspections/review")
    assert f'data-inspection="{inspection.id}"' in queue
    html = page(reviewer_client, f"/inspections/{inspection.id}")
    assert 'data-testid="approve-form"' in html
    approved = post(reviewer_client, f"/inspections/{inspection.id}/approve", {"severity": "high"})
    assert approved.status_code == 302
    assert november(session).status == "approved"

    findings = page(reviewer_client, "/findings/")
    row = re.search(r'<tr data-finding="(\d+)" data-code="ORG-04"', findings)
    assert row and "ORG-04 2026-11, question 1" in findings
    html = page(reviewer_client, f"/inspections/{inspection.id}")
    assert 'data-testid="snapshot-note"' in html and 'data-testid="inspection-findings"' in html
    assert f'data-inspection="{inspection.id}"' not in page(reviewer_client, "/inspections/review")


def test_a_return_needs_a_comment_and_reaches_the_performer(session, clock, schedule, signed_in):
    inspector_client, inspector = signed_in("inspector")
    reviewer_client, _ = signed_in("responsible")
    inspection = performed(session, clock, inspector)

    empty = post(reviewer_client, f"/inspections/{inspection.id}/return", {"return_comment": " "})
    assert empty.status_code == 400
    assert "Say what needs to change" in empty.get_data(as_text=True)
    comment = "Attach the printed access log"
    back = post(
        reviewer_client, f"/inspections/{inspection.id}/return", {"return_comment": comment}
    )
    assert back.status_code == 302
    assert november(session).status == "returned"
    mine = page(inspector_client, "/inspections/mine")
    assert section(mine, "returned") == ["ORG-04"] and comment in mine
    html = page(inspector_client, f"/inspections/{inspection.id}")
    assert 'data-testid="returned-note"' in html and 'data-testid="answer-form"' in html


def test_the_responsible_person_assigns_and_reassigns(session, clock, schedule, signed_in):
    client, _ = signed_in("responsible")
    first, second = signed_in("inspector")[1], signed_in("inspector")[1]
    auditor = signed_in("auditor")[1]
    inspection = november(session)
    html = page(client, f"/inspections/{inspection.id}")
    assert f'<option value="{first.id}">' in html and f'value="{auditor.id}"' not in html

    for person in (first, second):
        path = f"/inspections/{inspection.id}/assign"
        assert post(client, path, {"assignee_id": str(person.id)}).status_code == 302
        assert november(session).assignee_id == person.id
    bad = post(client, f"/inspections/{inspection.id}/assign", {"assignee_id": str(auditor.id)})
    assert bad.status_code == 400 and november(session).assignee_id == second.id


# --- reading -------------------------------------------------------------------------------


def test_the_auditor_reads_everything_but_every_post_is_refused(
    session, clock, schedule, signed_in
):
    client, _ = signed_in("auditor")
    inspector = signed_in("inspector")[1]
    manager = signed_in("responsible")[1]
    inspection = performed(session, clock, inspector, fail=1)
    workflow.approve(session, Actor.for_user(manager), inspection, now=clock())
    finding = session.scalar(select(Finding))
    action = finding_service.add_action(
        session,
        Actor.for_user(manager),
        finding,
        description="Fix",
        owner=inspector,
        due_on=TODAY,
        now=clock(),
        tz=TOKYO,
    )
    session.commit()

    for path in (
        "/inspections/",
        f"/inspections/{inspection.id}",
        "/findings/",
        f"/findings/{finding.id}",
    ):
        html = page(client, path)
        assert 'method="post" action="/inspections' not in html, path
        assert 'method="post" action="/findings' not in html, path
    assert client.get("/inspections/mine").status_code == 403
    assert client.get("/inspections/review").status_code == 403
    for path in (
        *(f"/inspections/{inspection.id}/{verb}" for verb in ("answers", "submit", "approve")),
        *(f"/inspections/{inspection.id}/{verb}" for verb in ("return", "assign")),
        f"/findings/{finding.id}/severity",
        f"/findings/{finding.id}/actions",
        f"/findings/actions/{action.id}/progress",
        f"/findings/actions/{action.id}/verify",
    ):
        assert post(client, path, {"status": "in_progress"}).status_code == 403, path


def test_the_list_shows_what_is_due_soon_and_filters(session, clock, schedule, signed_in, assign):
    client, _ = signed_in("auditor")
    inspector = signed_in("inspector")[1]
    assign(november(session), inspector)
    monthly = monthly_codes(session)

    default = listed(client, "/inspections/")
    # Pending work due within 60 days: the monthly and the quarterly inspections of November.
    quarterly = sorted(
        session.scalars(select(Control.code).where(Control.frequency == "quarterly"))
    )
    assert sorted(default) == sorted(monthly + quarterly)
    assert 'class="table-danger a8-overdue"' not in page(client, "/inspections/")
    assert listed(client, f"/inspections/?assignee={inspector.id}") == ["ORG-04"]
    assert listed(client, "/inspections/?control=org-04") == ["ORG-04"]
    physical = session.scalars(select(Control.code).where(Control.category == "physical"))
    assert sorted(listed(client, "/inspections/?category=physical")) == sorted(physical)
    assert sorted(listed(client, "/inspections/?status=open")) == monthly
    later = listed(client, f"/inspections/?due_from={NOVEMBER_DUE + timedelta(days=1)}")
    assert later and not set(later) & set(monthly)
    assert listed(client, f"/inspections/?due_to={NOVEMBER_DUE}") == sorted(monthly)
    assert len(listed(client, "/inspections/?status=")) == 41  # an empty filter shows all

    assert listed(client, "/inspections/?status=overdue") == []
    clock.advance(days=20)  # 14 December: four days after the monthly due date
    client, _ = signed_in("auditor")  # the earlier sign-in has expired by now
    html = page(client, "/inspections/?status=overdue")
    assert listed(client, "/inspections/?status=overdue") == sorted(monthly)
    assert html.count('class="table-danger a8-overdue"') == len(monthly)
    assert "4 days overdue" in html


def test_the_inspection_page_speaks_japanese(session, clock, schedule, signed_in, assign):
    client, inspector = signed_in("inspector", locale="ja")
    inspection = november(session)
    assign(inspection, inspector)
    html = page(client, f"/inspections/{inspection.id}")
    first = inspection.control.current_revision.items[0]
    assert f'<span lang="ja">{first.text_ja}</span>' in html
    for label in (
        "下書きを保存",
        "適合",
        "不適合",
        "該当なし",
        "担当の点検",
        "点検一覧",
        "指摘事項",
    ):
        assert label in html


def test_only_those_who_may_read_the_audit_trail_see_the_history_link(
    session, clock, schedule, signed_in
):
    inspection = november(session)
    history = f"/audit/?object_type=inspection&amp;object_id={inspection.id}"
    inspector, _ = signed_in("inspector")
    assert history not in page(inspector, f"/inspections/{inspection.id}")
    for role in ("responsible", "auditor"):
        reader, _ = signed_in(role)
        assert history in page(reader, f"/inspections/{inspection.id}")
        assert reader.get(history.replace("&amp;", "&")).status_code == 200
