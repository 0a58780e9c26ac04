"""Every registered route, with every role and anonymous: a decision exists and is enforced.

A new route missing from EXPECTED fails ``test_every_route_has_a_decision``; a route whose
view declares no permission is refused to everyone (deny by default). Which roles hold a
permission is read from the capability table, the same one the routes and services use.
"""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import select

from article8.controls.inspections import services as workflow
from article8.core import roles, tokens
from article8.core.audit import Actor
from article8.core.models import AuditEvent
from article8.core.settings import ROLES
from article8.evidence.blobstore import LocalBlobStore
from article8.web.params import IdConverter
from tests.conftest import SYSTEM_ACTOR, csrf_token, sign_in
from tests.support.evidence import PDF, add_item, as_actor, items, multipart
from tests.support.inspections import monthly_codes, november, performed

PUBLIC = "public"


def api(permission: str) -> tuple[str, str]:
    """Token-only JSON API: a session (signed in or not) is never enough, so the walk below gets
    401 for every role; tests/web/test_evidence_api.py checks each role with a token."""
    return ("api", permission)


# endpoint -> PUBLIC or the permission it needs; who holds it is read from the capability table
# (article8.core.roles.GRANTS). Static files are public by nature.
EXPECTED: dict[str, object] = {
    "static": PUBLIC,
    "bootstrap.static": PUBLIC,
    "main.healthz": PUBLIC,
    "main.set_language": PUBLIC,
    "auth.login": PUBLIC,
    "auth.second_factor": PUBLIC,
    "main.index": "account.own",
    "dashboard.dashboard_page": "posture.read",
    "dashboard.workbook_export": "posture.read",
    "auth.logout": "account.own",
    "account.overview": "account.own",
    "account.change_password": "account.own",
    "account.mfa_setup": "account.own",
    "account.mfa_disable": "account.own",
    "catalogue.control_list": "catalogue.read",
    "catalogue.control_page": "catalogue.read",
    "catalogue.coverage": "catalogue.read",
    "catalogue.control_new": "catalogue.edit",
    "catalogue.control_settings": "catalogue.edit",
    "catalogue.control_checklist": "catalogue.edit",
    "inspections.mine": "inspection.perform",
    "inspections.inspection_list": "inspection.read",
    "inspections.review_queue": "inspection.review",
    "inspections.inspection_page": "inspection.read",
    "inspections.save_answers": "inspection.perform",
    "inspections.submit": "inspection.perform",
    "inspections.approve": "inspection.review",
    "inspections.return_for_rework": "inspection.review",
    "inspections.assign": "inspection.assign",
    "inspections.upload_evidence": "evidence.upload",
    "findings.finding_list": "finding.read",
    "findings.finding_page": "finding.read",
    "findings.finding_severity": "finding.manage",
    "findings.action_add": "finding.manage",
    "findings.action_progress": "action.progress",
    "findings.action_verify": "finding.manage",
    "findings.action_cancel": "finding.manage",
    "audit.event_list": "audit.read",
    "audit.verify": "audit.read",
    "admin.user_list": "user.admin",
    "admin.user_create": "user.admin",
    "admin.user_detail": "user.admin",
    "admin.user_role": "user.admin",
    "admin.user_active": "user.admin",
    "admin.user_password": "user.admin",
    "admin.user_mfa_reset": "user.admin",
    "admin.closure_list": "closure.manage",
    "admin.closure_add": "closure.manage",
    "admin.closure_remove": "closure.manage",
    "evidence.evidence_list": "evidence.read",
    "evidence.evidence_detail": "evidence.read",
    "evidence.evidence_download": "evidence.read",
    "evidence.evidence_withdraw": "evidence.upload",
    "evidence.upload": "evidence.upload",
    "evidence.inspection_note": "evidence.manage",
    "api_tokens.token_list": "token.own",
    "api_tokens.token_create": "token.own",
    "api_tokens.token_revoke": "token.own",
    "api.openapi": PUBLIC,
    "api.evidence_list": api("evidence.read"),
    "api.evidence_create": api("evidence.upload"),
    "api.evidence_item": api("evidence.read"),
    "api.evidence_content": api("evidence.read"),
    "api.access_log_import": api("access_log.upload"),
    # issue 15: incidents in the API (tests/web/test_incident_api.py checks each role's token).
    "api.incident_create": api("incident.raise"),
    "api.incident_item": api("incident.report"),
    "api.incident_report_filed": api("incident.manage"),
    "api.incident_notification": api("incident.manage"),
    "api.incident_close": api("incident.manage"),
    "register.people_list": "register.read",
    "register.person_page": "register.read",
    "register.person_new": "register.manage",
    "register.person_edit": "register.manage",
    "register.authorisation_save": "register.manage",
    "register.authorisation_delete": "register.manage",
    "register.register_import": "register.manage",
    "register.register_sample": "register.manage",
    "access_logs.batch_list": "register.read",
    "access_logs.upload": "access_log.upload",
    "access_logs.log_sample": "access_log.upload",
    "anomalies.anomaly_list": "anomaly.read",
    "anomalies.anomaly_page": "anomaly.read",
    "anomalies.acknowledge": "anomaly.triage",
    "anomalies.dismiss": "anomaly.triage",
    "anomalies.escalate": "anomaly.triage",
    # Anyone reports a violation; a reporter's own incident page is theirs to see (others: 403).
    "incidents.report": "incident.report",
    "incidents.incident_list": "incident.read",
    "incidents.incident_page": "incident.report",
    "incidents.assess": "incident.manage",
    "incidents.ppc_report": "incident.manage",
    "incidents.set_status": "incident.manage",
    # issue 14: the audit package
    "dashboard.package_export": "posture.read",
    "api.package_export": api("posture.read"),
    # issue 17: provision and receipt records, privacy-policy versions
    "provisions.record_list": "provision.read",
    "provisions.record_new": "provision.manage",
    "provisions.record_page": "provision.read",
    "provisions.record_further": "provision.manage",
    "provisions.record_remove": "provision.manage",
    "provisions.record_import": "provision.manage",
    "provisions.record_export": "provision.read",
    "provisions.concerning": "provision.read",
    "policies.version_list": "policy.read",
    "policies.version_page": "policy.read",
    "policies.version_diff": "policy.read",
    "policies.version_new": "policy.manage",
    "api.provision_list": api("provision.read"),
    "api.provision_create": api("provision.manage"),
    "api.provision_item": api("provision.read"),
    # issue 17 (p-edit): correcting a record
    "provisions.record_edit": "provision.manage",
    # end issue 17
    # issue 15: the leak-report record
    "incidents.update_record": "incident.manage",
    "incidents.update_items": "incident.manage",
    "incidents.notification": "incident.manage",
    "incidents.document": "incident.manage",
    # issue 16: requests from individuals and inquiries (an inspector sees only assigned requests)
    "requests.request_list": "request.read",
    "requests.request_new": "request.manage",
    "requests.request_detail": "request.read",
    "requests.assign": "request.manage",
    "requests.verification_start": "request.manage",
    "requests.verify": "request.manage",
    "requests.begin": "request.manage",
    "requests.fee": "request.manage",
    "requests.work": "request.work",
    "requests.decide": "request.manage",
    "requests.respond": "request.manage",
    "requests.close": "request.manage",
    "requests.identity_document": "request.identity",
    # issue 17 (p-wire): attach a provision-record extract (object level: may_work_on_request)
    "requests.provision_extract": "request.work",
    "requests.inquiry_list": "inquiry.read",
    "requests.inquiry_new": "inquiry.manage",
    "requests.inquiry_detail": "inquiry.read",
    "requests.inquiry_assign": "inquiry.manage",
    "requests.inquiry_reply": "inquiry.manage",
    "requests.inquiry_convert": "inquiry.manage",
    "requests.inquiry_finding": "inquiry.manage",
    "requests.inquiry_close": "inquiry.manage",
    "api.request_create": api("request.manage"),
    "api.request_list": api("request.read"),
    "api.request_item": api("request.read"),
    "api.inquiry_create": api("inquiry.manage"),
    "api.inquiry_list": api("inquiry.read"),
    # end of issue 16
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


def test_every_route_declares_the_permission_expected_of_it(app):
    for endpoint, expected in EXPECTED.items():
        view = app.view_functions[endpoint]
        if expected == PUBLIC:
            declared = PUBLIC if endpoint.endswith("static") else None
            declared = PUBLIC if getattr(view, "_access_public", False) else declared
        elif isinstance(expected, tuple):
            declared = ("api", getattr(view, "_api_permission", None))
        else:
            declared = getattr(view, "_access_permission", None)
        assert declared == expected, endpoint


def test_auditors_and_inspectors_hold_no_managing_permission():
    """The table's shape: auditors only read (and report, and keep their own account); the
    managing permissions belong to the responsible person and the administrator."""
    own = {"account.own", "token.own", "incident.report"}
    for permission, holders in roles.GRANTS.items():
        if "auditor" in holders:
            assert permission in own or permission.endswith(".read"), permission
        if permission.endswith((".manage", ".edit", ".review", ".assign", ".triage", ".admin")):
            assert holders <= {"admin", "responsible"}, permission
    assert roles.roles_with("user.admin") == {"admin"}


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
        elif isinstance(expected, tuple) or who == "anonymous":
            want = "signin"
        else:
            want = "allowed" if who in roles.roles_with(str(expected)) else "denied"
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
    workflow.assign(session, Actor.for_user(reviewer), open_one, assignee, now=clock())
    other_code = next(code for code in monthly_codes(session) if code != "ORG-04")
    approved = performed(session, clock, assignee, other_code)
    workflow.approve(session, Actor.for_user(reviewer), approved, now=clock())
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
