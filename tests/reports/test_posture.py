"""The dashboard's figures, each checked against a small data set built by hand."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import event, select

from article8.access.models import Anomaly
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.incidents.models import Incident
from article8.evidence import services as evidence
from article8.evidence.blobstore import LocalBlobStore
from article8.reports.posture_figures import Ages
from tests.conftest import SYSTEM_ACTOR
from tests.reports.factories import TODAY, add_control, add_inspection, at, view


@pytest.fixture
def programme(session, make_user, tmp_path):
    """Eight active controls (and one inactive) whose current inspections cover every state."""
    owner = make_user("inspector")
    c = {
        code: add_control(session, code, category, frequency)
        for code, category, frequency in [
            ("M1", "organisational", "monthly"),
            ("M2", "organisational", "monthly"),
            ("M3", "technical", "monthly"),
            ("M4", "human", "monthly"),
            ("M5", "physical", "monthly"),
            ("M6", "physical", "monthly"),
            ("M7", "basic_policy", "monthly"),
            ("Q1", "technical", "quarterly"),
        ]
    }
    add_control(session, "X1", "human", active=False)
    approved = {"status": "approved", "reviewed_at": at("2026-11-23T10:00")}
    # M1: October on time (23:00 on the due day, local), November approved and passed.
    add_inspection(
        session,
        c["M1"],
        "2026-10",
        "2026-11-10",
        result="pass",
        submitted_at=at("2026-11-10T23:00"),
        **approved,
    )
    add_inspection(
        session,
        c["M1"],
        "2026-11",
        "2026-12-10",
        result="pass",
        submitted_at=at("2026-11-20T10:00"),
        **approved,
    )
    # M2: August still open (75 days overdue), October missed, November due in 10 days.
    add_inspection(session, c["M2"], "2026-08", "2026-09-10", "open")
    add_inspection(session, c["M2"], "2026-10", "2026-11-10", "missed")
    add_inspection(session, c["M2"], "2026-11", "2026-12-04", "open")
    # M3: September approved with a failure, submitted late; October in progress, overdue.
    add_inspection(
        session,
        c["M3"],
        "2026-09",
        "2026-10-09",
        result="fail",
        submitted_at=at("2026-10-20T10:00"),
        **approved,
    )
    add_inspection(session, c["M3"], "2026-10", "2026-11-10", "in_progress")
    # M4: November open and four days overdue.
    add_inspection(session, c["M4"], "2026-11", "2026-11-20", "open")
    # M5: November approved with a failure; M6: October missed.
    add_inspection(
        session,
        c["M5"],
        "2026-11",
        "2026-12-10",
        result="fail",
        submitted_at=at("2026-11-18T10:00"),
        **approved,
    )
    add_inspection(session, c["M6"], "2026-10", "2026-11-10", "missed")
    # M7: November open, due in 16 days.
    add_inspection(session, c["M7"], "2026-11", "2026-12-10", "open")
    # Q1: the second quarter submitted half an hour late (local), the third not open yet.
    add_inspection(
        session,
        c["Q1"],
        (date(2026, 7, 1), date(2026, 9, 30), date(2026, 9, 16)),
        "2026-11-20",
        "submitted",
        result="pass",
        submitted_at=at("2026-11-21T00:30"),
    )
    add_inspection(
        session,
        c["Q1"],
        (date(2026, 10, 1), date(2026, 12, 31), date(2026, 12, 17)),
        "2027-01-08",
        "scheduled",
    )

    def finding(severity, status, created):
        f = Finding(
            control_id=c["M3"].id,
            severity=severity,
            title=f"{severity} {status}",
            status=status,
            created_at=at(created),
            updated_at=at(created),
        )
        session.add(f)
        session.flush()
        return f

    def action(f, status, due, created, resolved=None):
        session.add(
            CorrectiveAction(
                finding_id=f.id,
                description="fix",
                owner_id=owner.id,
                due_on=date.fromisoformat(due),
                status=status,
                resolved_at=at(resolved) if resolved else None,
                created_at=at(created),
                updated_at=at(created),
            )
        )

    recent_high = finding("high", "open", "2026-11-20T09:00")
    old_high = finding("high", "in_progress", "2026-10-01T09:00")
    finding("medium", "resolved", "2026-11-01T09:00")
    low = finding("low", "open", "2026-11-10T09:00")
    assert recent_high.id
    action(old_high, "open", "2026-11-01", "2026-10-05T09:00")
    action(old_high, "resolved", "2026-11-01", "2026-10-05T09:00", "2026-10-30T09:00")
    action(low, "in_progress", "2026-12-31", "2026-11-20T09:00")

    store = LocalBlobStore(tmp_path / "evidence")

    def upload(code, valid_until, n, replaces=None):
        return evidence.add_evidence(
            session,
            store,
            SYSTEM_ACTOR,
            io.BytesIO(b"%PDF-1.7\n" + bytes([n])),
            evidence.EvidenceInput(
                filename=f"e{n}.pdf",
                title=f"E{n}",
                collected_on=date(2026, 1, 1),
                valid_until=date.fromisoformat(valid_until) if valid_until else None,
                control_codes=[code],
                replaces_id=replaces,
            ),
            max_bytes=10**6,
            now=at("2026-11-01T10:00"),
        )

    upload("M1", "2026-12-10", 1)  # expiring
    upload("M3", "2026-11-01", 2)  # expired
    upload("M4", None, 3)
    first = upload("M5", "2027-06-01", 4)
    upload("M5", "2026-11-30", 5, replaces=first.id)  # the current version expires soon
    withdrawn = upload("M6", "2026-11-25", 6)
    evidence.withdraw(session, SYSTEM_ACTOR, withdrawn, "wrong file", now=at("2026-11-02T10:00"))

    for n, (rule, status) in enumerate(
        [
            ("off_hours", "new"),
            ("off_hours", "new"),
            ("bulk_export", "new"),
            ("off_hours", "acknowledged"),
        ]
    ):
        session.add(
            Anomaly(
                rule=rule,
                severity="medium",
                person_key=f"p:E{n}",
                local_date=date(2026, 11, 2),
                area="",
                event_count=1,
                first_seen=at("2026-11-02T22:00"),
                last_seen=at("2026-11-02T22:00"),
                status=status,
                run_token="t",
                created_at=at("2026-11-03T10:00"),
                updated_at=at("2026-11-03T10:00"),
            )
        )

    def incident(title, status, **fields):
        session.add(
            Incident(
                title=title,
                description="",
                status=status,
                reported_at=at("2026-11-12T10:00"),
                aware_at=at("2026-11-12T10:00"),
                created_at=at("2026-11-12T10:00"),
                updated_at=at("2026-11-12T10:00"),
                **fields,
            )
        )

    flags = {"sensitive_data": True, "financial_harm": False, "unlawful_purpose": False}
    flags["over_1000_people"] = False
    incident("unassessed", "reported")
    incident(
        "final pending",
        "investigating",
        **flags,
        preliminary_due_on=date(2026, 11, 17),
        preliminary_reported_on=date(2026, 11, 15),
        final_due_on=date(2026, 12, 12),
    )
    incident("late preliminary", "reported", **flags, preliminary_due_on=date(2026, 11, 20))
    incident("closed", "closed", closed_at=at("2026-11-20T10:00"))
    session.flush()
    return c


def test_posture_counts_each_active_control_by_its_current_inspection(session, settings, programme):
    board = view(session, settings)
    overall = board.overall
    assert (overall.controls, overall.passed, overall.failed, overall.overdue) == (8, 1, 1, 3)
    assert (overall.missed, overall.in_review, overall.not_due) == (1, 1, 1)
    assert overall.share == pytest.approx(1 / 8)
    by_category = {p.category: p for p in board.categories}
    organisational = by_category["organisational"]
    # M2's current (November) inspection is not due, but August is still owed: overdue.
    assert (organisational.controls, organisational.passed, organisational.overdue) == (2, 1, 1)
    assert organisational.share == 0.5
    assert (by_category["technical"].overdue, by_category["technical"].in_review) == (1, 1)
    assert (by_category["physical"].failed, by_category["physical"].missed) == (1, 1)
    assert by_category["human"].overdue == 1  # the inactive X1 is not counted
    assert (by_category["basic_policy"].controls, by_category["basic_policy"].not_due) == (1, 1)
    empty = by_category["external_environment"]
    assert empty.controls == 0 and empty.share is None


def test_on_time_rate_judges_the_local_day_of_submission(session, settings, programme):
    on_time = view(session, settings).on_time
    # M1 October on time (23:00 local on the due day); M3 September and Q1 late (00:30 local
    # the day after, though still the due day in UTC); M2 and M6 October missed.
    assert (on_time.on_time, on_time.late, on_time.missed) == (1, 2, 2)
    assert on_time.rate == pytest.approx(0.2)
    assert (on_time.start, on_time.end) == (date(2025, 12, 1), TODAY)


def test_overdue_inspections_by_age_and_upcoming_ones(session, settings, programme):
    board = view(session, settings)
    assert board.overdue == Ages(d0_7=1, d8_30=1, over_30=1)
    assert board.upcoming == 1 and board.upcoming_until == date(2026, 12, 8)


def test_twelve_month_trend_by_due_month(session, settings, programme):
    trend = view(session, settings).trend
    assert trend[0].start == date(2025, 12, 1) and len(trend) == 12
    by_month = {m.start: (m.passed, m.failed, m.missed, m.open) for m in trend}
    assert by_month[date(2026, 11, 1)] == (1, 0, 2, 3)
    assert by_month[date(2026, 10, 1)] == (0, 1, 0, 0)
    assert by_month[date(2026, 9, 1)] == (0, 0, 0, 1)
    assert sum(m.total for m in trend) == 8


def test_heat_map_shows_each_controls_inspection_per_month(session, settings, programme):
    rows = {row.code: row for row in view(session, settings).heat_map}
    assert list(rows) == ["M1", "M2", "M3", "M4", "M5", "M6", "M7", "Q1"]
    m1, m3, q1 = rows["M1"].cells, rows["M3"].cells, rows["Q1"].cells
    assert [cell.state for cell in m1[-3:]] == ["none", "pass", "pass"]
    assert [cell.state for cell in m3[-3:]] == ["fail", "open", "none"]
    assert [cell.state for cell in rows["M6"].cells[-2:]] == ["missed", "none"]
    # A quarter covers three months; submitted counts as open until approved, and a period
    # whose inspection has not opened yet owes nothing so far.
    assert [cell.status for cell in q1[-5:]] == ["submitted"] * 3 + ["scheduled"] * 2
    assert [cell.state for cell in q1[-5:]] == ["open"] * 3 + ["none"] * 2
    assert m1[-1].inspection_id is not None and m1[-1].period_label == "2026-11"


def test_open_findings_and_actions_by_severity_and_age(session, settings, programme):
    board = view(session, settings)
    assert board.findings == {"high": Ages(d0_7=1, over_30=1), "low": Ages(d8_30=1)}
    assert board.open_findings == 3
    assert board.actions == {"high": Ages(over_30=1), "low": Ages(d0_7=1)}
    assert board.overdue_actions == 1


def test_evidence_expiring_expired_and_controls_without_evidence(session, settings, programme):
    board = view(session, settings)
    assert (board.evidence_expiring, board.evidence_expired) == (2, 1)
    gaps = {gap.code: gap.reason for gap in board.evidence_gaps}
    assert gaps == {
        "M2": "missing",
        "M3": "expired",
        "M6": "missing",
        "M7": "missing",
        "Q1": "missing",
    }


def test_anomalies_awaiting_triage_and_incidents_overdue_first(session, settings, programme):
    board = view(session, settings)
    assert board.anomalies == {"bulk_export": 1, "off_hours": 2} and board.new_anomalies == 3
    incidents = [(i.title, i.deadline, i.due_on, i.overdue) for i in board.incidents]
    assert incidents == [
        ("late preliminary", "preliminary", date(2026, 11, 20), True),
        ("final pending", "final", date(2026, 12, 12), False),
        ("unassessed", None, None, False),
    ]
    assert board.incidents[2].reportable is None and board.incidents[0].reportable is True


def test_an_incident_partly_assessed_is_not_yet_assessed_unless_a_condition_holds(
    session, settings, programme
):
    # The number of individuals answers only the fourth condition (more than 1,000); the
    # dashboard says "not yet assessed" until all four are answered or one of them holds.
    for title, fields in (
        ("count only", {"over_1000_people": False}),
        ("one holds", {"financial_harm": True}),
    ):
        session.add(
            Incident(
                title=title,
                description="",
                status="reported",
                reported_at=at("2026-11-12T10:00"),
                aware_at=at("2026-11-12T10:00"),
                created_at=at("2026-11-12T10:00"),
                updated_at=at("2026-11-12T10:00"),
                **fields,
            )
        )
    session.flush()
    found = {i.title: i.reportable for i in view(session, settings).incidents}
    assert found["count only"] is None and found["one holds"] is True
    assert found["final pending"] is True


def test_the_dashboard_takes_at_most_fifteen_statements(session, settings, programme):
    session.execute(select(1))  # the transaction (and its savepoint) is already open
    statements: list[str] = []
    connection = session.connection()

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        view(session, settings)
        live = len(statements)
        view(session, settings, as_of=at("2026-11-17T23:59"), today=date(2026, 11, 17))
        past = len(statements) - live
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert live <= 15 and past <= 15, statements
    assert live == past  # the past is replayed by the same statements, not by more of them
