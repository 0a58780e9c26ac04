"""The request and inquiry pages: record a request, the fee rule on the form, no work on a
disclosure before identity is confirmed, the response stored as evidence, inspectors seeing only
what is assigned to them, an inquiry converted into a request."""

from __future__ import annotations

import re

from sqlalchemy import select

from article8.evidence.models import EvidenceItem
from article8.privacy.requests.models import PrivacyRequest
from tests.conftest import csrf_token, sign_in
from tests.support.evidence import PDF, multipart


def record(client, **fields):
    token = csrf_token(client, "/requests/new")
    data = {
        "csrf_token": token,
        "kind": "disclosure",
        "channel": "letter",
        "received_at": "2026-11-20T18:30",
        "requester_name": "山田 花子",
        "agent_kind": "",
        "disclosure_method": "electronic",
        **fields,
    }
    return client.post("/requests/new", data=data)


def post(client, request_id, action, **fields):
    token = csrf_token(client, f"/requests/{request_id}")
    return client.post(f"/requests/{request_id}/{action}", data={"csrf_token": token, **fields})


def test_a_disclosure_from_receipt_to_closed_on_the_pages(
    client, login_as, session, synced_catalogue, settings
):
    login_as("responsible")
    refused = record(client, kind="correction", fee_yen="500")
    assert refused.status_code == 400 and "法38条" in refused.get_data(as_text=True)
    created = record(client, fee_yen="1000")
    assert created.status_code == 302
    request_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert "2026-12-04" in page and 'data-testid="statutory-marker">2026-12-04' in page
    # No work on a disclosure before identity is confirmed.
    client.post(
        f"/requests/{request_id}/begin",
        data={"csrf_token": csrf_token(client, f"/requests/{request_id}")},
    )
    session.expire_all()
    assert session.get(PrivacyRequest, request_id).state == "received"
    assert (
        post(
            client, request_id, "verify", method="運転免許証の写し", result="confirmed"
        ).status_code
        == 302
    )
    assert post(client, request_id, "fee", fee_yen="1000", fee_state="received").status_code == 302
    assert (
        post(
            client, request_id, "decide", decision="full", refusal_ground="", reasons=""
        ).status_code
        == 302
    )
    token = csrf_token(client, f"/requests/{request_id}")
    responded = client.post(
        f"/requests/{request_id}/respond",
        **multipart(
            [("csrf_token", token), ("responded_on", "2026-11-24"), ("method", "electronic")],
            [(PDF, "開示回答.pdf")],
            name="file",
        ),
    )
    assert responded.status_code == 302, responded.get_data(as_text=True)
    assert post(client, request_id, "close").status_code == 302
    session.expire_all()
    found = session.get(PrivacyRequest, request_id)
    assert found.state == "closed" and found.fee_state == "received"
    item = session.scalar(select(EvidenceItem).where(EvidenceItem.id == found.response_evidence_id))
    assert item.sha256 == found.response_sha256 and item.original_name == "開示回答.pdf"
    page = client.get(f"/requests/{request_id}").get_data(as_text=True)
    assert found.response_sha256 in page


def test_inspectors_see_only_the_requests_assigned_to_them(app, make_user, session):
    responsible = make_user("responsible")
    mine, other = make_user("inspector"), make_user("inspector")
    manager = app.test_client()
    sign_in(manager, responsible.email)
    ids = []
    for name in ("A", "B"):
        location = record(manager, requester_name=name, kind="correction").headers["Location"]
        ids.append(int(location.rsplit("/", 1)[1]))
    assert post(manager, ids[0], "assign", owner_id=str(mine.id)).status_code == 302
    inspector = app.test_client()
    sign_in(inspector, mine.email)
    listed = inspector.get("/requests/").get_data(as_text=True)
    assert re.findall(r'data-request="(\d+)"', listed) == [str(ids[0])]
    assert inspector.get(f"/requests/{ids[1]}").status_code == 403
    page = inspector.get(f"/requests/{ids[0]}").get_data(as_text=True)
    assert 'data-testid="work-form"' in page and 'data-testid="verify-form"' not in page
    stranger = app.test_client()
    sign_in(stranger, other.email)
    assert stranger.get(f"/requests/{ids[0]}").status_code == 403
    # Their empty list says why it is empty, and no single tab stands alone above it.
    empty = stranger.get("/requests/").get_data(as_text=True)
    assert "No request is assigned to you." in empty and "nav-tabs" not in empty
    assert "nav-tabs" in manager.get("/requests/").get_data(as_text=True)


def test_the_provision_record_disclosure_page_has_its_hook(client, login_as):
    login_as("admin")
    location = record(client, kind="provision_record_disclosure").headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert 'data-testid="provision-records-hook"' in page


def test_an_inquiry_converted_on_its_page_keeps_the_link(client, login_as, session):
    login_as("responsible")
    token = csrf_token(client, "/inquiries/new")
    created = client.post(
        "/inquiries/new",
        data={
            "csrf_token": token,
            "kind": "inquiry",
            "channel": "phone",
            "received_at": "2026-11-20T10:00",
            "subject": "自分の情報を見たい",
        },
    )
    assert created.status_code == 302
    inquiry_id = int(created.headers["Location"].rsplit("/", 1)[1])
    token = csrf_token(client, f"/inquiries/{inquiry_id}")
    converted = client.post(
        f"/inquiries/{inquiry_id}/convert",
        data={"csrf_token": token, "kind": "disclosure", "requester_name": "佐藤 一郎"},
    )
    assert converted.status_code == 302 and "/requests/" in converted.headers["Location"]
    request_page = client.get(converted.headers["Location"]).get_data(as_text=True)
    assert f"/inquiries/{inquiry_id}" in request_page
    inquiry_page = client.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert 'data-testid="converted"' in inquiry_page


def test_the_dashboard_shows_the_tile(client, login_as):
    login_as("responsible")
    record(client, kind="correction", received_at="2026-11-01T10:00")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="privacy-tile"' in page
    assert re.search(r'data-testid="privacy-overdue">1<', page)


def test_identity_documents_are_seen_only_by_managers_and_every_view_is_audited(
    app, make_user, session, synced_catalogue
):
    from article8.core.models import AuditEvent

    responsible, auditor, inspector = (
        make_user("responsible"),
        make_user("auditor"),
        make_user("inspector"),
    )
    manager = app.test_client()
    sign_in(manager, responsible.email)
    location = record(manager).headers["Location"]
    request_id = int(location.rsplit("/", 1)[1])
    assert post(manager, request_id, "assign", owner_id=str(inspector.id)).status_code == 302
    token = csrf_token(manager, location)
    stored = manager.post(
        f"/requests/{request_id}/identity",
        **multipart([("csrf_token", token)], [(PDF, "運転免許証.pdf")], name="file"),
    )
    assert stored.status_code == 302, stored.get_data(as_text=True)
    session.expire_all()
    item = session.scalar(select(EvidenceItem).where(EvidenceItem.restricted.is_(True)))
    assert item is not None and item.original_name == "運転免許証.pdf"
    page = manager.get(location).get_data(as_text=True)
    assert "運転免許証.pdf" in page
    assert manager.get(f"/evidence/{item.id}").status_code == 200
    download = manager.get(f"/evidence/{item.id}/download")
    assert download.status_code == 200 and download.data == PDF
    download.close()

    for user in (auditor, inspector):
        other = app.test_client()
        sign_in(other, user.email)
        assert other.get(f"/evidence/{item.id}").status_code == 403
        assert other.get(f"/evidence/{item.id}/download").status_code == 403
        assert "運転免許証" not in other.get("/evidence/").get_data(as_text=True)
    inspector_client = app.test_client()
    sign_in(inspector_client, inspector.email)
    assert "運転免許証" not in inspector_client.get(location).get_data(as_text=True)

    session.expire_all()
    reads = list(
        session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "evidence", AuditEvent.object_id == str(item.id)
            )
        )
    )
    assert reads.count("evidence.view") == 1 and reads.count("evidence.download") == 1


def test_a_complaint_first_reply_with_its_copy_as_evidence(
    client, login_as, session, synced_catalogue
):
    from article8.privacy.inquiries.models import Inquiry

    login_as("responsible")
    token = csrf_token(client, "/inquiries/new")
    created = client.post(
        "/inquiries/new",
        data={
            "csrf_token": token,
            "kind": "complaint",
            "channel": "mail",
            "received_at": "2026-11-20T10:00",
            "subject": "窓口の対応が遅い",
        },
    )
    inquiry_id = int(created.headers["Location"].rsplit("/", 1)[1])
    token = csrf_token(client, f"/inquiries/{inquiry_id}")
    replied = client.post(
        f"/inquiries/{inquiry_id}/reply",
        **multipart(
            [("csrf_token", token), ("replied_at", "2026-11-24T09:00")],
            [(PDF, "一次回答.pdf")],
            name="file",
        ),
    )
    assert replied.status_code == 302, replied.get_data(as_text=True)
    session.expire_all()
    found = session.get(Inquiry, inquiry_id)
    assert found.state == "responded" and found.reply_evidence_id is not None
    item = session.get(EvidenceItem, found.reply_evidence_id)
    assert item.sha256 == found.reply_sha256 and item.original_name == "一次回答.pdf"
    page = client.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert found.reply_sha256 in page


def test_the_history_of_a_request_names_it(client, login_as):
    login_as("responsible")
    location = record(client, kind="correction").headers["Location"]
    request_id = location.rsplit("/", 1)[1]
    page = client.get(f"/audit/?object_type=privacy_request&object_id={request_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Request {request_id}: Correction, addition or deletion (Art. 34)" in text
    assert "no longer exists" not in text
