"""The request register: the fee rule per kind, the state machine (no disclosure before identity
is confirmed), reminders once each with escalation, the response stored as evidence, and an
inquiry converted into a request keeping its link."""

from __future__ import annotations

import io
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import select

from article8.core.errors import PermissionDenied, ValidationError
from article8.core.models import AuditEvent, Notification
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.services import EvidenceInput, add_evidence
from article8.privacy.inquiries import services as inquiries
from article8.privacy.requests import queries
from article8.privacy.requests import services as requests
from article8.privacy.requests.errors import TransitionRefused
from article8.privacy.requests.reminders import queue_privacy_reminders
from article8.privacy.requests.services import RequestInput
from tests.conftest import SYSTEM_ACTOR
from tests.privacy.conftest import RULES, TOKYO, tokyo
from tests.support.evidence import PDF, as_actor

BASE = "https://article8.example.jp"


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        ("purpose_notice", True),
        ("disclosure", True),
        ("provision_record_disclosure", False),
        ("correction", False),
        ("suspension", False),
        ("provision_stop", False),
        ("suspension_35_5", False),
        ("provision_stop_35_5", False),
    ],
)
def test_a_fee_only_for_the_notice_of_purpose_and_disclosure(session, file_request, kind, allowed):
    if allowed:
        found = file_request(kind, fee_yen=1000, fee_state="charged")
        assert found.fee_allowed and found.fee_yen == 1000
    else:
        with pytest.raises(ValidationError) as refused:
            file_request(kind, fee_yen=1000)
        assert refused.value.field == "fee_yen" and "法38条" in refused.value.message
        found = file_request(kind)
        assert not found.fee_allowed
        with pytest.raises(ValidationError):
            requests.set_fee(
                session, SYSTEM_ACTOR, found, fee_yen=None, fee_state="waived", now=found.created_at
            )


def test_deadlines_are_set_on_receipt(file_request):
    found = file_request(received_at=tokyo(2026, 11, 20).astimezone(UTC))  # a Friday
    assert (found.target_on, found.statutory_on) == (date(2026, 12, 4), date(2026, 12, 4))


def test_disclosure_is_never_worked_on_before_identity_is_confirmed(session, file_request, clock):
    found = file_request("disclosure")
    now = clock()
    with pytest.raises(TransitionRefused):
        requests.begin_work(session, SYSTEM_ACTOR, found, now=now)
    with pytest.raises(TransitionRefused):
        requests.decide(
            session, SYSTEM_ACTOR, found, decision="full", refusal_ground=None, reasons="", now=now
        )
    requests.start_verification(session, SYSTEM_ACTOR, found, now=now)
    requests.record_verification(
        session, SYSTEM_ACTOR, found, method="運転免許証の写し", result="failed", now=now
    )
    assert found.state == "verifying"
    with pytest.raises(TransitionRefused):
        requests.begin_work(session, SYSTEM_ACTOR, found, now=now)
    requests.record_verification(
        session,
        SYSTEM_ACTOR,
        found,
        method="マイナンバーカード（券面）",
        result="confirmed",
        now=now,
    )
    assert found.state == "in_progress"


def test_a_correction_may_go_to_work_directly(session, file_request, clock):
    found = file_request("correction")
    requests.begin_work(session, SYSTEM_ACTOR, found, now=clock())
    assert found.state == "in_progress"


def test_a_refusal_names_the_ground_and_the_reasons(session, file_request, clock):
    found = file_request("disclosure")
    requests.record_verification(
        session, SYSTEM_ACTOR, found, method="本人確認書類", result="confirmed", now=clock()
    )
    with pytest.raises(ValidationError) as no_ground:
        requests.decide(
            session,
            SYSTEM_ACTOR,
            found,
            decision="refused",
            refusal_ground=None,
            reasons="x",
            now=clock(),
        )
    assert no_ground.value.field == "refusal_ground"
    with pytest.raises(ValidationError) as no_reasons:
        requests.decide(
            session,
            SYSTEM_ACTOR,
            found,
            decision="partial",
            refusal_ground=None,
            reasons="",
            now=clock(),
        )
    assert no_reasons.value.field == "reasons"
    requests.decide(
        session,
        SYSTEM_ACTOR,
        found,
        decision="refused",
        refusal_ground="business",
        reasons="業務の適正な実施に著しい支障を及ぼすおそれ",
        now=clock(),
    )
    assert found.state == "decided"


def test_from_receipt_to_closed_with_the_response_as_evidence(
    session, file_request, clock, synced_catalogue, tmp_path
):
    store = LocalBlobStore(tmp_path / "evidence")
    found = file_request(
        "disclosure", fee_yen=1000, fee_state="charged", disclosure_method="electronic"
    )
    now = clock()
    requests.start_verification(session, SYSTEM_ACTOR, found, now=now)
    requests.record_verification(
        session, SYSTEM_ACTOR, found, method="本人確認書類", result="confirmed", now=now
    )
    requests.set_fee(session, SYSTEM_ACTOR, found, fee_yen=1000, fee_state="received", now=now)
    requests.decide(
        session, SYSTEM_ACTOR, found, decision="full", refusal_ground=None, reasons="", now=now
    )
    with pytest.raises(TransitionRefused):
        requests.close(session, SYSTEM_ACTOR, found, now=now)
    responded_on = now.astimezone(TOKYO).date()
    requests.check_response(
        SYSTEM_ACTOR, found, responded_on=responded_on, method="electronic", now=now, tz=TOKYO
    )
    item = add_evidence(
        session,
        store,
        SYSTEM_ACTOR,
        io.BytesIO(PDF),
        EvidenceInput(
            filename="開示回答.pdf",
            title="開示回答",
            collected_on=responded_on,
            control_codes=(requests.REQUESTS_CONTROL,),
        ),
        max_bytes=10 * 1024 * 1024,
        now=now,
    )
    requests.record_response(
        session,
        SYSTEM_ACTOR,
        found,
        evidence_id=item.id,
        sha256=item.sha256,
        responded_on=responded_on,
        method="electronic",
        now=now,
        tz=TOKYO,
    )
    requests.close(session, SYSTEM_ACTOR, found, now=now)
    assert found.state == "closed" and found.response_evidence_id == item.id
    import hashlib

    assert found.response_sha256 == item.sha256 == hashlib.sha256(PDF).hexdigest()
    with pytest.raises(TransitionRefused):
        requests.begin_work(session, SYSTEM_ACTOR, found, now=now)
    actions = list(
        session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.object_type == "privacy_request", AuditEvent.object_id == str(found.id)
            )
            .order_by(AuditEvent.seq)
        )
    )
    assert actions == [
        "request.receive",
        "request.state",
        "request.verify",
        "request.fee",
        "request.decide",
        "request.respond",
        "request.close",
    ]


def test_only_managers_record_requests_and_inspectors_see_only_theirs(
    session, make_user, file_request, clock
):
    inspector, other, auditor = make_user("inspector"), make_user("inspector"), make_user("auditor")
    with pytest.raises(PermissionDenied):
        file_request(actor=as_actor(inspector))
    mine, theirs = file_request(), file_request()
    requests.assign(session, SYSTEM_ACTOR, mine, inspector, now=clock())
    requests.assign(session, SYSTEM_ACTOR, theirs, other, now=clock())
    today = clock().date()
    assert [r.id for r in queries.list_requests(session, as_actor(inspector), today=today)] == [
        mine.id
    ]
    assert len(queries.list_requests(session, as_actor(auditor), today=today)) >= 2
    with pytest.raises(PermissionDenied):
        requests.visible_request(session, as_actor(inspector), theirs.id)
    with pytest.raises(PermissionDenied):
        requests.assign(session, as_actor(auditor), mine, None, now=clock())
    # The assignee records the data concerned; another inspector may not.
    requests.update_work(
        session,
        as_actor(inspector),
        mine,
        data_concerned="会員DBの購買履歴",
        systems=["会員DB"],
        known_systems=("会員DB", "CRM"),
        now=clock(),
    )
    assert requests.systems_of(session, mine) == ["会員DB"]
    with pytest.raises(ValidationError) as unknown:
        requests.update_work(
            session,
            as_actor(inspector),
            mine,
            data_concerned="x",
            systems=["給与システム"],
            known_systems=("会員DB",),
            now=clock(),
        )
    assert unknown.value.field == "systems"
    with pytest.raises(PermissionDenied):
        requests.update_work(
            session,
            as_actor(other),
            mine,
            data_concerned="x",
            systems=[],
            known_systems=(),
            now=clock(),
        )


def test_reminders_seven_three_one_and_the_day_then_escalation_once_each(
    session, make_user, file_request, clock
):
    owner, responsible, admin = make_user("inspector"), make_user("responsible"), make_user("admin")
    found = file_request("correction", received_at=clock().astimezone(UTC))
    requests.assign(session, SYSTEM_ACTOR, found, owner, now=clock())
    target = found.target_on

    def run(days_before: int) -> list[tuple[str, int]]:
        day = target - timedelta(days=days_before)
        now = tokyo(day.year, day.month, day.day, 9).astimezone(UTC)
        queue_privacy_reminders(session, tz=TOKYO, base_url=BASE, now=now)
        queue_privacy_reminders(session, tz=TOKYO, base_url=BASE, now=now)  # twice: once each
        rows = session.scalars(
            select(Notification).where(
                Notification.object_type == "privacy_request",
                Notification.object_id == str(found.id),
            )
        )
        return sorted((n.key.split(":")[0], n.recipient_id) for n in rows)

    assert run(8) == []
    assert run(7) == sorted([("request.d7", owner.id), ("request.d7", responsible.id)])
    assert len(run(5)) == 2  # nothing new between the stages
    assert {k for k, _ in run(3)} == {"request.d7", "request.d3"}
    run(1)
    sent = run(0)
    assert {k for k, _ in sent} == {"request.d7", "request.d3", "request.d1", "request.d0"}
    escalated = [r for k, r in run(-1) if k == "request.overdue"]
    assert sorted(escalated) == sorted([owner.id, responsible.id, admin.id])
    assert len(run(-5)) == len(run(-1))
    assert (
        queries.list_requests(
            session, SYSTEM_ACTOR, today=target + timedelta(days=1), overdue=True
        )[0].id
        == found.id
    )


def test_an_inquiry_converted_into_a_request_keeps_its_link(session, clock):
    received = tokyo(2026, 11, 20).astimezone(UTC)
    inquiry = inquiries.receive(
        session,
        SYSTEM_ACTOR,
        kind="inquiry",
        channel="phone",
        received_at=received,
        subject="自分の情報を見せてほしい",
        now=clock(),
        deadlines=RULES,
    )
    # 5 business days: Monday 23 November is a holiday; Tue 24 .. Fri 27 are 1-4, Mon 30 is 5.
    assert inquiry.reply_due_on == date(2026, 11, 30)
    request = inquiries.convert_to_request(
        session,
        SYSTEM_ACTOR,
        inquiry,
        RequestInput(
            kind="disclosure", channel="phone", received_at=clock(), requester_name="佐藤 一郎"
        ),
        now=clock(),
        deadlines=RULES,
    )
    assert request.inquiry_id == inquiry.id and inquiry.kind == "request"
    assert request.received_at == received  # the clock runs from when it reached the company
    assert inquiries.converted_request(session, inquiry).id == request.id
    with pytest.raises(TransitionRefused):
        inquiries.convert_to_request(
            session,
            SYSTEM_ACTOR,
            inquiry,
            RequestInput(
                kind="disclosure", channel="phone", received_at=clock(), requester_name="x"
            ),
            now=clock(),
            deadlines=RULES,
        )
    inquiries.close(session, SYSTEM_ACTOR, inquiry, outcome="開示請求として受付", now=clock())
    assert inquiry.state == "closed"


def test_a_complaint_links_to_a_finding_and_an_inquiry_does_not(session, clock, synced_catalogue):
    from article8.controls.catalogue.models import Control
    from article8.controls.findings.models import Finding

    control = session.scalar(select(Control).where(Control.code == "BP-01"))
    finding = Finding(
        control_id=control.id,
        source="manual",
        severity="medium",
        title="窓口の不備",
        description="",
        status="open",
        created_at=clock(),
        updated_at=clock(),
    )
    session.add(finding)
    session.flush()
    complaint = inquiries.receive(
        session,
        SYSTEM_ACTOR,
        kind="complaint",
        channel="mail",
        received_at=clock(),
        subject="問合せ窓口に繋がらない",
        now=clock(),
        deadlines=RULES,
    )
    inquiries.link_finding(session, SYSTEM_ACTOR, complaint, finding.id, now=clock())
    assert complaint.finding_id == finding.id
    plain = inquiries.receive(
        session,
        SYSTEM_ACTOR,
        kind="inquiry",
        channel="mail",
        received_at=clock(),
        subject="利用目的を知りたい",
        now=clock(),
        deadlines=RULES,
    )
    with pytest.raises(ValidationError):
        inquiries.link_finding(session, SYSTEM_ACTOR, plain, finding.id, now=clock())
    with pytest.raises(TransitionRefused):
        inquiries.close(session, SYSTEM_ACTOR, plain, outcome="x", now=clock())
    inquiries.record_first_reply(session, SYSTEM_ACTOR, plain, replied_at=clock(), now=clock())
    inquiries.close(session, SYSTEM_ACTOR, plain, outcome="回答済み", now=clock())


def test_the_dashboard_figures(session, file_request, clock):
    from article8.privacy.requests.queries import figures

    now = clock()  # Tuesday 2026-11-24, 10:00 in Tokyo
    # Open: one due within 3 days, one overdue, one not yet due.
    file_request("correction", received_at=tokyo(2026, 11, 12).astimezone(UTC))  # target 11-26
    file_request("correction", received_at=tokyo(2026, 11, 2).astimezone(UTC))  # target 11-16
    file_request("correction", received_at=tokyo(2026, 11, 24).astimezone(UTC))  # target 12-08
    # Responded in 4 and in 10 days: the median is 7.
    for received, days in ((tokyo(2026, 10, 1), 4), (tokyo(2026, 9, 1), 10)):
        done = file_request("correction", received_at=received.astimezone(UTC))
        done.state, done.responded_on = "responded", received.date() + timedelta(days=days)
    inquiries.receive(
        session,
        SYSTEM_ACTOR,
        kind="inquiry",
        channel="mail",
        received_at=tokyo(2026, 11, 24).astimezone(UTC),
        subject="利用目的について",
        now=now,
        deadlines=RULES,
    )
    session.flush()
    seen = figures(session, now=now, tz=TOKYO)
    assert (seen.open_requests, seen.open_inquiries) == (3, 1)
    assert (seen.due_soon, seen.overdue) == (1, 1)
    assert (seen.median_days, seen.responded_12_months) == (7.0, 2)
