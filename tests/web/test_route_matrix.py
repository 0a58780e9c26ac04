"""Every registered route, with every role and anonymous: a decision exists and is enforced.

A new route missing from EXPECTED fails ``test_every_route_has_a_decision``; a route whose
view has no access decorator is refused to everyone (deny by default).
"""

from __future__ import annotations

import pytest
from flask import Blueprint

from article8.core.settings import ROLES
from article8.web.params import IdConverter
from tests.conftest import sign_in

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
