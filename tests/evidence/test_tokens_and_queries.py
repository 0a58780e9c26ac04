"""API tokens (shown once, stored hashed, revocable) and the evidence read side (lists, freshness,
gaps) that the pages, the API and the dashboard use."""

from __future__ import annotations

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import get_control, update_settings
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core import tokens
from article8.core.audit import details_of
from article8.core.errors import NotFound, ValidationError
from article8.core.models import ApiToken, AuditEvent
from article8.core.users import set_active
from article8.evidence import queries, services
from article8.evidence.blobstore import LocalBlobStore
from tests.conftest import SYSTEM_ACTOR

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
TODAY = date(2026, 11, 24)


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "evidence")


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced."""


def add(session, store, clock, *, controls=("BP-01",), content=PDF, **fields):
    data = services.EvidenceInput(
        filename=fields.pop("name", "policy.pdf"),
        title=fields.pop("title", "Policy"),
        collected_on=fields.pop("collected_on", date(2026, 11, 1)),
        control_codes=list(controls),
        **fields,
    )
    return services.add_evidence(
        session, store, SYSTEM_ACTOR, io.BytesIO(content), data, max_bytes=10**6, now=clock()
    )


def events(session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by("seq"))
    )


# --- tokens ----------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_hash_is_stored(session, make_user, clock):
    user = make_user("inspector")
    token, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "  CI   pipeline ", now=clock())
    assert raw.startswith("a8_") and len(raw) >= 40
    assert token.name == "CI pipeline" and token.prefix == raw[:12]
    stored = session.get(ApiToken, token.id)
    assert raw not in (stored.token_hash, stored.prefix, stored.name)
    assert stored.token_hash == tokens.token_digest(raw)
    created = events(session, "token.create")
    assert len(created) == 1 and raw not in created[0].details
    assert details_of(created[0])["prefix"] == token.prefix


def test_a_valid_token_authenticates_its_user_and_notes_when_it_was_used(session, make_user, clock):
    user = make_user("auditor")
    token, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "reports", now=clock())
    assert token.last_used_at is None
    clock.advance(minutes=5)
    assert tokens.authenticate(session, raw, now=clock()) == user
    assert token.last_used_at == clock()
    first_use = clock()
    clock.advance(seconds=10)  # within the resolution: no write for every call
    tokens.authenticate(session, raw, now=clock())
    assert token.last_used_at == first_use


@pytest.mark.parametrize(
    "raw", ["", "a8_", "a8_wrong", "Bearer a8_x", "xx_" + "a" * 43, "a8_" + "a" * 5000]
)
def test_anything_but_a_real_token_authenticates_nobody(session, make_user, clock, raw):
    tokens.create_token(session, SYSTEM_ACTOR, make_user("admin"), "t", now=clock())
    assert tokens.authenticate(session, raw, now=clock()) is None


def test_a_revoked_token_or_a_deactivated_user_authenticates_nobody(session, make_user, clock):
    user = make_user("inspector")
    token, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "old", now=clock())
    assert tokens.revoke(session, SYSTEM_ACTOR, token, now=clock()) is True
    assert tokens.revoke(session, SYSTEM_ACTOR, token, now=clock()) is False  # no second event
    assert tokens.authenticate(session, raw, now=clock()) is None
    assert len(events(session, "token.revoke")) == 1

    _, other = tokens.create_token(session, SYSTEM_ACTOR, user, "new", now=clock())
    assert tokens.authenticate(session, other, now=clock()) == user
    set_active(session, SYSTEM_ACTOR, user, False, now=clock())
    assert tokens.authenticate(session, other, now=clock()) is None


def test_tokens_need_a_name_and_belong_to_their_owner(session, make_user, clock):
    owner, stranger = make_user("inspector"), make_user("inspector")
    with pytest.raises(ValidationError, match="name"):
        tokens.create_token(session, SYSTEM_ACTOR, owner, "   ", now=clock())
    with pytest.raises(ValidationError, match="longer than 100"):
        tokens.create_token(session, SYSTEM_ACTOR, owner, "x" * 101, now=clock())
    first, _ = tokens.create_token(session, SYSTEM_ACTOR, owner, "first", now=clock())
    clock.advance(minutes=1)
    second, _ = tokens.create_token(session, SYSTEM_ACTOR, owner, "second", now=clock())
    assert tokens.list_tokens(session, owner) == [second, first]
    assert tokens.list_tokens(session, stranger) == []
    assert tokens.get_token(session, owner, first.id) == first
    with pytest.raises(NotFound):
        tokens.get_token(session, stranger, first.id)


# --- lists and freshness ---------------------------------------------------------------------


def test_the_list_filters_by_control_status_uploader_and_text(session, store, clock, catalogue):
    policy = add(session, store, clock, title="基本方針 2026", controls=["BP-01"])
    roster = add(
        session,
        store,
        clock,
        title="Roster",
        name="staff_roster.csv",
        controls=["HUM-01"],
        content=b"id,name\n1,a\n",
    )
    withdrawn = add(session, store, clock, title="Wrong", controls=["BP-01", "HUM-01"])
    services.withdraw(session, SYSTEM_ACTOR, withdrawn, "wrong file", now=clock())

    def ids(**criteria):
        found = queries.list_evidence(session, queries.EvidenceFilter(**criteria), TODAY)
        return {item.id for item in found}

    assert ids() == {policy.id, roster.id, withdrawn.id}
    assert ids(control_code="bp-01") == {policy.id, withdrawn.id}
    assert ids(status="withdrawn") == {withdrawn.id}
    assert ids(status="current", control_code="HUM-01") == {roster.id}
    assert ids(search="基本方針") == {policy.id}
    assert ids(search="ROSTER.CSV") == {roster.id}  # the file name counts too
    assert ids(search="100%") == set()  # LIKE wildcards are literal
    assert ids(uploader_id=12345) == set()


def test_freshness_flags_current_evidence_expiring_within_30_days_or_expired(
    session, store, clock, catalogue
):
    no_end = add(session, store, clock)
    ends_today = add(session, store, clock, valid_until=TODAY)
    in_30 = add(session, store, clock, valid_until=TODAY + timedelta(days=30))
    in_31 = add(session, store, clock, valid_until=TODAY + timedelta(days=31))
    lapsed = add(session, store, clock, valid_until=TODAY - timedelta(days=1))
    old = add(session, store, clock, valid_until=TODAY - timedelta(days=9))
    add(session, store, clock, content=PDF + b"%v2", replaces_id=old.id)  # supersedes: unflagged

    assert [i.id for i in queries.expiring(session, TODAY)] == [ends_today.id, in_30.id]
    assert [i.id for i in queries.expiring(session, TODAY, days=31)][-1] == in_31.id
    assert [i.id for i in queries.expired(session, TODAY)] == [lapsed.id]
    flags = {i.id: queries.freshness(i, TODAY) for i in (no_end, ends_today, in_31, lapsed, old)}
    assert flags == {
        no_end.id: None,
        ends_today.id: "expiring",
        in_31.id: None,
        lapsed.id: "expired",
        old.id: None,
    }
    listed = queries.list_evidence(session, queries.EvidenceFilter(freshness="expired"), TODAY)
    assert [i.id for i in listed] == [lapsed.id]


def test_controls_without_evidence_in_force_are_listed_with_the_reason(
    session, store, clock, catalogue
):
    all_active = {c.code for c in session.scalars(select(Control).where(Control.active))}
    add(session, store, clock, controls=["BP-01"])  # no end: in force
    add(session, store, clock, controls=["BP-02"], valid_until=TODAY)  # ends today: in force
    add(
        session,
        store,
        clock,
        controls=["HUM-01"],
        collected_on=date(2025, 11, 1),
        valid_until=date(2026, 10, 31),
    )
    withdrawn = add(session, store, clock, controls=["HUM-02"])
    services.withdraw(session, SYSTEM_ACTOR, withdrawn, "wrong", now=clock())
    control = get_control(session, "PHY-01")
    update_settings(
        session,
        SYSTEM_ACTOR,
        control,
        owner_id=None,
        frequency=control.frequency,
        active=False,
        now=clock(),
    )

    gaps = {gap.control.code: gap for gap in queries.controls_missing_evidence(session, TODAY)}
    assert set(gaps) == all_active - {"BP-01", "BP-02", "PHY-01"}
    assert gaps["HUM-01"].reason == "expired"
    assert gaps["HUM-01"].last_valid_until == date(2026, 10, 31)
    assert gaps["HUM-02"].reason == "missing" and gaps["ORG-01"].reason == "missing"
    tomorrow = {
        g.control.code
        for g in queries.controls_missing_evidence(session, TODAY + timedelta(days=1))
    }
    assert "BP-02" in tomorrow and "BP-01" not in tomorrow


def test_per_control_and_per_inspection_lists_and_versions(session, store, clock, catalogue):
    run_schedule(session, ScheduleRules(timezone=ZoneInfo("Asia/Tokyo")), now=clock())
    inspection = session.scalars(select(Inspection).order_by(Inspection.id)).first()
    for_it = add(session, store, clock, controls=[], inspection_id=inspection.id)
    first = add(session, store, clock, controls=["ORG-04"])
    second = add(
        session, store, clock, controls=["ORG-04"], content=PDF + b"%2", replaces_id=first.id
    )
    other = add(session, store, clock, controls=["BP-01"])
    control = get_control(session, "ORG-04")
    assert [i.id for i in queries.for_control(session, control.id)] == [second.id]
    assert {i.id for i in queries.for_control(session, control.id, include_old=True)} == {
        first.id,
        second.id,
    }
    assert [i.id for i in queries.versions(session, first)] == [second.id, first.id]
    assert [i.id for i in queries.for_inspection(session, inspection.id)] == [for_it.id]
    assert [c.code for c in for_it.controls] == [inspection.control.code]
    assert queries.for_inspection(session, 10**6) == []
    shape = queries.as_json(other, TODAY)
    assert shape["controls"] == ["BP-01"] and shape["uploaded_at"].endswith("Z")
    assert shape["sha256"] == other.sha256 and shape["freshness"] is None
