"""Running the rules again: no duplicates, triage kept, stale anomalies withdrawn; the read side."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import delete

from article8.access import queries
from article8.access.models import Anomaly
from article8.access.rules import RuleSettings, run_rules
from tests.support.access import TOKYO, entry_log, found, system_log

DAY = "2026-11-24"


def test_running_the_rules_again_changes_nothing_and_keeps_the_triage(
    session, register, import_log, clock
):
    import_log(
        system_log(
            f"{DAY}T10:00:00+09:00,ghost,crm,view,1,,ok",
            f"{DAY}T22:00:00+09:00,ghost,crm,export,2000,,ok",
        )
    )
    before = {key: (a.id, a.event_count) for key, a in found(session).items()}
    assert set(k[0] for k in before) == {"unauthorised_access", "off_hours", "bulk_export"}
    ghost = found(session, "bulk_export")[("bulk_export", "ghost", DAY, "")]
    ghost.status, ghost.reason = "acknowledged", "known migration job"
    session.flush()
    clock.advance(days=1)
    for _ in range(2):
        run_rules(session, RuleSettings(timezone=TOKYO), now=clock())
        run_rules(
            session,
            RuleSettings(timezone=TOKYO),
            dates=(date(2026, 11, 24), date(2026, 11, 24)),
            now=clock(),
        )
    after = found(session)
    assert {key: (a.id, a.event_count) for key, a in after.items()} == before
    assert after[("bulk_export", "ghost", DAY, "")].status == "acknowledged"


def test_new_events_update_the_count_but_not_the_triage_status(session, import_log, clock):
    import_log(system_log(f"{DAY}T10:00:00+09:00,ghost,crm,view,1,,ok"))
    anomaly = found(session, "unauthorised_access")[("unauthorised_access", "ghost", DAY, "")]
    anomaly.status = "escalated"
    session.flush()
    import_log(system_log(f"{DAY}T11:00:00+09:00,ghost,crm,view,1,,ok"))
    again = found(session, "unauthorised_access")[("unauthorised_access", "ghost", DAY, "")]
    assert (again.id, again.event_count, again.status) == (anomaly.id, 2, "escalated")


def test_a_triaged_anomaly_stays_when_the_rules_no_longer_find_it(
    session, register, import_log, clock
):
    register.person("E1", "tanaka")
    register.person("E2", "sato")
    import_log(
        system_log(
            f"{DAY}T10:00:00+09:00,tanaka,crm,view,1,,ok",
            f"{DAY}T10:00:00+09:00,sato,crm,view,1,,ok",
        )
    )
    found(session)[("unauthorised_access", "E1", DAY, "")].status = "dismissed"
    session.flush()
    register.system("E1", "crm")
    register.system("E2", "crm")
    report = run_rules(session, RuleSettings(timezone=TOKYO), now=clock())
    assert set(found(session)) == {("unauthorised_access", "E1", DAY, "")}
    assert report.withdrawn == 1


def test_the_nightly_run_covers_only_the_dates_it_is_given(session, import_log, clock):
    clock.advance(days=2)  # the log of the 26th is imported on the 26th
    import_log(
        system_log(
            "2026-11-24T10:00:00+09:00,ghost,crm,view,1,,ok",
            "2026-11-26T10:00:00+09:00,ghost,crm,view,1,,ok",
        )
    )
    session.execute(delete(Anomaly))
    report = run_rules(
        session,
        RuleSettings(timezone=TOKYO),
        dates=(date(2026, 11, 25), date(2026, 11, 26)),
        now=clock(),
    )
    assert report.found == {"unauthorised_access": 1}
    assert set(found(session)) == {("unauthorised_access", "ghost", "2026-11-26", "")}


def test_the_read_side_lists_anomalies_with_their_events(session, register, import_log):
    register.person("E1", "tanaka", "B-1001")
    import_log(system_log(f"{DAY}T10:00:00+09:00,tanaka,crm,view,1,,ok"))
    import_log(entry_log(f"{DAY}T09:00:00+09:00,B-1001,vault,D1,in,granted"), kind="entry")
    assert queries.count_new(session) == 3
    mine = queries.anomalies(session, queries.AnomalyFilter(person="E1", rule="entry_without_exit"))
    (anomaly,) = mine
    assert [(e.kind, e.area) for e in queries.anomaly_events(session, anomaly)] == [
        ("entry", "vault")
    ]
    assert queries.as_json(anomaly, ZoneInfo("Asia/Tokyo"))["area"] == "vault"
    (unauthorised,) = queries.anomalies(session, queries.AnomalyFilter(rule="unauthorised_access"))
    assert [e.kind for e in queries.anomaly_events(session, unauthorised)] == ["system"]
    assert (
        queries.as_json(unauthorised, ZoneInfo("UTC"))["first_seen"] == "2026-11-24T01:00:00+00:00"
    )
