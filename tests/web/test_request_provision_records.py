"""Disclosure of provision and receipt records to the individual (法33条5項) from the request
page: the records that concern the requester, another spelling of the name, an extract attached
as evidence (also when nothing is found) and used as the response copy, and who may do what.

Who may attach an extract follows the capability table: ``request.work`` (admin, responsible,
inspector) at the route, and ``may_work_on_request`` on the object, so an inspector may attach
one to a request assigned to them and not to another; an auditor reads and never attaches.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from sqlalchemy import func, select

from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.models import EvidenceItem
from article8.privacy.provisions import services as provisions
from article8.privacy.requests import services as requests
from article8.privacy.requests.models import PrivacyRequest
from article8.privacy.requests.services import RequestInput
from tests.conftest import SYSTEM_ACTOR, csrf_token, sign_in
from tests.privacy.conftest import RULES
from tests.privacy.test_provisions import CONSENT, RECEIPT

OTHER = replace(
    CONSENT,
    party_name='=HYPERLINK("http://example.invalid","開く")',
    individuals_list="山田太郎\n",
    individuals_description="キャンペーン応募者",
)


def _provisions(session, clock):
    for data in (CONSENT, RECEIPT):
        provisions.record_provision(session, SYSTEM_ACTOR, data, now=clock(), today=clock().date())


def _request(session, clock, name="山田 太郎", kind="provision_record_disclosure", confirm=True):
    found = requests.receive(
        session,
        SYSTEM_ACTOR,
        RequestInput(kind=kind, channel="letter", received_at=clock(), requester_name=name),
        now=clock(),
        deadlines=RULES,
    )
    if confirm:
        requests.record_verification(
            session, SYSTEM_ACTOR, found, method="運転免許証の写し", result="confirmed", now=clock()
        )
    session.commit()
    return found.id


def _attach(client, request_id, **fields):
    token = csrf_token(client, f"/requests/{request_id}")
    return client.post(
        f"/requests/{request_id}/provision-extract", data={"csrf_token": token, **fields}
    )


def _evidence_count(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(EvidenceItem))


def _extract_events(session, request_id):
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "request.provision_extract",
                AuditEvent.object_id == str(request_id),
            )
        )
    )


def test_the_records_concerning_the_requester_are_listed_and_no_one_elses(
    client, login_as, session, clock
):
    _provisions(session, clock)
    mine = _request(session, clock)
    other = _request(session, clock, name="田中 一郎")
    login_as("responsible")
    page = client.get(f"/requests/{mine}").get_data(as_text=True)
    assert 'data-testid="provision-records"' in page
    assert "株式会社サンプル物流" in page and "名簿販売株式会社" not in page
    assert 'href="/provisions/' in page  # the responsible person may read provisions
    page = client.get(f"/requests/{other}").get_data(as_text=True)
    assert 'data-testid="provision-records-none"' in page
    assert "No third-party provision records concern the person." in page
    assert "株式会社サンプル物流" not in page


def test_another_spelling_is_searched_by_the_responsible_person_only(
    app, client, login_as, make_user, session, clock
):
    _provisions(session, clock)
    request_id = _request(session, clock, name="ヤマダ タロウ")
    login_as("responsible")
    assert "株式会社サンプル物流" not in client.get(f"/requests/{request_id}").get_data(
        as_text=True
    )
    page = client.get(f"/requests/{request_id}?name=山田　太郎").get_data(as_text=True)
    assert "株式会社サンプル物流" in page and 'value="山田 太郎"' in page
    inspector = make_user("inspector")
    found = session.get(PrivacyRequest, request_id)
    requests.assign(session, SYSTEM_ACTOR, found, inspector, now=clock())
    session.commit()
    assigned = app.test_client()
    sign_in(assigned, inspector.email)
    page = assigned.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="provision-search"' not in page
    assert 'href="/provisions/' not in page  # inspectors do not read the provision register
    assert assigned.get(f"/requests/{request_id}?name=山田太郎").status_code == 403


def test_an_extract_is_stored_as_evidence_with_its_sha256_and_audited(
    client, login_as, session, clock, settings, synced_catalogue
):
    _provisions(session, clock)
    provisions.record_provision(session, SYSTEM_ACTOR, OTHER, now=clock(), today=clock().date())
    request_id = _request(session, clock)
    login_as("responsible")
    response = _attach(client, request_id)
    assert response.status_code == 302, response.get_data(as_text=True)
    (event,) = _extract_events(session, request_id)
    details = json.loads(event.details)
    item = session.get(EvidenceItem, details["evidence_id"])
    content = LocalBlobStore(settings.evidence_dir).path(item.sha256).read_bytes()
    assert hashlib.sha256(content).hexdigest() == item.sha256 == details["sha256"]
    assert details["records"] == 2 and details["searched_as"] == "山田 太郎"
    assert [c.code for c in item.controls] == [requests.REQUESTS_CONTROL]
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, so Excel reads it
    text = content.decode("utf-8-sig")
    # Headings and labels in the language of the person attaching it (English here).
    assert text.startswith("Record,Direction,Legal basis,Name of the other party,")
    assert "Provision to a third party,Consent of the individual" in text
    assert "株式会社サンプル物流" in text and "名簿販売株式会社" not in text
    assert "佐藤" not in text  # nobody else's name goes out
    # A party name that a spreadsheet would run as a formula stays text.
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert f'data-evidence="{item.id}"' in page and item.sha256 in page


def test_an_extract_that_finds_nothing_is_attached_as_well(
    client, login_as, session, clock, synced_catalogue
):
    _provisions(session, clock)
    request_id = _request(session, clock, name="田中 一郎")
    login_as("responsible")
    assert _attach(client, request_id).status_code == 302
    (event,) = _extract_events(session, request_id)
    details = json.loads(event.details)
    assert details["records"] == 0 and details["record_ids"] == []
    item = session.get(EvidenceItem, details["evidence_id"])
    assert item.description == "No provision or receipt records concern the person."
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "none found" in page and item.sha256 in page


def test_an_extract_under_another_spelling_records_the_name_searched(
    client, login_as, session, clock, synced_catalogue
):
    _provisions(session, clock)
    request_id = _request(session, clock, name="ヤマダ タロウ")
    login_as("admin")
    assert _attach(client, request_id, name="山田太郎").status_code == 302
    (event,) = _extract_events(session, request_id)
    assert json.loads(event.details)["searched_as"] == "山田太郎"
    assert json.loads(event.details)["records"] == 1


def test_attaching_without_a_csrf_token_is_refused(
    client, login_as, session, clock, synced_catalogue
):
    _provisions(session, clock)
    request_id = _request(session, clock)
    login_as("responsible")
    before = _evidence_count(session)
    response = client.post(f"/requests/{request_id}/provision-extract", data={})
    assert response.status_code == 400
    assert _evidence_count(session) == before and _extract_events(session, request_id) == []


def test_who_may_attach_an_extract(app, make_user, session, clock, synced_catalogue):
    _provisions(session, clock)
    request_id = _request(session, clock)
    assignee, stranger, auditor = (
        make_user("inspector"),
        make_user("inspector"),
        make_user("auditor"),
    )
    requests.assign(
        session, SYSTEM_ACTOR, session.get(PrivacyRequest, request_id), assignee, now=clock()
    )
    session.commit()

    def attach_as(user):
        client = app.test_client()
        sign_in(client, user.email)
        token = csrf_token(client, "/")
        return client.post(f"/requests/{request_id}/provision-extract", data={"csrf_token": token})

    before = _evidence_count(session)
    assert attach_as(auditor).status_code == 403  # reads every request, changes nothing
    assert attach_as(stranger).status_code == 403  # not assigned: does not even see it
    assert _evidence_count(session) == before and _extract_events(session, request_id) == []
    assert attach_as(assignee).status_code == 302  # request.work on the request assigned
    (event,) = _extract_events(session, request_id)
    assert event.actor_id == assignee.id
    reader = app.test_client()
    sign_in(reader, auditor.email)
    page = reader.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "株式会社サンプル物流" in page and 'data-testid="attach-extract"' not in page


def test_no_extract_before_identity_is_confirmed(
    client, login_as, session, clock, synced_catalogue
):
    _provisions(session, clock)
    request_id = _request(session, clock, confirm=False)
    login_as("responsible")
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="attach-extract"' not in page
    before = _evidence_count(session)
    response = _attach(client, request_id)
    assert response.status_code == 302
    assert _evidence_count(session) == before and _extract_events(session, request_id) == []


def test_the_extract_serves_as_the_response_copy(
    client, login_as, session, clock, synced_catalogue
):
    _provisions(session, clock)
    request_id = _request(session, clock)
    login_as("responsible")
    assert _attach(client, request_id).status_code == 302
    (event,) = _extract_events(session, request_id)
    extract_id = json.loads(event.details)["evidence_id"]
    found = session.get(PrivacyRequest, request_id)
    requests.decide(
        session, SYSTEM_ACTOR, found, decision="full", refusal_ground=None, reasons="", now=clock()
    )
    session.commit()
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'name="extract_id"' in page
    token = csrf_token(client, f"/requests/{request_id}")
    fields = {"csrf_token": token, "responded_on": "2026-11-24", "method": "electronic"}
    before = _evidence_count(session)
    refused = client.post(f"/requests/{request_id}/respond", data={**fields, "extract_id": "999"})
    assert refused.status_code == 400
    nothing = client.post(f"/requests/{request_id}/respond", data=fields)
    assert nothing.status_code == 400
    response = client.post(
        f"/requests/{request_id}/respond", data={**fields, "extract_id": str(extract_id)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    found = session.get(PrivacyRequest, request_id)
    assert found.state == "responded" and found.response_evidence_id == extract_id
    assert found.response_sha256 == json.loads(event.details)["sha256"]
    assert _evidence_count(session) == before  # the extract is the copy: nothing new stored


def test_the_section_is_hidden_for_other_kinds_of_request(client, login_as, session, clock):
    request_id = _request(session, clock, kind="disclosure")
    login_as("responsible")
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'data-testid="provision-records-hook"' not in page
    assert 'data-testid="attach-extract"' not in page


def _in_japanese(client):
    token = csrf_token(client, "/")
    client.post("/language", data={"lang": "ja", "next": "/", "csrf_token": token})


def test_an_extract_attached_in_japanese_reads_in_japanese(
    client, login_as, session, clock, settings, synced_catalogue
):
    _provisions(session, clock)
    request_id = _request(session, clock)
    login_as("responsible")
    _in_japanese(client)
    assert _attach(client, request_id).status_code == 302
    (event,) = _extract_events(session, request_id)
    content = LocalBlobStore(settings.evidence_dir).path(json.loads(event.details)["sha256"])
    text = content.read_bytes().decode("utf-8-sig")
    assert text.startswith("記録,区分,根拠,相手方の名称または氏名,")
    assert "株式会社サンプル物流" in text


def test_the_empty_result_is_stated_in_japanese(client, login_as, session, clock):
    """Needs this branch's Japanese (p-wire-ja.po) merged into the catalogue."""
    request_id = _request(session, clock, name="田中 一郎")
    login_as("responsible")
    _in_japanese(client)
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "該当する第三者提供記録はありません" in page
