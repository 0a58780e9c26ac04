"""Provision and receipt records: what the Act asks of each, how long each is kept (computed by
hand below), that nothing is removed before then, and the purge after it with its audit trail."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from article8.core.audit import Actor
from article8.core.errors import PermissionDenied
from article8.core.models import AuditEvent
from article8.privacy.provisions import queries
from article8.privacy.provisions import services as provisions
from article8.privacy.provisions.errors import ProvisionInvalid, RetentionNotEnded
from article8.privacy.provisions.models import ProvisionRecord
from article8.privacy.provisions.retention import retention_until
from tests.conftest import SYSTEM_ACTOR

TODAY = date(2026, 11, 24)

CONSENT = provisions.ProvisionInput(
    direction="provision",
    basis="consent",
    record_form="per_provision",
    party_name="株式会社サンプル物流",
    individuals_description="2026年10月の通販購入者",
    individuals_count=120,
    individuals_list="山田 太郎\n佐藤花子\n",
    data_items="氏名、住所、電話番号",
    consent_evidence="注文画面の同意チェック（2026-10版）",
    provided_on=date(2026, 11, 2),
)
RECEIPT = provisions.ProvisionInput(
    direction="receipt",
    basis="opt_out",
    record_form="per_provision",
    party_name="名簿販売株式会社",
    party_address="東京都千代田区1-1",
    party_representative="代表取締役 鈴木一郎",
    individuals_description="首都圏の法人代表者",
    data_items="氏名、会社名",
    consent_evidence="個人情報保護委員会への届出（オプトアウト）公表 2025-01-10",
    provider_acquisition="公開情報（登記簿）から取得",
    provided_on=date(2026, 11, 10),
)


def record(session, data=CONSENT, today=TODAY, actor=SYSTEM_ACTOR, clock=None):
    from tests.conftest import START

    return provisions.record_provision(session, actor, data, now=START, today=today)


# --- retention, hand-computed --------------------------------------------------------------


def test_a_record_made_per_provision_is_kept_three_years_from_its_creation(session):
    found = record(session, CONSENT, today=date(2026, 11, 24))
    # Made 24 Nov 2026: kept to the end of 24 Nov 2029, whatever the date of provision.
    assert found.retention_until == date(2029, 11, 24)
    assert found.record_required


def test_a_contract_record_is_kept_one_year_from_the_last_provision(session):
    data = replace(
        CONSENT,
        record_form="contract",
        provided_on=date(2026, 4, 1),
        last_provided_on=date(2026, 9, 30),
    )
    assert record(session, data).retention_until == date(2027, 9, 30)


def test_a_bulk_record_is_kept_three_years_from_its_last_provision_which_moves(session):
    data = replace(CONSENT, record_form="bulk", provided_on=date(2026, 4, 1))
    found = record(session, data)
    # No further provision yet: three years from the first, 1 Apr 2026 -> 1 Apr 2029.
    assert found.retention_until == date(2029, 4, 1)
    provisions.record_further_provision(
        session, SYSTEM_ACTOR, found, date(2026, 10, 15), now=found.created_at
    )
    assert found.last_provided_on == date(2026, 10, 15)
    assert found.retention_until == date(2029, 10, 15)
    # An earlier provision recorded late does not shorten the retention.
    provisions.record_further_provision(
        session, SYSTEM_ACTOR, found, date(2026, 6, 1), now=found.created_at
    )
    assert found.retention_until == date(2029, 10, 15)


def test_a_period_from_29_february_ends_on_28_february():
    until = retention_until(
        "contract",
        created_on=date(2028, 3, 1),
        provided_on=date(2028, 2, 29),
        last_provided_on=None,
    )
    assert until == date(2029, 2, 28)


def test_no_record_is_demanded_for_an_exempt_basis(session):
    for basis in ("law", "entrustment", "succession", "joint_use"):
        note = provisions.ProvisionInput(
            direction="provision", basis=basis, party_name="委託先 株式会社データ処理"
        )
        found = record(session, note)
        assert not found.record_required
        assert found.record_form is None and found.retention_until is None
    # Even a record form sent along is dropped: there is nothing to keep.
    found = record(session, replace(CONSENT, basis="entrustment", consent_evidence=""))
    assert found.record_form is None and found.retention_until is None


# --- what the Act asks for ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"basis": "opt_out", "provided_on": None, "party_address": "東京都"}, "provided_on"),
        ({"record_form": None}, "record_form"),
        ({"individuals_description": "", "individuals_count": None}, "individuals_description"),
        ({"data_items": ""}, "data_items"),
        ({"consent_evidence": ""}, "consent_evidence"),
        ({"party_name": "  "}, "party_name"),
    ],
)
def test_a_record_without_what_the_act_asks_is_refused(session, change, field):
    with pytest.raises(ProvisionInvalid) as refused:
        record(session, replace(CONSENT, **change))
    assert refused.value.field == field
    assert session.scalar(select(ProvisionRecord.id)) is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"foreign_country": "米国"}, "foreign_information"),
        (
            {"foreign_country": "米国", "foreign_information": "規則17条の情報を提供"},
            "foreign_consent",
        ),
    ],
)
def test_a_foreign_recipient_needs_the_information_and_the_consent(session, change, field):
    with pytest.raises(ProvisionInvalid) as refused:
        record(session, replace(CONSENT, **change))
    assert refused.value.field == field


def test_a_foreign_recipient_with_consent_is_counted(session):
    record(
        session,
        replace(
            CONSENT,
            foreign_country="米国",
            foreign_information="米国の制度（州法）、受領者の措置を説明",
            foreign_consent=True,
        ),
    )
    record(session)
    assert queries.foreign_provisions(session) == 1


def test_a_receipt_confirms_the_provider_and_how_it_obtained_the_data(session):
    assert record(session, RECEIPT).retention_until == date(2029, 11, 24)
    with pytest.raises(ProvisionInvalid) as refused:
        record(session, replace(RECEIPT, provider_acquisition=""))
    assert refused.value.field == "provider_acquisition"
    with pytest.raises(ProvisionInvalid) as refused:
        record(session, replace(RECEIPT, party_representative=""))
    assert refused.value.field == "party_representative"


def test_a_receipt_of_personal_related_information_needs_the_consent_confirmation(session):
    cookies = replace(RECEIPT, basis="consent", related_information=True, data_items="Cookie ID")
    with pytest.raises(ProvisionInvalid) as refused:
        record(session, cookies)
    assert refused.value.field == "related_consent_confirmed"
    found = record(session, replace(cookies, related_consent_confirmed=True))
    assert found.related_information


def test_an_inspector_or_auditor_cannot_record(session):
    for role in ("inspector", "auditor"):
        with pytest.raises(PermissionDenied):
            record(session, actor=Actor(7, "someone", role=role))


# --- removal and the purge -----------------------------------------------------------------


def test_a_record_cannot_be_removed_before_its_retention_ends(session):
    found = record(session, CONSENT, today=date(2026, 11, 24))
    for day in (date(2026, 11, 25), date(2029, 11, 24)):
        with pytest.raises(RetentionNotEnded):
            provisions.remove_record(session, SYSTEM_ACTOR, found, today=day, now=found.created_at)
    assert session.get(ProvisionRecord, found.id) is not None
    provisions.remove_record(
        session, SYSTEM_ACTOR, found, today=date(2029, 11, 25), now=found.created_at
    )
    assert session.get(ProvisionRecord, found.id) is None


def test_the_purge_removes_only_expired_records_with_an_audit_event_each(session):
    old = record(session, CONSENT, today=date(2022, 1, 10))  # kept until 2025-01-10
    older = record(session, RECEIPT, today=date(2021, 6, 1))  # kept until 2024-06-01
    kept = record(session, CONSENT, today=date(2026, 1, 10))
    note = record(
        session,
        provisions.ProvisionInput(direction="provision", basis="law", party_name="警察署"),
        today=date(2020, 1, 1),
    )
    hashes = {r.id: provisions.record_hash(r) for r in (old, older)}
    ids = {old.id, older.id}

    dry = provisions.purge_expired(
        session, SYSTEM_ACTOR, today=date(2025, 1, 11), now=old.created_at, apply=False
    )
    assert {r["id"] for r in dry.records} == ids and not dry.applied
    assert session.get(ProvisionRecord, old.id) is not None  # a dry run removes nothing

    done = provisions.purge_expired(
        session, SYSTEM_ACTOR, today=date(2025, 1, 11), now=old.created_at, apply=True
    )
    assert done.count == 2
    assert session.get(ProvisionRecord, old.id) is None
    assert session.get(ProvisionRecord, kept.id) is not None
    assert session.get(ProvisionRecord, note.id) is not None  # no record required, none kept
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "provision.purge").order_by(AuditEvent.seq)
    ).all()
    assert {int(e.object_id) for e in events} == ids
    for event in events:
        details = json.loads(event.details)
        assert details["sha256"] == hashes[int(event.object_id)]
        assert "individuals_count" in details and "individuals_listed" in details
    assert json.loads(events[1].details)["individuals_listed"] == 2  # 山田 太郎, 佐藤花子


# --- disclosure to the individual (Art. 33(5)) ---------------------------------------------


def test_the_records_concerning_a_person_and_their_extract(session):
    mine = record(session, CONSENT)
    record(session, RECEIPT)
    assert [r.id for r in queries.concerning(session, "山田太郎")] == [mine.id]
    assert [r.id for r in queries.concerning(session, "佐藤　花子")] == [mine.id]
    assert queries.concerning(session, "田中") == []
    extract = queries.extract_csv(session, "山田 太郎").decode("utf-8-sig").splitlines()
    assert extract[0].startswith("id,direction,basis,party_name")
    assert len(extract) == 2 and "株式会社サンプル物流" in extract[1]
    assert "佐藤" not in extract[1]  # nobody else's name goes out
