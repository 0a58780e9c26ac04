"""Triage: the responsible person acknowledges, dismisses with a reason, or escalates an anomaly
into a finding on the related control; every decision is audited; nobody else may triage."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.access import triage
from article8.access.rules import RuleSettings, run_rules
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied, ValidationError
from article8.core.models import AuditEvent
from tests.support.access import TOKYO, entry_log, found, system_log

DAY = "2026-11-24"


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced."""


@pytest.fixture
def bulk_export(session, register, import_log):
    """Tanaka (E1) exported 2,000 records from the CRM at 10:05 on 24 November."""
    register.person("E1", "tanaka", name="Tanaka Ichiro")
    register.system("E1", "crm")
    import_log(system_log(f"{DAY}T10:05:00+09:00,tanaka,crm,export,2000,10.0.0.1,ok"))
    return found(session, "bulk_export")[("bulk_export", "E1", DAY, "")]


def events(session, object_type: str, object_id: object) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.seq)
        )
    )


def test_the_responsible_person_acknowledges_with_an_optional_note(
    session, make_user, bulk_export, clock
):
    boss = make_user("responsible")
    triage.acknowledge(session, Actor.for_user(boss), bulk_export, now=clock())
    assert (bulk_export.status, bulk_export.reason) == ("acknowledged", None)
    assert (bulk_export.triaged_by_id, bulk_export.triaged_at) == (boss.id, clock())
    [event] = events(session, "anomaly", bulk_export.id)
    assert event.action == "anomaly.acknowledge"
    details = json.loads(event.details)
    assert details["before"]["status"] == "new" and details["after"]["status"] == "acknowledged"


def test_dismissing_needs_a_reason_and_records_it(session, make_user, bulk_export, clock):
    boss = make_user("responsible")
    with pytest.raises(ValidationError) as refused:
        triage.dismiss(session, Actor.for_user(boss), bulk_export, "   ", now=clock())
    assert refused.value.field == "reason" and bulk_export.status == "new"
    triage.dismiss(
        session, Actor.for_user(boss), bulk_export, "Monthly report for the auditors", now=clock()
    )
    assert (bulk_export.status, bulk_export.reason) == (
        "dismissed",
        "Monthly report for the auditors",
    )
    assert [e.action for e in events(session, "anomaly", bulk_export.id)] == ["anomaly.dismiss"]


@pytest.mark.parametrize("role", ["inspector", "auditor"])
def test_only_managers_may_triage(session, make_user, bulk_export, clock, catalogue, role):
    someone = make_user(role)
    for attempt in (
        lambda: triage.acknowledge(session, Actor.for_user(someone), bulk_export, now=clock()),
        lambda: triage.dismiss(session, Actor.for_user(someone), bulk_export, "fine", now=clock()),
        lambda: triage.escalate(
            session, Actor.for_user(someone), bulk_export, now=clock(), tz=TOKYO
        ),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert bulk_export.status == "new" and events(session, "anomaly", bulk_export.id) == []


def test_escalating_opens_a_finding_on_the_rules_control_quoting_the_anomaly(
    session, make_user, bulk_export, clock, catalogue
):
    boss = make_user("admin", locale="en")
    finding = triage.escalate(
        session,
        Actor.for_user(boss),
        bulk_export,
        now=clock(),
        reason="Not a known job",
        tz=ZoneInfo("UTC"),
    )
    assert finding.control.code == "TEC-07" and finding.source == "anomaly"
    assert finding.severity == "high" and finding.status == "open"  # the rule's severity
    assert finding.title == "bulk_export: E1 2026-11-24"
    assert "bulk_export" not in finding.description  # the rule by name, not by code
    for quoted in ("Bulk export", "E1 (Tanaka Ichiro)", DAY, "Events: 1"):
        assert quoted in finding.description
    assert "01:05:00" in finding.description and "Not a known job" in finding.description
    assert (bulk_export.status, bulk_export.finding_id) == ("escalated", finding.id)
    assert bulk_export.reason == "Not a known job"
    assert [e.action for e in events(session, "anomaly", bulk_export.id)] == ["anomaly.escalate"]
    [created] = events(session, "finding", finding.id)
    assert json.loads(created.details)["anomaly_id"] == bulk_export.id


def test_entry_rules_escalate_to_phy_02_and_the_choice_can_be_overridden(
    session, register, import_log, make_user, clock, catalogue
):
    register.person("E2", "B-2002")
    import_log(entry_log(f"{DAY}T09:00:00+09:00,B-2002,server-room,D1,in,granted"), kind="entry")
    entry = found(session, "restricted_area_entry")[
        ("restricted_area_entry", "E2", DAY, "server-room")
    ]
    assert triage.default_control(entry.rule) == "PHY-02"
    boss = make_user("responsible", locale="ja")
    finding = triage.escalate(
        session, Actor.for_user(boss), entry, "phy-01", "medium", now=clock(), tz=TOKYO
    )
    assert finding.control.code == "PHY-01" and finding.severity == "medium"
    assert "server-room" in finding.title
    assert "対象者: E2" in finding.description  # in the escalating person's language


def test_an_escalated_anomaly_is_settled(session, make_user, bulk_export, clock, catalogue):
    boss = make_user("responsible")
    triage.escalate(session, Actor.for_user(boss), bulk_export, now=clock(), tz=TOKYO)
    with pytest.raises(ValidationError) as refused:
        triage.dismiss(session, Actor.for_user(boss), bulk_export, "changed my mind", now=clock())
    assert refused.value.field == "status"
    with pytest.raises(ValidationError):
        triage.escalate(session, Actor.for_user(boss), bulk_export, now=clock(), tz=TOKYO)


def test_an_unknown_control_or_severity_is_refused_and_nothing_changes(
    session, make_user, bulk_export, clock, catalogue
):
    boss = make_user("responsible")
    with pytest.raises(ValidationError) as refused:
        triage.escalate(session, Actor.for_user(boss), bulk_export, "XYZ-99", now=clock(), tz=TOKYO)
    assert refused.value.field == "control"
    with pytest.raises(ValidationError) as refused:
        triage.escalate(
            session, Actor.for_user(boss), bulk_export, severity="critical", now=clock(), tz=TOKYO
        )
    assert refused.value.field == "severity"
    assert bulk_export.status == "new" and bulk_export.finding_id is None


def test_an_acknowledged_anomaly_may_still_be_escalated_and_rules_keep_the_triage(
    session, make_user, bulk_export, clock, catalogue
):
    boss = make_user("responsible")
    triage.acknowledge(session, Actor.for_user(boss), bulk_export, "looking into it", now=clock())
    finding = triage.escalate(session, Actor.for_user(boss), bulk_export, now=clock(), tz=TOKYO)
    session.flush()
    clock.advance(days=1)
    run_rules(session, RuleSettings(timezone=TOKYO), now=clock())
    again = found(session, "bulk_export")[("bulk_export", "E1", DAY, "")]
    assert (again.status, again.finding_id) == ("escalated", finding.id)
