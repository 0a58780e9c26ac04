"""The anomaly rules at their edges: thresholds, midnight, holidays, offsets, aliases, strangers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from article8.access.rules import RuleSettings, run_rules
from article8.core.closures import add_closure, remove_closure
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import TOKYO, anomaly_counts, entry_log, found, system_log

# 2026-11-24 is a Tuesday; 2026-11-23 is 勤労感謝の日 (Labour Thanksgiving Day), a Monday.
DAY = "2026-11-24"


# --- 1. unauthorised_access ------------------------------------------------------------------


def test_access_beyond_the_granted_actions_or_systems_is_unauthorised(
    session, register, import_log
):
    register.person("E1", "tanaka")
    register.system("E1", "crm", "view", "search")
    import_log(
        system_log(
            f"{DAY}T10:00:00+09:00,tanaka,crm,view,5,10.0.0.1,ok",
            f"{DAY}T10:01:00+09:00,tanaka,crm,search,5,10.0.0.1,ok",
            f"{DAY}T10:02:00+09:00,tanaka,crm,delete,1,10.0.0.1,ok",
            f"{DAY}T10:03:00+09:00,tanaka,hr,view,1,10.0.0.1,ok",
            f"{DAY}T10:04:00+09:00,tanaka,crm,export,1,10.0.0.1,denied",
        )
    )
    anomaly = found(session, "unauthorised_access")[("unauthorised_access", "E1", DAY, "")]
    assert anomaly.event_count == 2  # the delete and the other system; a denied try is no access
    assert anomaly.severity == "high" and anomaly.status == "new"
    assert anomaly.first_seen == datetime(2026, 11, 24, 1, 2, tzinfo=UTC)
    assert anomaly.last_seen == datetime(2026, 11, 24, 1, 3, tzinfo=UTC)


def test_every_action_is_allowed_with_a_star(session, register, import_log):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    import_log(system_log(f"{DAY}T10:00:00+09:00,tanaka,crm,delete,1,,ok"))
    assert found(session, "unauthorised_access") == {}


def test_validity_dates_are_inclusive_local_dates(session, register, import_log, clock):
    register.person("E1", "tanaka")
    register.system("E1", "crm", valid_from=date(2026, 11, 24), valid_until=date(2026, 11, 25))
    clock.advance(days=2)  # imported once the last line's day has come
    import_log(
        system_log(
            "2026-11-23T23:59:59+09:00,tanaka,crm,view,1,,ok",  # the day before: not yet
            "2026-11-24T00:00:00+09:00,tanaka,crm,view,1,,ok",  # first valid day
            "2026-11-25T23:59:59+09:00,tanaka,crm,view,1,,ok",  # last valid day
            "2026-11-25T15:00:00Z,tanaka,crm,view,1,,ok",  # 00:00 on the 26th in Tokyo
        )
    )
    assert anomaly_counts(session, "unauthorised_access") == {
        ("E1", "2026-11-23", ""): 1,
        ("E1", "2026-11-26", ""): 1,
    }


def test_people_not_in_the_register_are_unauthorised_under_the_name_the_log_uses(
    session, import_log
):
    import_log(system_log(f"{DAY}T10:00:00+09:00,contractor-x,crm,view,1,,ok"))
    assert anomaly_counts(session, "unauthorised_access") == {("contractor-x", DAY, ""): 1}


def test_an_alias_and_the_employee_id_are_the_same_person(session, register, import_log):
    register.person("E1", "tanaka", "B-1001")
    import_log(
        system_log(
            f"{DAY}T10:00:00+09:00,tanaka,crm,view,1,,ok",
            f"{DAY}T10:01:00+09:00,E1,crm,view,1,,ok",
        )
    )
    assert anomaly_counts(session, "unauthorised_access") == {("E1", DAY, ""): 2}


# --- 2. leaver_access ------------------------------------------------------------------------


def test_access_after_the_last_day_of_employment_is_leaver_access(session, register, import_log):
    register.person("E2", "sato", employed_until=date(2026, 11, 24))
    register.system("E2", "crm")
    register.area("E2", "office")
    import_log(
        system_log(
            "2026-11-24T23:59:59+09:00,sato,crm,view,1,,ok",  # last day: fine
            "2026-11-24T15:00:00Z,sato,crm,login,0,,denied",  # 00:00 the next day, even denied
        )
    )
    import_log(entry_log("2026-11-25T09:00:00+09:00,sato,office,D1,in,granted"), kind="entry")
    assert anomaly_counts(session, "leaver_access") == {("E2", "2026-11-25", ""): 2}


# --- 3. off_hours ----------------------------------------------------------------------------


def test_business_hours_start_at_eight_and_end_before_eight(session, register, import_log):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    import_log(
        system_log(
            f"{DAY}T07:59:59+09:00,tanaka,crm,view,1,,ok",
            f"{DAY}T08:00:00+09:00,tanaka,crm,view,1,,ok",
            f"{DAY}T19:59:59+09:00,tanaka,crm,view,1,,ok",
            f"{DAY}T20:00:00+09:00,tanaka,crm,view,1,,ok",
            f"{DAY}T22:00:00+09:00,tanaka,crm,login_failed,0,,denied",  # not an access
            f"{DAY}T23:00:00+09:00,tanaka,crm,view,1,,denied",  # refused
        )
    )
    anomaly = found(session, "off_hours")[("off_hours", "E1", DAY, "")]
    assert anomaly.event_count == 2 and anomaly.severity == "medium"
    assert anomaly.first_seen == datetime(2026, 11, 23, 22, 59, 59, tzinfo=UTC)
    assert anomaly.last_seen == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def test_a_public_holiday_and_a_saturday_are_not_business_days(
    session, register, import_log, clock
):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    clock.advance(days=4)  # imported on the Saturday
    import_log(
        system_log(
            "2026-11-23T10:00:00+09:00,tanaka,crm,view,1,,ok",  # 勤労感謝の日
            "2026-11-28T10:00:00+09:00,tanaka,crm,view,1,,ok",  # Saturday
            "2026-11-27T10:00:00+09:00,tanaka,crm,view,1,,ok",  # Friday
        )
    )
    assert set(anomaly_counts(session, "off_hours")) == {
        ("E1", "2026-11-23", ""),
        ("E1", "2026-11-28", ""),
    }


def test_offsets_other_than_tokyo_are_converted_and_naive_times_are_tokyo(
    session, register, import_log
):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    import_log(
        system_log(
            "2026-11-24T09:00:00-05:00,tanaka,crm,view,1,,ok",  # 23:00 in Tokyo: off hours
            "2026-11-24T01:00:00Z,tanaka,crm,view,1,,ok",  # 10:00 in Tokyo
            "2026-11-24T10:30:00,tanaka,crm,view,1,,ok",  # read as 10:30 in Tokyo
            "2026-11-24T23:30:00Z,tanaka,crm,view,1,,ok",  # 08:30 on the 25th in Tokyo
        )
    )
    anomaly = found(session, "off_hours")[("off_hours", "E1", DAY, "")]
    assert anomaly.event_count == 1
    assert anomaly.first_seen == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert set(anomaly_counts(session, "off_hours")) == {("E1", DAY, "")}


def test_business_hours_and_time_zone_come_from_the_settings(session, register, import_log):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    settings = RuleSettings(timezone=TOKYO, business_hours=(time(9, 0), time(18, 0)))
    import_log(system_log(f"{DAY}T08:30:00+09:00,tanaka,crm,view,1,,ok"), settings=settings)
    assert set(anomaly_counts(session, "off_hours")) == {("E1", DAY, "")}


def test_access_in_the_year_end_closure_is_off_hours(session, register, import_log, clock):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    clock.advance(days=42)  # imported on Tuesday 5 January 2027
    import_log(
        system_log(
            "2026-12-28T10:00:00+09:00,tanaka,crm,view,1,,ok",  # Monday, before the closure
            "2026-12-31T10:00:00+09:00,tanaka,crm,view,1,,ok",  # Thursday, closed (12-29..01-03)
            "2027-01-04T10:00:00+09:00,tanaka,crm,view,1,,ok",  # Monday, open again
        )
    )
    assert set(anomaly_counts(session, "off_hours")) == {("E1", "2026-12-31", "")}


def test_without_the_year_end_closure_the_last_day_of_the_year_is_a_business_day(
    session, register, import_log, clock
):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    clock.advance(days=42)
    settings = RuleSettings(timezone=TOKYO, closed_days=())
    import_log(system_log("2026-12-31T10:00:00+09:00,tanaka,crm,view,1,,ok"), settings=settings)
    assert anomaly_counts(session, "off_hours") == {}


def test_a_one_off_closure_added_after_the_import_counts_at_the_next_run(
    session, register, import_log, clock
):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    clock.advance(days=3)
    import_log(system_log("2026-11-27T10:00:00+09:00,tanaka,crm,view,1,,ok"))  # a Friday
    assert anomaly_counts(session, "off_hours") == {}
    closure = add_closure(
        session, SYSTEM_ACTOR, day=date(2026, 11, 27), reason="office move", now=clock()
    )
    settings = RuleSettings(timezone=TOKYO)
    run_rules(session, settings, days=[date(2026, 11, 27)], now=clock())
    assert anomaly_counts(session, "off_hours") == {("E1", "2026-11-27", ""): 1}
    remove_closure(session, SYSTEM_ACTOR, closure.id, now=clock())
    report = run_rules(session, settings, now=clock())  # over every date this time
    assert anomaly_counts(session, "off_hours") == {} and report.withdrawn == 1


# --- 4. bulk_export --------------------------------------------------------------------------


def test_one_export_of_a_thousand_records_is_bulk_but_999_is_not(session, register, import_log):
    register.person("E1", "tanaka")
    register.person("E2", "sato")
    for person in ("E1", "E2"):
        register.system(person, "crm")
    import_log(
        system_log(
            f"{DAY}T10:00:00+09:00,tanaka,crm,export,1000,,ok",
            f"{DAY}T10:00:00+09:00,sato,crm,export,999,,ok",
            f"{DAY}T11:00:00+09:00,sato,crm,export,5000,,denied",
        )
    )
    assert anomaly_counts(session, "bulk_export") == {("E1", DAY, ""): 1}


def test_a_days_exports_summing_to_5000_are_bulk_but_4999_are_not(session, register, import_log):
    register.person("E1", "tanaka")
    register.system("E1", "crm")
    exports = [f"{DAY}T1{i}:00:00+09:00,tanaka,crm,export,999,,ok" for i in range(5)]
    import_log(
        system_log(
            *exports,  # 4995
            f"{DAY}T16:00:00+09:00,tanaka,crm,export,4,,ok",  # 4999
            "2026-11-25T10:00:00+09:00,tanaka,crm,export,999,,ok",
        )
    )
    assert anomaly_counts(session, "bulk_export") == {}
    import_log(system_log(f"{DAY}T17:00:00+09:00,tanaka,crm,export,1,,ok"))  # 5000
    anomaly = found(session, "bulk_export")[("bulk_export", "E1", DAY, "")]
    assert anomaly.event_count == 7
    assert anomaly.first_seen == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert anomaly.last_seen == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


# --- 5. failed_login_burst -------------------------------------------------------------------


def failures(user: str, *times: str) -> list[str]:
    return [f"{DAY}T{t}+09:00,{user},crm,login_failed,0,,denied" for t in times]


def test_five_failed_logins_within_ten_minutes_are_a_burst(session, import_log):
    import_log(
        system_log(
            *failures("a", "10:00:00", "10:02:00", "10:04:00", "10:06:00", "10:09:59"),
            *failures("b", "10:00:00", "10:02:00", "10:04:00", "10:06:00", "10:10:00"),
            *failures("c", "10:00:00", "10:01:00", "10:02:00", "10:03:00"),
        )
    )
    assert anomaly_counts(session, "failed_login_burst") == {("a", DAY, ""): 5}


def test_every_failure_inside_some_burst_counts_and_stragglers_do_not(session, import_log):
    import_log(
        system_log(
            *failures("a", "09:00:00"),  # alone
            *failures("a", "10:00:00", "10:03:00", "10:05:00", "10:07:00", "10:09:00"),
            *failures("a", "10:12:00"),  # with the four before it: 10:03–10:12, a burst too
            *failures("a", "10:30:00"),  # alone again
        )
    )
    anomaly = found(session, "failed_login_burst")[("failed_login_burst", "a", DAY, "")]
    assert anomaly.event_count == 6
    assert anomaly.first_seen == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert anomaly.last_seen == datetime(2026, 11, 24, 1, 12, tzinfo=UTC)


def test_a_burst_across_midnight_is_two_short_days(session, import_log):
    import_log(
        system_log(
            "2026-11-24T23:57:00+09:00,a,crm,login_failed,0,,denied",
            "2026-11-24T23:58:00+09:00,a,crm,login_failed,0,,denied",
            "2026-11-24T23:59:00+09:00,a,crm,login_failed,0,,denied",
            "2026-11-25T00:00:00+09:00,a,crm,login_failed,0,,denied",
            "2026-11-25T00:01:00+09:00,a,crm,login_failed,0,,denied",
        )
    )
    assert anomaly_counts(session, "failed_login_burst") == {}


# --- 6. restricted_area_entry ----------------------------------------------------------------


def test_entering_an_area_without_a_valid_authorisation_is_restricted(
    session, register, import_log
):
    register.person("E1", "B-1001")
    register.area("E1", "server-room", valid_until=date(2026, 11, 24))
    import_log(
        entry_log(
            f"{DAY}T09:00:00+09:00,B-1001,server-room,D1,in,granted",
            f"{DAY}T09:05:00+09:00,B-1001,vault,D2,in,granted",
            f"{DAY}T09:06:00+09:00,B-1001,vault,D2,out,granted",
            f"{DAY}T09:07:00+09:00,B-1001,archive,D3,in,denied",
            "2026-11-24T15:00:00Z,B-1001,server-room,D1,in,granted",  # the 25th in Tokyo
            f"{DAY}T09:10:00+09:00,visitor-9,server-room,D1,in,granted",
        ),
        kind="entry",
    )
    assert anomaly_counts(session, "restricted_area_entry") == {
        ("E1", DAY, "vault"): 1,
        ("E1", "2026-11-25", "server-room"): 1,
        ("visitor-9", DAY, "server-room"): 1,
    }


# --- 7. denied_badge_burst -------------------------------------------------------------------


def test_three_denied_badges_within_ten_minutes_are_a_burst_but_two_are_not(session, import_log):
    import_log(
        entry_log(
            f"{DAY}T09:00:00+09:00,B-1,lab,D1,in,denied",
            f"{DAY}T09:04:00+09:00,B-1,lab,D1,in,denied",
            f"{DAY}T09:09:59+09:00,B-1,vault,D2,in,denied",
            f"{DAY}T09:00:00+09:00,B-2,lab,D1,in,denied",
            f"{DAY}T09:05:00+09:00,B-2,lab,D1,in,denied",
            f"{DAY}T09:10:00+09:00,B-2,lab,D1,in,denied",
            f"{DAY}T09:00:00+09:00,B-3,lab,D1,in,denied",
            f"{DAY}T09:01:00+09:00,B-3,lab,D1,in,denied",
        ),
        kind="entry",
    )
    assert anomaly_counts(session, "denied_badge_burst") == {("B-1", DAY, ""): 3}


# --- 8. entry_without_exit -------------------------------------------------------------------


def test_an_entry_needs_an_exit_before_the_next_entry_on_the_same_day(
    session, register, import_log
):
    register.person("E1", "B-1001")
    register.area("E1", "office")
    register.area("E1", "lab")
    import_log(
        entry_log(
            f"{DAY}T09:00:00+09:00,B-1001,office,D1,in,granted",
            f"{DAY}T09:30:00+09:00,B-1001,office,D1,in,granted",  # the first had no exit
            f"{DAY}T09:40:00+09:00,B-1001,office,D1,out,denied",  # a refused exit is none
            f"{DAY}T12:00:00+09:00,B-1001,office,D1,out,granted",
            f"{DAY}T10:00:00+09:00,B-1001,lab,D2,in,granted",
            f"{DAY}T11:00:00+09:00,B-1001,lab,D2,out,granted",
            f"{DAY}T23:50:00+09:00,B-1001,lab,D2,in,granted",  # out only after midnight
            "2026-11-25T00:10:00+09:00,B-1001,lab,D2,out,granted",
        ),
        kind="entry",
    )
    assert anomaly_counts(session, "entry_without_exit") == {
        ("E1", DAY, "office"): 1,
        ("E1", DAY, "lab"): 1,
    }
    lab = found(session, "entry_without_exit")[("entry_without_exit", "E1", DAY, "lab")]
    assert lab.severity == "low" and lab.first_seen == datetime(2026, 11, 24, 14, 50, tzinfo=UTC)


def test_an_exit_in_a_later_file_withdraws_the_untriaged_anomaly(session, register, import_log):
    register.person("E1", "B-1001")
    register.area("E1", "office")
    import_log(entry_log(f"{DAY}T09:00:00+09:00,B-1001,office,D1,in,granted"), kind="entry")
    assert anomaly_counts(session, "entry_without_exit") == {("E1", DAY, "office"): 1}
    report = import_log(
        entry_log(f"{DAY}T18:00:00+09:00,B-1001,office,D1,out,granted"), kind="entry"
    )
    assert anomaly_counts(session, "entry_without_exit") == {}
    assert report.anomalies.withdrawn == 1
