"""Fixtures of the web tests: the scheduled catalogue, signed-in clients, assignments."""

from __future__ import annotations

import pytest

from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import run_schedule
from article8.core.audit import Actor
from tests.conftest import sign_in
from tests.support.schedule import RULES


@pytest.fixture
def schedule(session, clock, synced_catalogue):
    """The shipped catalogue and its inspections as of the clock's start, committed."""
    run_schedule(session, RULES, now=clock())
    session.commit()


@pytest.fixture
def assign(session, clock, make_user):
    """Assign an inspection to someone, as a responsible person of the arrangement would."""
    assigner = make_user("responsible")

    def give(inspection: Inspection, user) -> None:
        workflow.assign(session, Actor.for_user(assigner), inspection, user, now=clock())
        session.commit()

    return give


@pytest.fixture
def signed_in(app, make_user):
    """A new client signed in as a new user of ``role``: (client, user)."""

    def sign(role: str, **fields):
        user = make_user(role, **fields)
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        return client, user

    return sign
