"""Every registered route, with every role and anonymous: a decision exists and is enforced.

A new route missing from EXPECTED fails ``test_every_route_has_a_decision``; a route whose
view has no access decorator is refused to everyone (deny by default).
"""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import select

from article8.controls.inspections import services as workflow
from article8.core import tokens
from article8.core.models import AuditEvent
from article8.core.settings import ROLES
from article8.evidence.blobstore import LocalBlobStore
from article8.web.params import IdConverter
from tests.conftest import SYSTEM_ACTOR, csrf_token, sign_in
from tests.support.evidence import PDF, add_item, as_actor, items, multipart
from tests.support.inspections import monthly_codes, november, performed

PUBLIC = "public"
# Token-only JSON API: a session (signed in or not) is never enough, so the walk below gets 401
# for every role; tests/web/test_evidence_api.py checks each role with a token.
API = "api"
ALL = frozenset(ROLES)
READERS = frozenset({"admin", "responsible", "auditor"})
MANAGERS = frozenset({"admin", "responsible"})
PERFORMERS = frozenset({"admin", "responsible", "inspector"})
ADMIN = frozenset({"admin"})

# endpoint -> PUBLIC or the roles allowed. Static files are public by nature.
EXPECTED: dict[str, object] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.healthz": PUBLIC,
    "main.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.second_factor": PUBLIC,
    "main.index": ALL,
    "dashboard.dashboard_page": READERS,
    "dashboard.workbook_export": READERS,
    "auth.logout": ALL,
    "account.overview": ALL,
    "account.change_password": ALL,
    "account.mfa_setup": ALL,
    "account.mfa_disable": ALL,
    "catalogue.control_list": ALL,
    "catalogue.control_page": ALL,
    "catalogue.coverage": ALL,
    "catalogue.control_new": MANAGERS,
    "catalogue.control_settings": MANAGERS,
    "catalogue.control_checklist": MANAGERS,
    "inspections.mine": PERFORMERS,
    "inspections.inspection_list": ALL,
    "inspections.review_queue": MANAGERS,
    "inspections.inspection_page": ALL,
    "inspections.save_answers": PERFORMERS,
    "inspections.submit": PERFORMERS,
    "inspections.approve": MANAGERS,
    "inspections.return_for_rework": MANAGERS,
    "inspections.assign": MANAGERS,
    "findings.finding_list": ALL,
    "findings.finding_page": ALL,
    "findings.finding_severity": MANAGERS,
    "findings.action_add": MANAGERS,
    "findings.action_progress": PERFORMERS,
    "findings.action_verify": MANAGERS,
    "audit.event_list": READERS,
    "audit.verify": READERS,
    "admin.user_list": ADMIN,
    "admin.user_create": ADMIN,
    "admin.user_detail": ADMIN,
    "admin.user_role": ADMIN,
    "admin.user_active": ADMIN,
    "admin.user_password": ADMIN,
    "admin.user_mfa_reset": ADMIN,
    "evidence.evidence_list": ALL,
    "evidence.evidence_detail": ALL,
    "evidence.evidence_download": ALL,
    "evidence.evidence_withdraw": PERFORMERS,
    "evidence.upload": PERFORMERS,
    "evidence.inspection_note": MANAGERS,
    "api_tokens.token_list": ALL,
    "api_tokens.token_create": ALL,
    "api_tokens.token_revoke": ALL,
    "api.openapi": PUBLIC,
    "api.evidence_list": API,
    "api.evidence_create": API,
    "api.evidence_item": API,
    "api.evidence_content": API,
    "api.access_log_import": API,
    "register.people_list": READERS,
    "register.person_page": READERS,
    "register.person_new": MANAGERS,
    "register.person_edit": MANAGERS,
    "register.authorisation_save": MANAGERS,
    "register.authorisation_delete": MANAGERS,
    "register.register_import": MANAGERS,
    "access_logs.batch_list": READERS,
    "access_logs.upload": MANAGERS,
    "anomalies.anomaly_list": READERS,
    "anomalies.anomaly_page": READERS,
    "anomalies.acknowledge": MANAGERS,
    "anomalies.dismiss": MANAGERS,
    "anomalies.escalate": MANAGERS,
    # Anyone reports a violation; a reporter's own incident page is theirs to see (others: 403).
    "incidents.report": ALL,
    "incidents.incident_list": READERS,
    "incidents.incident_page": ALL,
    "incidents.assess": MANAGERS,
    "incidents.ppc_report": MANAGERS,
    "incidents.set_status": MANAGERS,
}


def _requests(app):
    """One (endpoint, method, url) for every rule and method of the app."""
    for rule in app.url_map.iter_rules():
        values = {
            arg: 1 if isinstance(rule._converters.get(arg), IdConverter) else "x"
            for arg in rule.arguments
        }
        if rule.endpoint.endswith("static"):
            values = {"filename": "article8.css" if rule.endpoint == "static" else "css/x.css"}
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_has_a_decision(app):
    endpoints = {endpoint for endpoint, _, _ in _requests(app)}
    assert endpoints - set(EXPECTED) == set(), "add the new routes to EXPECTED"
    assert set(EXPECTED) - endpoints == set(), "remove routes that no longer exist"


def _outcome(response) -> str:
    if response.status_code == 403:
        return "denied"
    if response.status_code == 401 or (
        response.status_code == 302
        and "/login" in response.headers.get("Location", "")
        and "/login" not in response.request.path
    ):
        return "signin"
    return "allowed"


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_each_role_gets_exactly_what_it_is_allowed(app, make_user, who):
    app.config["WTF_CSRF_ENABLED"] = False  # the matrix is about access, not forms
    client = app.test_client()
    if who != "anonymous":
        user = make_user(who)
        assert sign_in(client, user.email).status_code == 302
    for endpoint, method, url in _requests(app):
        if endpoint == "auth.logout" or (endpoint == "main.set_language"):
            continue  # they would end or change the session mid-walk; covered below
        response = client.open(url, method=method, data={})
        response.close()  # static files are streamed from disk
        expected = EXPECTED[endpoint]
        got = _outcome(response)
        if expected == PUBLIC:
            want = "allowed"
        elif expected == API or who == "anonymous":
            want = "signin"
        else:
            want = "allowed" if who in expected else "denied"
        assert got == want, f"{who} {method} {url} ({endpoint}): {response.status_code}"


@pytest.mark.parametrize("who", ROLES)
def test_every_role_can_sign_out_and_switch_language(app, make_user, who):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    sign_in(client, make_user(who).email)
    assert client.post("/language", data={"lang": "ja"}).status_code == 302
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_a_view_without_a_decision_is_denied_to_everyone(app, make_user):
    probe = Blueprint("probe", __name__)

    @probe.get("/probe/undecided")
    def undecided():
        return "should never be served"

    app.register_blueprint(probe)
    for role in ROLES:
        client = app.test_client()
        sign_in(client, make_user(role).email)
        assert client.get("/probe/undecided").status_code == 403, role
    assert app.test_client().get("/probe/undecided").status_code == 302


# --- object-level decisions: which inspection, whose evidence ----------------------------------
#
# The role decides which routes a user reaches; the evidence service decides which objects they
# may touch there. The pages and the API go through the same service check, so both are walked.

ALLOWED, DENIED, CLOSED = "allowed", "denied", "closed"
# who -> (link new evidence to the assignee's open inspection, to an approved inspection,
# replace the assignee's evidence with a new version, withdraw it)
OBJECT_MATRIX = {
    "admin": (ALLOWED, CLOSED, ALLOWED, ALLOWED),
    "responsible": (ALLOWED, CLOSED, ALLOWED, ALLOWED),
    "assignee": (ALLOWED, CLOSED, ALLOWED, ALLOWED),
    "other inspector": (DENIED, CLOSED, DENIED, DENIED),
    "auditor": (DENIED, DENIED, DENIED, DENIED),  # refused by the route, before any object
}
ROLE_OF = {"assignee": "inspector", "other inspector": "inspector"}


@pytest.fixture
def evidence_world(session, clock, settings, schedule, make_user):
    """Users around an inspector's open inspection, an approved one, and the inspector's file."""
    assignee, reviewer = make_user("inspector"), make_user("responsible")
    open_one = november(session, "ORG-04")
    workflow.assign(session, reviewer, open_one, assignee, now=clock())
    other_code = next(code for code in monthly_codes(session) if code != "ORG-04")
    approved = performed(session, clock, assignee, other_code)
    workflow.approve(session, reviewer, approved, now=clock())
    session.commit()
    store = LocalBlobStore(settings.evidence_dir)
    own = add_item(session, store, clock, actor=as_actor(assignee), title="Assignee's log")
    users = {who: make_user(ROLE_OF.get(who, who)) for who in OBJECT_MATRIX}
    users["assignee"] = assignee
    return users, open_one.id, approved.id, own.id


def _web(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    token = csrf_token(client, "/evidence/upload") if user.role != "auditor" else "x"

    def send(fields, content=PDF, name="check.pdf"):
        body = {"csrf_token": token, "collected_on": "2026-11-20", **fields}
        return client.post("/evidence/upload", **multipart(body, [(content, name)]))

    def withdraw(item_id):
        data = {"csrf_token": token, "reason": "Wrong file"}
        return client.post(f"/evidence/{item_id}/withdraw", data=data)

    return send, withdraw


def _api(app, session, clock, user):
    _, raw = tokens.create_token(session, SYSTEM_ACTOR, user, "matrix", now=clock())
    session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {raw}"}

    def send(fields, content=PDF, name="check.pdf"):
        body = {"collected_on": "2026-11-20", **fields}
        return client.post(
            "/api/v1/evidence", headers=headers, **multipart(body, [(content, name)], name="file")
        )

    return send, None


def _outcome_of(response) -> str:
    if response.status_code in (201, 302):
        return ALLOWED
    if response.status_code == 403:
        return DENIED
    assert response.status_code == 400, response.get_data(as_text=True)
    return CLOSED


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize("who", list(OBJECT_MATRIX))
def test_evidence_reaches_only_the_inspections_and_versions_it_may(
    app, session, clock, evidence_world, who, channel
):
    users, open_id, approved_id, own_id = evidence_world
    send, withdraw = (
        _web(app, users[who]) if channel == "web" else _api(app, session, clock, users[who])
    )
    before = {item.id for item in items(session)}
    got = (
        _outcome_of(send({"inspection_id": str(open_id)})),
        _outcome_of(send({"inspection_id": str(approved_id)})),
        _outcome_of(
            send({"replaces_id": str(own_id), "controls": "ORG-04"}, PDF + b"%v2\n", "v2.pdf")
        ),
    )
    if withdraw is not None:
        got += (_outcome_of(withdraw(own_id)),)
    want = OBJECT_MATRIX[who][: len(got)]
    assert got == want, f"{who} via {channel}"
    # Nothing refused left anything behind, and what was allowed is on the record.
    added = [item for item in items(session) if item.id not in before]
    assert len(added) == [want[0], want[2]].count(ALLOWED)
    assert all(item.inspection_id != approved_id for item in items(session))
    if want[0] == ALLOWED:
        linked = events_on_inspection(session, open_id)
        assert [e.actor_id for e in linked] == [users[who].id]
    assert events_on_inspection(session, approved_id) == []


def events_on_inspection(session, inspection_id: int) -> list[AuditEvent]:
    """The "evidence linked" events on an inspection's history."""
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "inspection.evidence_linked")
            .where(AuditEvent.object_id == str(inspection_id))
        )
    )
