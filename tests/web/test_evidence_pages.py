"""The evidence pages: inspectors upload (several files at once), everyone reads and downloads,
every view and download is in the audit trail, nothing bad is ever stored."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.controls.inspections import services as workflow
from article8.controls.inspections.models import Inspection
from article8.controls.inspections.schedule import ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.evidence.blobstore import LocalBlobStore
from tests.conftest import csrf_token, sign_in
from tests.support.evidence import (
    HTML_AS_PDF,
    MB,
    PDF,
    add_item,
    as_actor,
    events,
    items,
    multipart,
    objects,
    upload,
)
from tests.support.inspections import performed


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced and committed."""


@pytest.fixture
def store(settings) -> LocalBlobStore:
    """The app's evidence store."""
    return LocalBlobStore(settings.evidence_dir)


# --- upload ------------------------------------------------------------------------------------


def test_an_inspector_uploads_two_files_at_once_from_the_control_page(
    client, login_as, session, store, catalogue
):
    inspector = login_as("inspector")
    page = client.get("/controls/ORG-04").get_data(as_text=True)
    assert 'data-testid="control-evidence-upload"' in page
    assert 'name="controls" value="ORG-04"' in page and " multiple" in page
    response = upload(
        client,
        [(PDF, "規程 2026.pdf"), (b"id,name\n1,Yamada\n", "roster.csv")],
        page="/controls/ORG-04",
        controls="ORG-04",
        next="/controls/ORG-04",
        valid_until="2027-03-31",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/controls/ORG-04"
    stored = items(session)
    assert [(i.title, i.media_type) for i in stored] == [
        ("規程 2026.pdf", "application/pdf"),
        ("roster.csv", "text/csv; charset=utf-8"),
    ]
    assert all([c.code for c in i.controls] == ["ORG-04"] for i in stored)
    assert all(
        i.uploaded_by_id == inspector.id and i.valid_until == date(2027, 3, 31) for i in stored
    )
    shown = client.get("/controls/ORG-04").get_data(as_text=True)
    assert "Stored “規程 2026.pdf” as evidence" in shown and "roster.csv" in shown
    table = shown.split('data-testid="control-evidence-table"')[1].split("</table>")[0]
    assert all(f'data-id="{i.id}"' in table for i in stored)
    uploads = events(session, "evidence.upload")
    assert [e.actor_id for e in uploads] == [inspector.id] * 2
    assert {e.client_addr for e in uploads} == {"127.0.0.1"}


def test_identical_content_is_stored_once(client, login_as, session, store, catalogue):
    login_as("inspector")
    assert upload(client, [(PDF, "a.pdf")]).status_code == 302
    assert upload(client, [(PDF, "copy of a.pdf")], controls="BP-01").status_code == 302
    first, second = items(session)
    assert first.sha256 == second.sha256 and first.id != second.id
    assert objects(store) == [str(store.path(first.sha256).relative_to(store.root))]


def test_a_pdf_that_is_really_html_is_refused_clearly_and_nothing_of_it_is_stored(
    client, login_as, session, store, catalogue
):
    login_as("inspector")
    alone = upload(client, [(HTML_AS_PDF, "invoice.pdf")])
    assert alone.status_code == 400
    text = alone.get_data(as_text=True)
    assert "invoice.pdf" in text and "does not match its extension (expected PDF)" in text
    assert items(session) == [] and objects(store) == []

    # With a good file in the same upload: the good one is kept, the bad one is reported.
    mixed = upload(client, [(HTML_AS_PDF, "invoice.pdf"), (PDF, "real.pdf")])
    assert mixed.status_code == 200
    outcomes = re.findall(r'data-outcome="(\w+)"', mixed.get_data(as_text=True))
    assert outcomes == ["refused", "stored"]
    assert [i.original_name for i in items(session)] == ["real.pdf"]
    assert len(objects(store)) == 1


def test_uploading_needs_a_file_and_a_control(client, login_as, session, catalogue):
    login_as("inspector")
    nothing = upload(client, [])
    assert nothing.status_code == 400 and "Choose at least one file." in nothing.get_data(True)
    no_control = upload(client, [(PDF, "a.pdf")], controls=[])
    assert no_control.status_code == 400
    assert "Link the evidence to at least one control." in no_control.get_data(as_text=True)
    backwards = upload(client, [(PDF, "a.pdf")], valid_until="2026-01-01")
    assert backwards.status_code == 400 and "before the collection date" in backwards.get_data(True)
    assert items(session) == []


@pytest.mark.parametrize("settings_env", [{"MAX_UPLOAD_MB": "1"}])
def test_an_oversize_upload_gets_413_with_the_limit_and_stores_nothing(
    client, login_as, session, store, catalogue
):
    login_as("inspector")
    response = upload(client, [(PDF + b"0" * (2 * MB), "scan.pdf")])
    assert response.status_code == 413
    assert "larger than the maximum of 1 MB" in response.get_data(as_text=True)
    assert items(session) == [] and objects(store) == []


HOSTILE = [
    "../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "evil\x00name.pdf",
    "a" * 1000 + ".pdf",
    'quote"; filename=x.html.pdf',
    "\u202eflipped.pdf",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_names_are_harmless(
    client, login_as, session, store, catalogue, name, tmp_path
):
    login_as("inspector")
    assert upload(client, [(PDF, name)]).status_code == 302
    (item,) = items(session)
    assert objects(store) == [str(store.path(item.sha256).relative_to(store.root))]
    assert not any(ch in item.original_name for ch in "/\\\x00\r\n\u202e")
    assert len(item.original_name) <= 200 and item.original_name.endswith(".pdf")
    download = client.get(f"/evidence/{item.id}/download", buffered=True)
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert (
        not any(ch in disposition for ch in "/\\\x00\r\n") and "X-Injected" not in download.headers
    )
    assert len(disposition) < 700 and download.get_data() == PDF
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "etc").exists()


def test_control_characters_in_a_stored_name_cannot_reach_the_download_header(
    client, login_as, session, store, clock, catalogue
):
    # A browser cannot even send CR/LF in a multipart file name; scripts and the CLI could.
    item = add_item(session, store, clock, name="line\r\nX-Injected: 1\x00.pdf")
    login_as("auditor")
    response = client.get(f"/evidence/{item.id}/download", buffered=True)
    assert "X-Injected" not in response.headers
    assert response.headers["Content-Disposition"] == 'attachment; filename="lineX-Injected_ 1.pdf"'


def test_a_japanese_file_name_is_offered_with_an_rfc5987_name(client, login_as, session, catalogue):
    login_as("inspector")
    upload(client, [(PDF, "入退室記録 11月.pdf")])
    (item,) = items(session)
    response = client.get(f"/evidence/{item.id}/download", buffered=True)
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E5%85%A5%E9%80%80%E5%AE%A4%E8%A8%98%E9%8C%B2" in disposition
    assert disposition.encode("ascii")  # the header itself is plain ASCII


# --- reading, downloading, the audit trail ---------------------------------------------------


def test_auditors_read_and_download_but_cannot_upload(
    app, client, login_as, session, store, clock, catalogue
):
    item = add_item(session, store, clock)
    login_as("auditor")
    assert client.get("/evidence/upload").status_code == 403
    refused = client.post("/evidence/upload", **multipart({"controls": "ORG-04"}, [(PDF, "x.pdf")]))
    assert refused.status_code == 403 and len(items(session)) == 1
    detail = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert item.sha256 in detail and "evidence-upload" not in detail and "withdraw" not in detail
    response = client.get(f"/evidence/{item.id}/download", buffered=True)
    assert response.status_code == 200 and response.get_data() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Length"] == str(len(PDF))
    assert "sandbox" in response.headers["Content-Security-Policy"]
    control_page = client.get("/controls/ORG-04").get_data(as_text=True)
    assert f'data-id="{item.id}"' in control_page and "control-evidence-upload" not in control_page


def test_every_view_and_download_is_in_the_audit_trail(
    app, client, login_as, session, store, clock, catalogue
):
    item = add_item(session, store, clock)
    auditor = login_as("auditor")
    client.get(f"/evidence/{item.id}")
    client.get(f"/evidence/{item.id}/download", buffered=True)
    (view,) = events(session, "evidence.view", item.id)
    (download,) = events(session, "evidence.download", item.id)
    assert (view.actor_id, view.actor_label, view.client_addr) == (
        auditor.id,
        auditor.email,
        "127.0.0.1",
    )
    assert (download.actor_id, download.client_addr) == (auditor.id, "127.0.0.1")
    assert item.sha256 in download.details
    history = client.get(f"/audit/?object_type=evidence&object_id={item.id}").get_data(True)
    assert "evidence.download" in history and "127.0.0.1" in history


def test_the_list_filters_by_control_status_validity_and_text(
    client, login_as, session, store, clock, catalogue
):
    policy = add_item(session, store, clock, title="Entry log", controls=["PHY-02"])
    expiring = add_item(session, store, clock, title="Contract", valid_until=date(2026, 12, 10))
    expired = add_item(session, store, clock, title="Old roster", valid_until=date(2026, 11, 20))
    login_as("auditor")

    def listed(query: str) -> list[int]:
        page = client.get(f"/evidence/?{query}")
        assert page.status_code == 200
        return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', page.get_data(as_text=True))]

    assert sorted(listed("")) == sorted([policy.id, expiring.id, expired.id])
    assert listed("control=PHY-02") == [policy.id]
    assert listed("freshness=expiring") == [expiring.id]
    assert listed("freshness=expired") == [expired.id]
    assert listed("q=roster") == [expired.id]
    assert listed("status=withdrawn") == []
    assert sorted(listed("status=bogus&freshness=bogus")) == sorted(listed(""))
    page = client.get("/controls/ORG-04").get_data(as_text=True)
    assert 'data-freshness="expiring"' in page and 'data-freshness="expired"' in page
    assert 'data-testid="evidence-expired"' in page


def test_a_new_version_supersedes_the_old_one_which_stays_in_the_history(
    client, login_as, session, store, clock, catalogue
):
    inspector = login_as("inspector")
    # Their own evidence: superseding follows the withdrawal rule (see test_route_matrix.py).
    first = add_item(session, store, clock, title="Entry log", actor=as_actor(inspector))
    page = f"/evidence/{first.id}"
    assert 'data-testid="evidence-new-version"' in client.get(page).get_data(as_text=True)
    response = upload(
        client,
        [(PDF + b"%v2\n", "entry-log-v2.pdf")],
        page=page,
        controls=[],
        replaces_id=str(first.id),
        title="Entry log",
    )
    assert response.status_code == 302
    old, new = items(session)
    assert (old.status, new.status, new.version, new.series_id) == (
        "superseded",
        "current",
        2,
        old.id,
    )
    assert [c.code for c in new.controls] == ["ORG-04"]  # taken over from the version replaced
    detail = client.get(f"/evidence/{old.id}").get_data(as_text=True)
    assert "A newer version of this evidence exists." in detail
    versions = detail.split('data-testid="evidence-versions"')[1]
    assert f"/evidence/{new.id}" in versions and "Superseded" in versions


def test_withdrawal_needs_a_reason_and_keeps_the_item_visible_as_withdrawn(
    app, client, login_as, make_user, session, store, clock, catalogue
):
    inspector = login_as("inspector")
    upload(client, [(PDF, "wrong.pdf")])
    (item,) = items(session)
    page = f"/evidence/{item.id}"
    token = csrf_token(client, page)
    empty = client.post(f"{page}/withdraw", data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 400 and items(session)[0].status == "current"

    other = app.test_client()
    sign_in(other, make_user("inspector").email)
    denied = other.post(
        f"{page}/withdraw", data={"csrf_token": csrf_token(other, page), "reason": "x"}
    )
    assert denied.status_code == 403

    done = client.post(f"{page}/withdraw", data={"csrf_token": token, "reason": "Wrong control"})
    assert done.status_code == 302
    withdrawn = items(session)[0]
    assert (withdrawn.status, withdrawn.withdrawn_reason, withdrawn.withdrawn_by_id) == (
        "withdrawn",
        "Wrong control",
        inspector.id,
    )
    auditor = app.test_client()
    sign_in(auditor, make_user("auditor").email)
    detail = auditor.get(page).get_data(as_text=True)
    assert 'data-testid="withdrawn-note"' in detail and "Wrong control" in detail
    assert (
        auditor.get("/evidence/?status=withdrawn").get_data(True).count(f'data-id="{item.id}"') == 1
    )
    assert auditor.get(f"{page}/download", buffered=True).get_data() == PDF
    assert store.exists(item.sha256)


def test_the_responsible_person_may_withdraw_anyones_evidence(
    client, login_as, session, store, clock, catalogue
):
    item = add_item(session, store, clock)
    login_as("responsible")
    page = f"/evidence/{item.id}"
    response = client.post(
        f"{page}/withdraw", data={"csrf_token": csrf_token(client, page), "reason": "Outdated"}
    )
    assert response.status_code == 302 and items(session)[0].status == "withdrawn"
    assert len(events(session, "evidence.withdraw", item.id)) == 1


def test_unknown_evidence_is_not_found(client, login_as, catalogue):
    login_as("auditor")
    assert client.get("/evidence/999").status_code == 404
    assert client.get("/evidence/999/download").status_code == 404


# --- inside an inspection ----------------------------------------------------------------------


def test_evidence_uploaded_inside_an_inspection_is_bound_to_it(
    client, login_as, session, store, clock, catalogue
):
    run_schedule(session, ScheduleRules(timezone=ZoneInfo("Asia/Tokyo")), now=clock())
    session.commit()
    inspection = session.scalars(
        select(Inspection).join(Control).where(Control.code == "ORG-04")
    ).one()
    login_as("inspector")
    page = f"/inspections/{inspection.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="inspection-evidence-upload"' in html
    assert f'formaction="/inspections/{inspection.id}/evidence"' in html
    response = upload(
        client,
        [(PDF, "check.pdf")],
        page=page,
        controls=[],
        inspection_id=str(inspection.id),
        next=page,
    )
    assert response.status_code == 302 and response.headers["Location"] == page
    (item,) = items(session)
    assert item.inspection_id == inspection.id and [c.code for c in item.controls] == ["ORG-04"]
    shown = client.get(page).get_data(as_text=True)
    assert f'data-id="{item.id}"' in shown.split('data-testid="inspection-evidence-table"')[1]
    detail = client.get(f"/evidence/{item.id}").get_data(as_text=True)
    assert f'href="{page}"' in detail.split('data-testid="evidence-inspection"')[1]


def test_a_decided_inspection_takes_a_note_with_a_reason_instead_of_files(
    app, client, login_as, make_user, session, clock, schedule
):
    inspector, reviewer = make_user("inspector"), make_user("responsible")
    inspection = performed(session, clock, inspector, "ORG-04")
    workflow.approve(session, Actor.for_user(reviewer), inspection, now=clock())
    session.commit()
    page = f"/inspections/{inspection.id}"
    inspector_client = app.test_client()
    sign_in(inspector_client, inspector.email)
    seen_by_inspector = inspector_client.get(page).get_data(as_text=True)
    assert 'data-testid="inspection-evidence-upload"' not in seen_by_inspector
    assert 'data-testid="inspection-note"' not in seen_by_inspector

    login_as("responsible")
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="inspection-evidence-upload"' not in html
    assert 'data-testid="inspection-note"' in html
    token = csrf_token(client, page)
    target = f"/evidence/inspection/{inspection.id}/note"
    refused = client.post(target, data={"csrf_token": token, "note": "Checked", "next": page})
    assert refused.status_code == 400 and "This field is required." in refused.get_data(True)
    assert items(session) == []
    added = client.post(
        target,
        data={
            "csrf_token": token,
            "note": "The paper log was signed off on 30 November.",
            "reason": "The signed log turned up after the approval.",
            "next": page,
        },
    )
    assert added.status_code == 302 and added.headers["Location"] == page
    (item,) = items(session)
    assert (item.inspection_id, item.original_name, item.media_type) == (
        inspection.id,
        "note.txt",
        "text/plain; charset=utf-8",
    )
    assert item.description == "The signed log turned up after the approval."
    shown = client.get(page).get_data(as_text=True)
    assert f'data-id="{item.id}"' in shown.split('data-testid="inspection-evidence-table"')[1]
    # The route is for managers only, whatever the form says.
    assert inspector_client.post(target, data={"note": "x", "reason": "y"}).status_code == 403
