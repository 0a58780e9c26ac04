"""Correcting a provision record (issue 17, p-edit): a legal record keeps what it said before (the
audit trail holds before, after and the reason), its retention is computed again, and a correction
never ends the retention earlier than the end already set."""

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
from tests.conftest import START, SYSTEM_ACTOR
from tests.privacy.test_provisions import CONSENT, TODAY, record

BULK = replace(
    CONSENT, record_form="bulk", provided_on=date(2026, 4, 1), last_provided_on=date(2026, 11, 23)
)


def _updates(session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "provision.update")
            .order_by(AuditEvent.seq)
        )
    )


def correct(session, found, data, reason="誤記の訂正", actor=SYSTEM_ACTOR):
    return provisions.update_provision(session, actor, found, data, reason=reason, now=START)


def test_a_correction_keeps_the_record_before_and_after_with_its_reason(session):
    found = record(session, CONSENT)
    assert correct(session, found, replace(CONSENT, data_items="氏名、住所、電話番号、メール"))
    [event] = _updates(session)
    details = json.loads(event.details)
    assert details["reason"] == "誤記の訂正"
    assert details["before"]["data_items"] == "氏名、住所、電話番号"
    assert details["after"]["data_items"] == "氏名、住所、電話番号、メール"
    [correction] = queries.corrections(session, found.id)
    assert correction.reason == "誤記の訂正" and correction.actor_label == SYSTEM_ACTOR.label
    assert [(c.field, c.before, c.after) for c in correction.changes] == [
        ("data_items", "氏名、住所、電話番号", "氏名、住所、電話番号、メール")
    ]


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_correction_without_a_reason_is_refused_and_changes_nothing(session, reason):
    found = record(session, CONSENT)
    with pytest.raises(ProvisionInvalid) as refused:
        correct(session, found, replace(CONSENT, party_name="別の会社"), reason=reason)
    assert refused.value.field == "reason"
    assert found.party_name == "株式会社サンプル物流"
    assert _updates(session) == []


def test_a_correction_meets_the_same_rules_as_the_record(session):
    found = record(session, CONSENT)
    with pytest.raises(ProvisionInvalid) as refused:
        correct(session, found, replace(CONSENT, foreign_country="米国"))
    assert refused.value.field == "foreign_information"
    assert found.foreign_country == ""


def test_an_auditor_may_not_correct_a_record(session):
    found = record(session, CONSENT)
    auditor = Actor(99, "auditor@example.jp", None, "auditor")
    with pytest.raises(PermissionDenied):
        correct(session, found, replace(CONSENT, note="x"), actor=auditor)


def test_a_correction_that_changes_nothing_leaves_no_event(session):
    found = record(session, CONSENT)
    assert not correct(session, found, provisions.current_input(found))
    assert _updates(session) == []


def test_a_bulk_record_whose_last_provision_moves_forward_is_kept_longer(session):
    found = record(session, BULK)
    assert found.retention_until == date(2029, 11, 23)  # 3 years from 23 Nov 2026
    correct(session, found, replace(BULK, last_provided_on=date(2027, 2, 1)), reason="2月分の提供")
    # 3 years from the new last provision: 1 Feb 2027 -> 1 Feb 2030.
    assert found.retention_until == date(2030, 2, 1)
    details = json.loads(_updates(session)[0].details)
    assert details["further_provision_on"] == "2027-02-01"
    assert "retention_kept" not in details


def test_a_date_corrected_earlier_does_not_shorten_the_retention(session):
    found = record(session, BULK)
    correct(session, found, replace(BULK, last_provided_on=date(2026, 10, 23)), reason="日付の誤記")
    # The values alone give 23 Oct 2029; the end already set (23 Nov 2029) stays.
    assert found.last_provided_on == date(2026, 10, 23)
    assert found.retention_until == date(2029, 11, 23)
    details = json.loads(_updates(session)[0].details)
    assert details["retention_kept"] == {"computed": "2029-10-23", "kept_until": "2029-11-23"}
    assert "further_provision_on" not in details
    [correction] = queries.corrections(session, found.id)
    assert correction.retention_kept and correction.computed_retention == "2029-10-23"


def test_a_basis_corrected_to_an_exempt_one_keeps_the_record_until_its_retention_ends(session):
    found = record(session, CONSENT, today=TODAY)
    assert found.retention_until == date(2029, 11, 24)
    correct(session, found, replace(CONSENT, basis="entrustment"), reason="委託であった")
    assert not found.record_required and found.record_form is None
    assert found.retention_until == date(2029, 11, 24)
    with pytest.raises(RetentionNotEnded):
        provisions.remove_record(session, SYSTEM_ACTOR, found, today=date(2029, 11, 24), now=START)
    assert (
        provisions.purge_expired(
            session, SYSTEM_ACTOR, today=date(2029, 11, 24), now=START, apply=True
        ).count
        == 0
    )
    purged = provisions.purge_expired(
        session, SYSTEM_ACTOR, today=date(2029, 11, 25), now=START, apply=True
    )
    assert [r["id"] for r in purged.records] == [found.id]
    assert session.scalar(select(ProvisionRecord.id)) is None


def test_the_retention_shown_before_saving_is_the_one_the_correction_gives(session):
    found = record(session, BULK)
    until, computed = provisions.retention_after_correction(
        found, replace(BULK, last_provided_on=date(2027, 2, 1))
    )
    assert until == computed == date(2030, 2, 1)
    until, computed = provisions.retention_after_correction(found, replace(BULK, basis="joint_use"))
    assert until == date(2029, 11, 23) and computed is None
