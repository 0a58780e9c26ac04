"""The capability table and its object-level rules, on plain values (no database needed)."""

from __future__ import annotations

from types import SimpleNamespace as Thing

import pytest

from article8.core import roles
from article8.core.audit import Actor
from article8.core.vocabulary import ROLES


def who(role: str, user_id: int = 1) -> Actor:
    return Actor(user_id, f"{role}@example.jp", None, role)


def test_every_permission_is_held_by_known_roles_only():
    for permission, holders in roles.GRANTS.items():
        assert holders and holders <= set(ROLES.codes), permission


def test_an_unknown_permission_is_a_programming_error():
    with pytest.raises(KeyError):
        roles.has("admin", "inspection.teleport")


def test_a_process_or_an_anonymous_actor_holds_nothing():
    assert not any(roles.has(None, permission) for permission in roles.GRANTS)


def test_an_inspector_performs_their_own_or_an_unassigned_inspection_while_it_is_workable():
    inspector = who("inspector", 7)
    for assignee, status, allowed in [
        (7, "open", True),
        (None, "returned", True),
        (8, "in_progress", False),
        (7, "submitted", False),
        (7, "approved", False),
    ]:
        inspection = Thing(status=status, assignee_id=assignee, performed_by_id=None)
        assert roles.can_perform(inspector, inspection) is allowed, (assignee, status)
    assert not roles.can_perform(who("auditor", 7), Thing(status="open", assignee_id=7))


def test_nobody_reviews_an_inspection_they_performed():
    submitted = Thing(status="submitted", assignee_id=3, performed_by_id=3)
    assert not roles.can_review(who("responsible", 3), submitted)
    assert roles.can_review(who("responsible", 4), submitted)
    assert not roles.can_review(who("inspector", 4), submitted)
    assert not roles.can_review(who("admin", 4), Thing(status="open", performed_by_id=None))


def test_inspections_and_actions_go_to_active_people_who_perform():
    people = [Thing(role=role, active=active) for role in ROLES.codes for active in (True, False)]
    chosen = roles.assignable(people)
    assert {(p.role, p.active) for p in chosen} == {
        ("admin", True),
        ("responsible", True),
        ("inspector", True),
    }
    current = Thing(role="auditor", active=True)
    assert current in roles.assignable([*people, current], current)


def test_a_reporter_sees_their_own_incident_and_readers_see_all():
    incident = Thing(reported_by_id=5)
    assert roles.may_view_incident(who("inspector", 5), incident)
    assert not roles.may_view_incident(who("inspector", 6), incident)
    assert roles.may_view_incident(who("auditor", 6), incident)


def test_an_escalated_anomaly_is_settled():
    assert roles.may_triage(who("responsible"), Thing(status="acknowledged"))
    assert not roles.may_triage(who("responsible"), Thing(status="escalated"))
    assert not roles.may_triage(who("auditor"), Thing(status="new"))


def test_allows_answers_with_the_object_rule_when_there_is_one():
    mine = Thing(owner_id=9)
    assert roles.allows(who("inspector", 9), "action.progress", mine)
    assert not roles.allows(who("inspector", 8), "action.progress", mine)
    assert roles.allows(who("inspector", 8), "action.progress")  # the route: role alone
    assert roles.allows(who("responsible", 8), "action.progress", mine)
