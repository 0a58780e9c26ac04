"""The request edge: a successful write is committed once, anything refused leaves nothing, a
refused form comes back with the service's message on its field, and the mail a request queued
is delivered after its commit (other pending mail is the scheduler's)."""

from __future__ import annotations

import pytest
from flask import Blueprint
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from article8.core import audit, outbox
from article8.core.errors import N_, ValidationError
from article8.core.models import AuditEvent, Notification
from article8.web.context import actor, db, now
from article8.web.edge import on_refusal
from article8.web.permissions import requires
from tests.conftest import sign_in


def _events(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def probe(app, make_user):
    """A blueprint whose views write an audit event, then succeed or are refused."""
    bp = Blueprint("probe", __name__)

    def write() -> None:
        audit.record(db(), actor(), "probe.write", now=now())

    @bp.post("/probe/ok")
    @requires("account.own")
    def ok():
        write()
        return "written", 200

    @bp.get("/probe/read")
    @requires("account.own")
    def read():
        write()  # a GET that writes without saying so keeps nothing
        return "read", 200

    @bp.post("/probe/refused")
    @requires("account.own")
    def refused():
        write()
        raise ValidationError(N_("The title is required."), field="title")

    class TitleForm(FlaskForm):
        title = StringField("Title")

    @bp.post("/probe/form")
    @requires("account.own")
    def form():
        shown = TitleForm()
        on_refusal(lambda _error: (f"title: {shown.title.errors}", 400), form=shown)
        write()
        raise ValidationError(N_("The title is required."), field="title")

    app.register_blueprint(bp)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    sign_in(client, make_user("inspector").email)
    return client


def test_a_successful_write_is_committed_by_the_edge(probe, session):
    before = _events(session)
    assert probe.post("/probe/ok").status_code == 200
    assert _events(session) == before + 1


def test_a_refused_write_leaves_nothing_behind(probe, session):
    before = _events(session)
    response = probe.post("/probe/refused")
    assert response.status_code == 400
    assert _events(session) == before


def test_a_get_keeps_nothing_it_did_not_ask_to_keep(probe, session):
    before = _events(session)
    assert probe.get("/probe/read").status_code == 200
    assert _events(session) == before


def test_a_refused_form_gets_the_message_on_its_field_and_keeps_nothing(probe, session):
    before = _events(session)
    response = probe.post("/probe/form")
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "title: ['The title is required.']"
    assert _events(session) == before


def test_the_edge_delivers_only_the_mail_its_request_queued(app, session, make_user, clock):
    """An incident report mails the responsible person after the commit; a notification queued
    elsewhere (the scheduler's business) stays pending."""
    boss = make_user("responsible")
    outbox.queue(
        session,
        key="elsewhere",
        kind="test",
        recipient=boss,
        subject="Queued by a job",
        body="-",
        now=clock(),
    )
    outbox.queued_ids(session)  # the job's own bookkeeping, not the request's
    session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    sign_in(client, make_user("inspector").email)
    report = {
        "title": "Badge lent to a visitor",
        "description": "A visitor used an employee's badge.",
        "aware_at": "2026-11-24T09:30",
    }
    assert client.post("/incidents/report", data=report).status_code == 302
    session.expire_all()
    rows = {n.key: n.status for n in session.scalars(select(Notification))}
    assert rows.pop("elsewhere") == "pending"
    assert rows and set(rows.values()) <= {"sent", "logged"}
