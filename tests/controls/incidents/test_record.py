"""The leak-report record: 事態を知った日時 confirmed at triage and changed only with a reason,
deadlines counted in calendar days from the day after (year-end included), (iv) from the count,
the encryption exemption, versioned report items, filings (voluntary ones too), the notification
of the individuals or its alternative, and the entrustment path that ends our own duty."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.controls.incidents import deadlines as ppc
from article8.controls.incidents import record
from article8.controls.incidents import services as incidents
from article8.controls.incidents.errors import NotClosable
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError
from article8.core.models import AuditEvent

TOKYO = ZoneInfo("Asia/Tokyo")
# 10:00 on Monday 28 December in Tokyo: the deadlines run through the year-end closure.
YEAR_END = datetime(2026, 12, 28, 10, 0, tzinfo=TOKYO)
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=TOKYO)
NO_TRIGGER = {"sensitive": False, "financial": False, "unlawful_purpose": False}


@pytest.fixture
def staff(make_user):
    return make_user("inspector"), make_user("responsible", locale="ja")


@pytest.fixture
def incident(session, staff):
    reporter, _boss = staff
    return incidents.report_violation(
        session,
        Actor.for_user(reporter),
        "Order list e-mailed to the wrong customer",
        "An export of 120 orders went to another customer.",
        YEAR_END,
        now=YEAR_END + timedelta(hours=1),
        tz=TOKYO,
    )


def update(session, user, incident, now=NOW, **fields):
    record.update_record(session, Actor.for_user(user), incident, fields, now=now, tz=TOKYO)


def events(session, incident, action):
    return [
        json.loads(e.details)
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_id == str(incident.id), AuditEvent.action == action)
            .order_by(AuditEvent.seq)
        )
    ]


# --- deadlines, hand-computed ----------------------------------------------------------------


def test_ordinary_deadlines_count_calendar_days_from_the_day_after_awareness():
    due = ppc.deadlines(date(2026, 11, 25), unlawful_purpose=False)
    assert due.preliminary_target == date(2026, 11, 28)  # day 3
    assert due.preliminary == date(2026, 11, 30)  # day 5 (a Monday; the weekend counted)
    assert due.final == date(2026, 12, 25)  # day 30


def test_awareness_on_28_december_runs_through_the_year_end(session, staff, incident):
    _reporter, boss = staff
    update(
        session,
        boss,
        incident,
        aware_at=YEAR_END.isoformat(),
        triggers={**NO_TRIGGER, "sensitive": True},
        individuals=120,
    )
    assert incident.preliminary_target_on == date(2026, 12, 31)
    assert incident.preliminary_due_on == date(2027, 1, 2)  # closure days count
    assert incident.final_due_on == date(2027, 1, 27)


def test_a_possible_unlawful_purpose_gives_60_days(session, staff, incident):
    _reporter, boss = staff
    update(
        session,
        boss,
        incident,
        aware_at=YEAR_END.isoformat(),
        triggers={**NO_TRIGGER, "unlawful_purpose": True},
        individuals=120,
        entrustment="none",
    )
    assert incident.reportable and incident.over_1000_people is False
    assert incident.final_due_on == date(2027, 2, 26)  # 28 December + 60
    assert incident.preliminary_due_on == date(2027, 1, 2)


def test_the_preliminary_target_and_limit_are_configurable(session, staff, incident):
    _reporter, boss = staff
    record.update_record(
        session,
        Actor.for_user(boss),
        incident,
        {"triggers": {**NO_TRIGGER, "financial": True}, "individuals": 3},
        now=NOW,
        tz=TOKYO,
        policy=ppc.Policy(preliminary_target_days=2, preliminary_days=4),
    )
    assert (incident.preliminary_target_on, incident.preliminary_due_on) == (
        date(2026, 12, 30),
        date(2027, 1, 1),
    )


def test_awareness_edited_later_needs_a_reason_recomputes_and_is_audited(session, staff, incident):
    _reporter, boss = staff
    update(session, boss, incident, aware_at=YEAR_END.isoformat())  # triage: no reason needed
    assert incident.aware_confirmed_by_id == boss.id
    update(session, boss, incident, triggers={**NO_TRIGGER, "sensitive": True}, individuals=9)
    earlier = datetime(2026, 12, 20, 10, 0, tzinfo=TOKYO)
    with pytest.raises(ValidationError) as refused:
        update(session, boss, incident, aware_at=earlier.isoformat())
    assert refused.value.field == "aware_reason"
    assert incident.preliminary_due_on == date(2027, 1, 2)  # unchanged so far
    update(
        session,
        boss,
        incident,
        aware_at=earlier.isoformat(),
        aware_reason="The sales office knew on the 20th; any department's knowledge counts.",
    )
    assert incident.preliminary_target_on == date(2026, 12, 23)
    assert incident.preliminary_due_on == date(2026, 12, 25)
    assert incident.final_due_on == date(2027, 1, 19)
    [triaged] = events(session, incident, "incident.triage")
    assert triaged["after"]["aware_confirmed_at"] is not None
    [edit] = events(session, incident, "incident.aware_at")
    assert edit["before"]["aware_at"].startswith("2026-12-28T01:00")
    assert edit["after"]["aware_at"].startswith("2026-12-20T01:00")
    assert edit["before"]["final_due_on"] == "2027-01-27"
    assert edit["after"]["final_due_on"] == "2027-01-19"
    assert "sales office" in edit["reason"]


# --- the assessment --------------------------------------------------------------------------


def test_over_1000_follows_from_the_number_or_the_top_of_an_estimate(session, staff, incident):
    _reporter, boss = staff
    update(session, boss, incident, triggers=NO_TRIGGER, individuals=1000)
    assert incident.over_1000_people is False and not incident.reportable
    update(session, boss, incident, individuals_estimate={"low": 800, "high": 1500})
    assert incident.over_1000_people is True and incident.reportable
    assert (incident.individuals, incident.individuals_low) == (None, 800)
    with pytest.raises(ValidationError) as refused:
        update(session, boss, incident, triggers={"over_1000": False})
    assert refused.value.field == "over_1000"
    with pytest.raises(ValidationError):
        update(session, boss, incident, individuals_estimate={"low": 10, "high": 5})


def test_encryption_exemption_and_no_personal_data_need_an_explanation(session, staff, incident):
    _reporter, boss = staff
    update(session, boss, incident, triggers={**NO_TRIGGER, "sensitive": True}, individuals=5)
    assert incident.reportable
    with pytest.raises(ValidationError) as refused:
        update(session, boss, incident, encrypted_exempt=True)
    assert refused.value.field == "encryption_note"
    update(
        session,
        boss,
        incident,
        encrypted_exempt=True,
        encryption_note="AES-256 full-disk encryption; the key was not on the lost laptop.",
    )
    assert not incident.reportable and incident.final_due_on is None
    with pytest.raises(ValidationError) as refused:
        update(session, boss, incident, personal_data="unknown")
    assert refused.value.field == "personal_data_reason"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"aware_at": "2026-12-28 10:00"}, "aware_at"),  # no offset
        ({"aware_at": "2027-02-01T10:00:00+09:00"}, "aware_at"),  # future
        ({"kinds": ["leak", "theft"]}, "kinds"),
        ({"media": "cloud"}, "media"),
        ({"individuals": -1}, "individuals"),
        (
            {"entrustment": "contractor", "principal_notified_on": "2026-12-29"},
            "principal_recipient",
        ),
        ({"items": {"motive": "x"}}, "items"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_naming_the_field(session, staff, incident, fields, field):
    with pytest.raises(ValidationError) as refused:
        update(session, staff[1], incident, **fields)
    assert refused.value.field == field


def test_only_managers_change_the_record(session, staff, incident, make_user):
    for user in (staff[0], make_user("auditor")):
        with pytest.raises(PermissionDenied):
            update(session, user, incident, media="paper")


def test_each_report_item_keeps_every_version(session, staff, incident):
    _reporter, boss = staff
    update(session, boss, incident, items={"summary": "誤送信", "cause": "宛先の選択誤り"})
    update(
        session, boss, incident, items={"summary": "注文一覧の誤送信", "cause": "宛先の選択誤り"}
    )
    versions = [(v.item, v.version, v.text) for v in incident.item_versions]
    assert versions == [
        ("summary", 1, "誤送信"),
        ("cause", 1, "宛先の選択誤り"),
        ("summary", 2, "注文一覧の誤送信"),
    ]
    assert incident.items()["summary"].text == "注文一覧の誤送信"
    assert [e["version"] for e in events(session, incident, "incident.item")] == [1, 1, 2]


# --- filings, notification, closing ----------------------------------------------------------


def test_reports_filed_with_a_ministry_a_receipt_number_and_a_supplement(session, staff, incident):
    _reporter, boss = staff
    update(
        session,
        boss,
        incident,
        aware_at=YEAR_END.isoformat(),
        triggers={**NO_TRIGGER, "financial": True},
        individuals=40,
    )

    def file(kind, day, **kw):
        return record.record_filing(
            session,
            Actor.for_user(boss),
            incident,
            kind=kind,
            filed_on=day,
            now=NOW,
            tz=TOKYO,
            **kw,
        )

    with pytest.raises(ValidationError) as refused:
        file("preliminary", date(2026, 12, 30), destination="ministry")
    assert refused.value.field == "authority"
    with pytest.raises(ValidationError):
        file("supplement", date(2026, 12, 30))  # no final report yet
    file("preliminary", date(2026, 12, 30), receipt_number="PPC-2026-0001")
    file("final", date(2027, 1, 4), destination="ministry", authority="金融庁")
    file("supplement", date(2027, 1, 5))
    assert [(f.kind, f.authority, f.voluntary) for f in incident.filings] == [
        ("preliminary", "", False),
        ("final", "金融庁", False),
        ("supplement", "", False),
    ]
    assert (incident.preliminary_reported_on, incident.final_reported_on) == (
        date(2026, 12, 30),
        date(2027, 1, 4),
    )


def test_a_preliminary_report_stays_when_the_facts_turn_out_not_reportable(
    session, staff, incident
):
    _reporter, boss = staff
    update(session, boss, incident, triggers={**NO_TRIGGER, "sensitive": True}, individuals=2)
    record.record_filing(
        session,
        Actor.for_user(boss),
        incident,
        kind="preliminary",
        filed_on=date(2026, 12, 29),
        now=NOW,
        tz=TOKYO,
    )
    update(session, boss, incident, triggers={**NO_TRIGGER, "sensitive": False})
    assert not incident.reportable and incident.final_due_on is None
    assert [f.kind for f in incident.filings] == ["preliminary"]
    with pytest.raises(ValidationError) as refused:  # not required: voluntary needs a reason
        record.record_filing(
            session,
            Actor.for_user(boss),
            incident,
            kind="combined",
            filed_on=date(2027, 1, 4),
            now=NOW,
            tz=TOKYO,
        )
    assert refused.value.field == "voluntary_reason"
    filing = record.record_filing(
        session,
        Actor.for_user(boss),
        incident,
        kind="combined",
        filed_on=date(2027, 1, 4),
        voluntary_reason="The customer asked us to inform the PPC.",
        now=NOW,
        tz=TOKYO,
    )
    assert filing.voluntary


def test_closing_needs_the_notification_or_its_documented_alternative(session, staff, incident):
    _reporter, boss = staff
    actor = Actor.for_user(boss)
    update(
        session,
        boss,
        incident,
        aware_at=YEAR_END.isoformat(),
        triggers={**NO_TRIGGER, "sensitive": True},
        individuals=3,
    )
    record.record_filing(
        session, actor, incident, kind="combined", filed_on=date(2027, 1, 4), now=NOW, tz=TOKYO
    )
    assert incidents.missing(incident) == ["notification"]
    with pytest.raises(NotClosable) as blocked:
        incidents.close(session, actor, incident, "Recalled", now=NOW)
    assert blocked.value.missing == ("notification",)
    with pytest.raises(ValidationError) as refused:
        record.record_notification(
            session,
            actor,
            incident,
            "alternative",
            published_on=date(2027, 1, 4),
            where="",
            now=NOW,
            tz=TOKYO,
        )
    assert refused.value.field == "where"
    record.record_notification(
        session,
        actor,
        incident,
        "alternative",
        published_on=date(2027, 1, 4),
        where="当社ウェブサイトのお知らせ",
        inquiry_desk="お客様窓口 0120-000-000",
        now=NOW,
        tz=TOKYO,
    )
    incidents.close(session, actor, incident, "Recalled", now=NOW)
    assert incident.status == "closed"


def test_as_contractor_notifying_the_entrusting_party_ends_our_own_duty(session, staff, incident):
    _reporter, boss = staff
    update(
        session,
        boss,
        incident,
        aware_at=YEAR_END.isoformat(),
        triggers={**NO_TRIGGER, "sensitive": True},
        individuals=3,
        entrustment="contractor",
    )
    assert incidents.missing(incident) == ["preliminary_report", "final_report", "notification"]
    update(
        session,
        boss,
        incident,
        principal_notified_on="2026-12-29",
        principal_recipient="株式会社委託元 個人情報保護管理者",
    )
    assert incident.principal_path and incident.final_due_on is None
    assert incidents.missing(incident) == []
    incidents.close(session, Actor.for_user(boss), incident, "Entrusting party reported", now=NOW)
    assert incident.status == "closed"


def test_a_record_change_is_audited_with_before_and_after(session, staff, incident):
    _reporter, boss = staff
    update(
        session,
        boss,
        incident,
        kinds=["leak", "loss"],
        media="paper",
        certainty="suspected",
        occurred_unknown=True,
    )
    [change] = events(session, incident, "incident.record")
    assert change["before"]["kinds"] == [] and change["after"]["kinds"] == ["leak", "loss"]
    assert change["after"]["occurred_unknown"] is True
    assert incident.kinds == ["leak", "loss"]
