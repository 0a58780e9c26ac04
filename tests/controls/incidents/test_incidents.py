"""The reporting line and the PPC leak-report assessment: anyone reports and the responsible persons
hear at once; the assessment sets the deadlines (5 days; 30, or 60 for an unlawful purpose);
reports are recorded; deadline reminders go out once each and escalate when overdue."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.controls.catalogue.services import sync_catalogue
from article8.controls.incidents import queries as incident_queries
from article8.controls.incidents import record
from article8.controls.incidents import services as incidents
from article8.controls.incidents.errors import NotClosable
from article8.controls.incidents.reminders import queue_incident_reminders
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError
from article8.core.models import AuditEvent, Notification
from article8.core.users import set_active
from tests.conftest import SYSTEM_ACTOR

TOKYO = ZoneInfo("Asia/Tokyo")
# 01:00 on Wednesday 25 November in Tokyo, still the 24th in UTC: deadlines count local days.
AWARE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
BASE = "https://article8.example.jp"


@pytest.fixture
def people(make_user):
    """A reporter, two responsible persons (one Japanese, one English) and an inactive one."""
    reporter = make_user("inspector")
    ja = make_user("responsible", locale="ja")
    en = make_user("responsible", locale="en")
    return reporter, ja, en


def report(session, user, clock, **fields):
    return incidents.report_violation(
        session,
        Actor.for_user(user),
        fields.pop("title", "Customer list mailed to the wrong address"),
        fields.pop("description", "The November list went to an outside address."),
        fields.pop("aware_at", AWARE),
        fields.pop("control_code", None),
        now=fields.pop("now", clock()),
        tz=TOKYO,
        base_url=BASE,
    )


def assess(session, user, incident, clock, *, unlawful=False, sensitive=False, over_1000=False):
    incidents.assess(
        session,
        Actor.for_user(user),
        incident,
        sensitive=sensitive,
        financial=False,
        unlawful=unlawful,
        over_1000=over_1000,
        now=clock(),
        tz=TOKYO,
    )


def file_report(session, user, incident, kind, day, *, now):
    return record.record_filing(
        session, Actor.for_user(user), incident, kind=kind, filed_on=day, now=now, tz=TOKYO
    )


def triage(session, user, incident, clock):
    record.update_record(
        session,
        Actor.for_user(user),
        incident,
        {"aware_at": incident.aware_at},
        now=clock(),
        tz=TOKYO,
    )


def notifications(session, kind: str | None = None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(session.scalars(query))


def audit_actions(session, incident_id: int) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "incident", AuditEvent.object_id == str(incident_id))
            .order_by(AuditEvent.seq)
        )
    )


@pytest.fixture
def clock_after(clock):
    clock.current = AWARE + timedelta(hours=2)
    return clock


# --- reporting -------------------------------------------------------------------------------


def test_anyone_reports_and_every_active_responsible_person_is_notified_in_their_language(
    session, people, make_user, clock_after, shipped_catalogue
):
    reporter, ja, en = people
    gone = make_user("responsible")
    set_active(session, SYSTEM_ACTOR, gone, False, now=clock_after())
    sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock_after())
    incident = report(session, reporter, clock_after, control_code="org-03")
    assert (incident.status, incident.reported_by_id) == ("reported", reporter.id)
    assert incident.control.code == "ORG-03" and not incident.assessed
    mails = {n.recipient_id: n for n in notifications(session, "incident.reported")}
    assert set(mails) == {ja.id, en.id}
    assert mails[en.id].subject.startswith(
        "[article8] Incident or rule breach reported: Customer list"
    )
    assert "違反" in mails[ja.id].subject
    assert f"{BASE}/incidents/{incident.id}" in mails[en.id].body
    assert "2026-11-25 01:00" in mails[en.id].body  # local time of awareness
    assert audit_actions(session, incident.id) == ["incident.report"]


def test_with_no_responsible_person_the_administrators_hear_of_it(session, make_user, clock):
    reporter, admin = make_user("inspector"), make_user("admin")
    report(session, reporter, clock, aware_at=clock() - timedelta(hours=1))
    assert [n.recipient_id for n in notifications(session)] == [admin.id]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"aware_at": AWARE + timedelta(days=1)}, "aware_at"),
        ({"control_code": "NOPE-1"}, "control"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field(session, people, clock_after, fields, field):
    with pytest.raises(ValidationError) as refused:
        report(session, people[0], clock_after, **fields)
    assert refused.value.field == field
    assert notifications(session) == []


# --- assessment and deadlines ----------------------------------------------------------------


def test_a_reportable_incident_gets_5_and_30_day_deadlines_from_the_local_day(
    session, people, clock_after
):
    reporter, boss, _en = people
    incident = report(session, reporter, clock_after)
    assess(session, boss, incident, clock_after, sensitive=True)
    assert incident.reportable and incident.status == "investigating"
    assert incident.preliminary_due_on == date(2026, 11, 30)  # 25 November + 5
    assert incident.final_due_on == date(2026, 12, 25)  # + 30
    assert (incident.assessed_by_id, incident.assessed_at) == (boss.id, clock_after())


def test_a_possible_unlawful_purpose_gives_60_days_for_the_final_report(
    session, people, clock_after
):
    reporter, boss, _en = people
    incident = report(session, reporter, clock_after)
    assess(session, boss, incident, clock_after, unlawful=True)
    assert incident.final_due_on == date(2027, 1, 24)  # 25 November + 60
    assert incident.preliminary_due_on == date(2026, 11, 30)


def test_not_reportable_means_no_deadlines_and_reassessing_clears_them(
    session, people, clock_after
):
    reporter, boss, _en = people
    incident = report(session, reporter, clock_after)
    assess(session, boss, incident, clock_after, over_1000=True)
    assert incident.final_due_on is not None
    assess(session, boss, incident, clock_after)
    assert incident.assessed and not incident.reportable
    assert (incident.preliminary_due_on, incident.final_due_on) == (None, None)
    assert incident_queries.deadlines(incident, date(2027, 6, 1)) == []
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.assess").order_by(AuditEvent.seq)
    ).all()
    last = json.loads(events[-1].details)
    assert last["before"]["over_1000_people"] is True and last["after"]["final_due_on"] is None


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_only_the_responsible_person_handles_incidents(session, people, make_user, clock, role):
    incident = report(session, people[0], clock, aware_at=clock() - timedelta(hours=1))
    someone = make_user(role)
    with pytest.raises(PermissionDenied):
        assess(session, someone, incident, clock, sensitive=True)
    with pytest.raises(PermissionDenied):
        incidents.set_status(
            session, Actor.for_user(someone), incident, "investigating", now=clock()
        )
    assert not incident.assessed and incident.status == "reported"


def test_reports_to_the_ppc_are_recorded_in_order(session, people, clock_after):
    reporter, boss, _en = people
    incident = report(session, reporter, clock_after)
    with pytest.raises(ValidationError):  # not assessed: nothing to report
        file_report(session, boss, incident, "preliminary", date(2026, 11, 25), now=clock_after())
    assess(session, boss, incident, clock_after, sensitive=True)
    clock_after.advance(days=3)
    with pytest.raises(ValidationError) as refused:
        file_report(session, boss, incident, "final", date(2026, 11, 26), now=clock_after())
    assert "preliminary" in str(refused.value)
    with pytest.raises(ValidationError):  # in the future
        file_report(session, boss, incident, "preliminary", date(2026, 12, 30), now=clock_after())
    with pytest.raises(ValidationError):  # before the company knew
        file_report(session, boss, incident, "preliminary", date(2026, 11, 24), now=clock_after())
    file_report(session, boss, incident, "preliminary", date(2026, 11, 26), now=clock_after())
    file_report(session, boss, incident, "final", date(2026, 11, 27), now=clock_after())
    states = [d.state for d in incident_queries.deadlines(incident, date(2027, 1, 1))]
    assert states == ["done", "done"]
    assert audit_actions(session, incident.id)[-2:] == [
        "incident.filing",
        "incident.filing",
    ]


def test_closing_needs_a_resolution_triage_an_assessment_and_the_reports(
    session, people, clock_after
):
    reporter, boss, _en = people
    incident = report(session, reporter, clock_after)
    with pytest.raises(ValidationError) as refused:
        incidents.close(session, Actor.for_user(boss), incident, "", now=clock_after())
    assert refused.value.field == "resolution"
    with pytest.raises(NotClosable) as blocked:  # not triaged, not assessed
        incidents.close(
            session, Actor.for_user(boss), incident, "Recalled the mail", now=clock_after()
        )
    assert blocked.value.missing == ("aware_at", "assessment")
    triage(session, boss, incident, clock_after)
    assess(session, boss, incident, clock_after, sensitive=True)
    with pytest.raises(NotClosable) as blocked:
        incidents.close(
            session, Actor.for_user(boss), incident, "Recalled the mail", now=clock_after()
        )
    assert blocked.value.missing == ("preliminary_report", "final_report", "notification")
    assess(session, boss, incident, clock_after)  # on reflection: not reportable
    incidents.close(session, Actor.for_user(boss), incident, "Recalled the mail", now=clock_after())
    assert (incident.status, incident.closed_at) == ("closed", clock_after())
    with pytest.raises(ValidationError):  # closed: reopen first
        assess(session, boss, incident, clock_after, sensitive=True)
    incidents.set_status(
        session, Actor.for_user(boss), incident, "investigating", now=clock_after()
    )
    assert incident.status == "investigating" and incident.closed_at is None
    assert audit_actions(session, incident.id)[-2:] == ["incident.close", "incident.status"]


def test_the_list_puts_open_and_overdue_incidents_first(session, people, clock_after):
    reporter, boss, _en = people
    old = report(session, reporter, clock_after, title="Old, closed")
    triage(session, boss, old, clock_after)
    assess(session, boss, old, clock_after)
    incidents.close(session, Actor.for_user(boss), old, "done", now=clock_after())
    late = report(session, reporter, clock_after, title="Late")
    assess(session, boss, late, clock_after, sensitive=True)
    fresh = report(session, reporter, clock_after, title="Fresh, unassessed")
    calm = report(session, reporter, clock_after, title="Not reportable")
    assess(session, boss, calm, clock_after)
    day = date(2026, 12, 1)  # the late one's preliminary report was due on 30 November
    listed = incident_queries.incident_list(session, day)
    assert [i.title for i in listed] == [late.title, fresh.title, calm.title, old.title]
    assert incident_queries.is_overdue(late, day) and not incident_queries.is_overdue(fresh, day)
    assert incident_queries.my_reports(session, reporter.id)[0].id == calm.id
    assert incident_queries.my_reports(session, boss.id) == []


# --- deadline reminders ----------------------------------------------------------------------


def test_deadline_reminders_go_out_once_each_and_escalate_when_overdue(
    session, people, make_user, clock_after
):
    reporter, ja, en = people
    admin = make_user("admin")
    incident = report(session, reporter, clock_after)
    assess(session, ja, incident, clock_after, unlawful=True)
    session.query(Notification).delete()  # the report's own notifications are not the point

    def run(day: str) -> list[Notification]:
        at = datetime.fromisoformat(f"{day}T10:00:00+09:00")
        queue_incident_reminders(session, tz=TOKYO, base_url=BASE, now=at)
        queue_incident_reminders(session, tz=TOKYO, base_url=BASE, now=at)  # again: no repeat
        return notifications(session)

    # 速報 due 30 November (day 5 from 25 November): 7 days ahead is already past at assessment,
    # so the first run sends the 7-day step; then 3, 1 and 0 days before.
    assert [n.key.split(":")[0] for n in run("2026-11-26")] == ["incident.preliminary.d7"] * 2
    assert len(run("2026-11-26")) == 2
    assert len(run("2026-11-27")) == 4  # 3 days left
    english = [n for n in notifications(session) if n.recipient_id == en.id][-1]
    assert english.subject == (
        f"[article8] Incident {incident.id}: the preliminary report (速報) to the PPC is due in "
        "3 days, on 2026-11-30"
    )
    assert "weekends" in english.body
    assert len(run("2026-11-28")) == 4  # 2 days left: nothing new
    assert len(run("2026-11-29")) == 6  # 1 day
    assert len(run("2026-11-30")) == 8  # on the day
    late = run("2026-12-01")[8:]
    assert {n.kind for n in late} == {"incident.overdue"}
    assert [n.recipient_id for n in late] == [admin.id]  # escalated to the administrator
    assert "Escalation" in late[0].subject
    file_report(
        session, ja, incident, "preliminary", date(2026, 12, 1), now=AWARE + timedelta(days=7)
    )
    assert len(run("2026-12-05")) == 9  # reported: nothing more about the preliminary report
    # 確報 due 24 January (60 days, (iii)): 7 days before is 17 January.
    assert len(run("2027-01-16")) == 9
    final = run("2027-01-17")[9:]
    assert len(final) == 2 and all(n.key.startswith("incident.final.d7") for n in final)


def test_unassessed_or_reported_incidents_send_no_reminders(session, people, clock_after):
    reporter, boss, _en = people
    report(session, reporter, clock_after)  # never assessed
    done = report(session, reporter, clock_after, title="Reported in time")
    assess(session, boss, done, clock_after, sensitive=True)
    for kind in ("preliminary", "final"):
        file_report(session, boss, done, kind, date(2026, 11, 25), now=clock_after())
    triage(session, boss, done, clock_after)
    record.record_notification(
        session,
        Actor.for_user(boss),
        done,
        "notified",
        notified_on=date(2026, 11, 25),
        method="E-mail",
        content="What leaked and whom to ask",
        now=clock_after(),
        tz=TOKYO,
    )
    incidents.close(session, Actor.for_user(boss), done, "Reported and fixed", now=clock_after())
    session.query(Notification).delete()
    at = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
    assert queue_incident_reminders(session, tz=TOKYO, base_url=BASE, now=at) == 0
