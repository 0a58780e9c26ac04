"""The audit trail reads as a story: what was done, by whom, to what — in the reader's language,
with links to the objects that still exist and the recorded event one click away."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from html import unescape as html_text

from sqlalchemy import event, select

from article8.access import register
from article8.controls.findings import services as findings
from article8.controls.incidents import services as incidents
from article8.controls.inspections import services as workflow
from article8.core import audit, users
from article8.core.audit import Actor
from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from tests.conftest import SYSTEM_ACTOR
from tests.support.evidence import add_item
from tests.support.inspections import november, page, performed
from tests.support.schedule import TOKYO


def rows(html: str) -> dict[str, str]:
    """The table rows of an audit page, by the recorded action (the last row of each)."""
    found = {}
    for row in re.findall(r'<tr data-seq="\d+">(.*?)</details>', html, re.S):
        found[re.search(r'data-action="([^"]+)"', row).group(1)] = row
    return found


def cell(row: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}"[^>]*>(.*?)</td>', row, re.S).group(1)


def approved(session, clock, make_user):
    """An inspector's November ORG-04 inspection, approved by a responsible person."""
    inspector = make_user("inspector", display_name="Hanako Sato")
    reviewer = make_user("responsible", display_name="Taro Suzuki")
    inspection = performed(session, clock, inspector)
    workflow.approve(session, Actor.for_user(reviewer), inspection, now=clock())
    session.commit()
    return inspection, reviewer


def test_the_english_page_names_actions_objects_and_people(
    client, login_as, session, clock, schedule, make_user
):
    inspection, reviewer = approved(session, clock, make_user)
    login_as("auditor")
    html = page(client, "/audit/")
    shown = rows(html)

    approval = shown["inspection.approve"]
    assert "Approved an inspection" in approval
    assert cell(approval, "audit-actor").strip() == "Taro Suzuki"
    assert reviewer.email in approval  # the account, on hover and in the raw record
    # (The period's wording is the period label's business; the page shows it after the code.)
    link = rf'<a href="/inspections/{inspection.id}">Inspection ORG-04 [^<]*2026[^<]*</a>'
    assert re.search(link, cell(approval, "audit-object"))
    # The scheduler created the inspections: a process, named as one.
    assert cell(shown["inspection.create"], "audit-actor").strip() == "System (scheduler)"
    # The area and action filters offer labels, not codes.
    assert '<option value="inspection.approve" >Approved an inspection</option>' in html
    assert '<option value="findings" >Findings and corrective actions</option>' in html


def test_the_japanese_page_names_actions_objects_and_people_in_japanese(
    client, login_as, session, clock, schedule, make_user
):
    approved(session, clock, make_user)
    audit.record(session, Actor(None, "cli:root"), "backup.create", now=clock())
    session.commit()
    login_as("auditor", locale="ja")
    shown = rows(page(client, "/audit/"))

    approval = shown["inspection.approve"]
    assert "点検を承認" in approval and "Approved an inspection" not in approval
    assert re.search(r">点検 ORG-04 [^<]*2026[^<]*</a>", cell(approval, "audit-object"))
    assert cell(shown["inspection.create"], "audit-actor").strip() == "システム（スケジューラ）"
    assert cell(shown["backup.create"], "audit-actor").strip() == "コマンドライン（root）"


def test_objects_link_by_name_and_gone_or_absent_objects_have_no_link(
    client, login_as, session, clock, synced_catalogue, make_user
):
    target = make_user("inspector", display_name="Jiro Tanaka")
    actor = Actor(None, "system:scheduler")
    audit.record(
        session,
        actor,
        "control.update",
        now=clock(),
        object_type="control",
        object_id="ORG-04",
        details={"changes": {"frequency": {"before": "monthly", "after": "quarterly"}}},
    )
    audit.record(
        session,
        actor,
        "inspection.approve",
        now=clock(),
        object_type="inspection",
        object_id=987654,
    )
    audit.record(
        session,
        actor,
        "register.import",
        now=clock(),
        object_type="register",
        object_id=None,
        details={"file": "名簿.csv", "people": 3},
    )
    session.commit()
    login_as("admin")
    html = page(client, "/audit/")
    shown = rows(html)

    assert '<a href="/controls/ORG-04">Control ORG-04</a>' in shown["control.update"]
    user_cell = cell(shown["user.create"], "audit-object")
    assert f'href="/admin/users/{target.id}"' in user_cell and "User Jiro Tanaka" in user_cell
    gone = cell(shown["inspection.approve"], "audit-object")
    assert "Inspection (no longer exists)" in gone and "<a" not in gone and "987654" not in gone
    whole = cell(shown["register.import"], "audit-object")
    assert whole.strip() == "Handler register"
    # Nothing on the page links to an object without an id.
    assert "object_id=None" not in html and "object_id=&" not in html


def test_evidence_people_and_incidents_are_named_and_linked(
    client, login_as, session, clock, settings, synced_catalogue, make_user
):
    item = add_item(session, LocalBlobStore(settings.evidence_dir), clock, name="点検記録.pdf")
    person = register.PersonInput("E002", "山田 花子", date(2024, 4, 1), department="営業部")
    handler = register.save_person(session, SYSTEM_ACTOR, person, now=clock()).item
    reporter = make_user("inspector")
    incident = incidents.report_violation(
        session,
        Actor.for_user(reporter),
        "顧客名簿の誤送信",
        "11月分の名簿を社外に送付した。",
        clock(),
        now=clock(),
        tz=settings.timezone,
    )
    session.commit()
    login_as("responsible")
    shown = rows(page(client, "/audit/"))

    assert f'<a href="/evidence/{item.id}">Evidence 点検記録.pdf</a>' in shown["evidence.upload"]
    assert (
        f'<a href="/register/{handler.id}">Handler 山田 花子 (E002)</a>'
        in shown["register.person.create"]
    )
    assert (
        f'<a href="/incidents/{incident.id}">Incident 顧客名簿の誤送信</a>'
        in shown["incident.report"]
    )


def test_an_auditor_sees_a_user_by_name_without_a_link_to_the_admin_page(
    client, login_as, make_user
):
    target = make_user("inspector", display_name="Jiro Tanaka")
    login_as("auditor")
    user_cell = cell(rows(page(client, "/audit/"))["user.create"], "audit-object")
    assert "User Jiro Tanaka" in user_cell and f"/admin/users/{target.id}" not in user_cell


def test_changes_show_as_a_before_and_after_table_with_the_raw_record_beside(
    client, login_as, session, clock, make_user
):
    target = make_user("inspector")
    users.change_role(session, SYSTEM_ACTOR, target, "auditor", now=clock())
    session.commit()
    login_as("responsible")
    html = page(client, f"/audit/?object_type=user&object_id={target.id}")
    change = rows(html)["user.role_change"]

    table = re.search(r'data-testid="audit-changes">(.*?)</table>', change, re.S).group(1)
    assert re.search(r"Role</th><td[^>]*>Inspector</td><td[^>]*>→</td><td[^>]*>Auditor</td>", table)
    stored = session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_change"))
    raw = re.search(r'<details data-testid="audit-raw">(.*)', change, re.S).group(1)
    assert stored.hash in raw
    recorded = html_text(re.search(r'data-testid="audit-json">(.*?)</code>', raw, re.S).group(1))
    assert recorded == stored.details  # what the hash covers, as stored
    assert json.loads(recorded) == {"before": "inspector", "after": "auditor"}
    # The filtered page is the user's history, headed by their name.
    assert f"History of User {target.display_name}" in html


def test_details_name_people_and_words_and_show_local_times(
    client, login_as, session, clock, synced_catalogue, make_user
):
    owner = make_user("responsible", display_name="Keiko Ito")
    changes = {"owner_id": {"before": None, "after": owner.id}}
    audit.record(
        session,
        SYSTEM_ACTOR,
        "control.update",
        now=clock(),
        object_type="control",
        object_id="ORG-04",
        details={"changes": changes},
    )
    locked = datetime(2026, 11, 24, 1, 15, tzinfo=UTC)  # 10:15 in Tokyo
    audit.record(
        session,
        Actor(None, "anonymous"),
        "auth.lockout",
        now=clock(),
        details={"key": "account", "locked_until": locked},
    )
    session.commit()
    login_as("auditor")
    shown = rows(page(client, "/audit/"))

    assert re.search(
        r"Owner</th><td>—</td><td[^>]*>→</td><td>Keiko Ito</td>", shown["control.update"]
    )
    lockout = shown["auth.lockout"]
    assert cell(lockout, "audit-actor").strip() == "Not signed in"
    assert "Account" in lockout and "2026-11-24 10:15" in lockout


def test_a_findings_history_includes_its_corrective_actions(
    client, login_as, session, clock, schedule, make_user
):
    inspector = make_user("inspector")
    reviewer = make_user("responsible")
    inspection = performed(session, clock, inspector, fail=1)
    (finding,) = workflow.approve(session, Actor.for_user(reviewer), inspection, now=clock())
    findings.add_action(
        session,
        Actor.for_user(reviewer),
        finding,
        description="Turn on export logging",
        owner=inspector,
        due_on=date(2026, 12, 8),
        now=clock(),
        tz=TOKYO,
    )
    session.commit()
    login_as("auditor")
    html = page(client, f"/audit/?object_type=finding&object_id={finding.id}")

    assert set(rows(html)) == {"finding.open", "action.create"}
    assert f'<a href="/findings/{finding.id}">Corrective action for' in html


def test_the_trail_filters_by_area_and_by_person(client, login_as, session, clock, make_user):
    someone = make_user("inspector")
    users.set_locale(session, Actor.for_user(someone), someone, "ja", now=clock())
    audit.record(
        session,
        SYSTEM_ACTOR,
        "finding.severity",
        now=clock(),
        object_type="finding",
        object_id=1,
        details={"before": "low", "after": "high"},
    )
    session.commit()
    login_as("auditor")

    findings = rows(page(client, "/audit/?area=findings"))
    assert set(findings) == {"finding.severity"}
    assert "Low" in findings["finding.severity"] and "High" in findings["finding.severity"]
    assert {"user.create", "auth.login", "user.locale_change"} <= set(
        rows(page(client, "/audit/?area=users"))
    )
    theirs = rows(page(client, f"/audit/?actor={someone.id}"))
    assert set(theirs) == {"user.locale_change"}
    assert rows(page(client, f"/audit/?actor={someone.id}&area=findings")) == {}


def test_names_are_resolved_for_the_whole_page_at_once(
    client, login_as, session, clock, schedule, connection
):
    login_as("auditor")

    def statements_for_page() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(connection, "before_cursor_execute", listener)
        try:
            page(client, "/audit/?action=inspection.create")
        finally:
            event.remove(connection, "before_cursor_execute", listener)
        return len(seen)

    created = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "inspection.create")
    ).all()
    assert len(created) > 20
    few = statements_for_page()
    assert few > 0
    for _ in range(3):
        audit.record(
            session,
            SYSTEM_ACTOR,
            "inspection.create",
            now=clock(),
            object_type="inspection",
            object_id=november(session).id,
        )
    session.commit()
    # Three more events on the page, the same number of queries.
    assert statements_for_page() == few
