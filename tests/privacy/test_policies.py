"""The privacy-policy register: versions with their text's hash, purpose changes under Arts. 17
and 18, the matters Art. 32 asks to publish (a gap is a finding candidate for BP-03), diffs."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date

import pytest

from article8.core.audit import Actor
from article8.core.errors import PermissionDenied
from article8.core.vocabulary import PUBLICATION_MATTERS
from article8.privacy.policies import queries
from article8.privacy.policies import services as policies
from article8.privacy.policies.errors import PolicyInvalid
from tests.conftest import START, SYSTEM_ACTOR

# The policy in force: its Art. 8 lists no human measures and no external environment.
CURRENT_MATTERS = tuple(
    code
    for code in PUBLICATION_MATTERS.codes
    if code not in ("measures_human", "measures_external")
)
TEXT_2024 = "第1条 事業者の名称\n第3条 利用目的: 商品の発送\n第8条 安全管理措置 <組織的>\n"
TEXT_2026 = (
    "第1条 事業者の名称\n"
    "第3条 利用目的: 商品の発送、アフターサービス\n"
    "第8条 安全管理措置 <組織的>\n"
)

V2024 = policies.PolicyInput(
    label="2024-04",
    text=TEXT_2024,
    effective_on=date(2024, 4, 1),
    approved_by="代表取締役 山本",
    published_on=date(2024, 4, 1),
    publication_method="ウェブサイトに掲載",
    matters=CURRENT_MATTERS,
)
CHANGE = policies.PurposeChangeInput(
    purpose="アフターサービスのご案内",
    within_relation=True,
    reasoning="購入商品の保守は発送の目的から本人が通常予期しうる範囲",
    notified_on=date(2026, 3, 15),
    notification_method="ウェブサイトで公表",
)


def register(session, data, actor=SYSTEM_ACTOR):
    return policies.register_version(session, actor, data, evidence_id=None, now=START)


def test_a_version_keeps_its_text_hash_and_shows_the_publication_gap(session):
    version = register(session, V2024)
    assert version.sha256 == hashlib.sha256(TEXT_2024.encode("utf-8")).hexdigest()
    assert version.gaps == ["measures_human", "measures_external"]
    assert queries.GAP_CONTROL == "BP-03"


def test_the_version_in_force_is_the_latest_effective_one(session):
    old = register(session, V2024)
    new = register(
        session,
        replace(
            V2024,
            label="2026-04",
            text=TEXT_2026,
            effective_on=date(2026, 4, 1),
            purpose_changes=(CHANGE,),
        ),
    )
    assert queries.in_force(session, date(2026, 3, 31)) is old
    assert queries.in_force(session, date(2026, 4, 1)) is new
    assert queries.in_force(session, date(2024, 3, 31)) is None


def test_the_diff_shows_what_changed_and_leaves_escaping_to_the_page(session):
    old = register(session, V2024)
    new = register(session, replace(V2024, label="2026-04", text=TEXT_2026))
    lines = queries.diff(old, new)
    assert ("remove", "第3条 利用目的: 商品の発送") in [(d.kind, d.text) for d in lines]
    assert ("add", "第3条 利用目的: 商品の発送、アフターサービス") in [
        (d.kind, d.text) for d in lines
    ]
    assert ("context", "第8条 安全管理措置 <組織的>") in [(d.kind, d.text) for d in lines]


@pytest.mark.parametrize(
    "change",
    [
        {"reasoning": ""},
        {"notified_on": None},
        {"notification_method": ""},
        {"within_relation": False},  # beyond the relation: consent is needed
    ],
)
def test_a_purpose_change_needs_its_reasoning_or_consent_and_its_notice(session, change):
    with pytest.raises(PolicyInvalid) as refused:
        register(session, replace(V2024, purpose_changes=(replace(CHANGE, **change),)))
    assert refused.value.field == "purpose_changes"


def test_a_purpose_beyond_the_relation_with_consent_is_accepted(session):
    consent = replace(CHANGE, within_relation=False, reasoning="", consent="メールで個別に同意取得")
    version = register(session, replace(V2024, purpose_changes=(consent,)))
    assert version.purpose_changes[0].consent == "メールで個別に同意取得"


def test_labels_are_unique_and_only_managers_register(session):
    register(session, V2024)
    with pytest.raises(PolicyInvalid):
        register(session, V2024)
    with pytest.raises(PermissionDenied):
        register(session, replace(V2024, label="x"), actor=Actor(3, "a", role="auditor"))


def test_the_demo_policy_shows_the_two_matters_its_article_8_omits(session):
    from article8.ops.demo import ensure_demo_policy

    assert ensure_demo_policy(session, SYSTEM_ACTOR, now=START)
    assert not ensure_demo_policy(session, SYSTEM_ACTOR, now=START)  # once only
    version = queries.in_force(session, START.date())
    assert version is not None and version.gaps == ["measures_human", "measures_external"]
