"""Correcting a provision record on its edit page and with PATCH /api/v1/provisions/{id}
(issue 17, p-edit), as a responsible person, a partner system and an auditor see it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from article8.core import tokens
from article8.core.models import AuditEvent
from article8.privacy.provisions import services as provisions
from article8.privacy.provisions.models import ProvisionRecord
from tests.conftest import START, SYSTEM_ACTOR, csrf_token
from tests.privacy.test_provision_corrections import BULK
from tests.privacy.test_provisions import CONSENT


def _stored(session, data=CONSENT) -> ProvisionRecord:
    found = provisions.record_provision(session, SYSTEM_ACTOR, data, now=START, today=START.date())
    session.commit()
    return found


@pytest.fixture
def token_for(session, make_user, clock):
    def make(role):
        _, raw = tokens.create_token(session, SYSTEM_ACTOR, make_user(role), "script", now=clock())
        session.commit()
        return {"Authorization": f"Bearer {raw}"}

    return make


def _updates(session) -> list[dict]:
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "provision.update").order_by(AuditEvent.seq)
    )
    return [json.loads(event.details) for event in events]


def _form(client, found: ProvisionRecord, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it, with ``changes``."""
    fields = {
        "csrf_token": csrf_token(client, f"/provisions/{found.id}/edit"),
        "direction": found.direction,
        "basis": found.basis,
        "record_form": found.record_form or "",
        "party_name": found.party_name,
        "party_address": found.party_address,
        "party_representative": found.party_representative,
        "individuals_description": found.individuals_description,
        "individuals_count": ""
        if found.individuals_count is None
        else str(found.individuals_count),
        "data_items": found.data_items,
        "consent_evidence": found.consent_evidence,
        "provided_on": found.provided_on.isoformat() if found.provided_on else "",
        "last_provided_on": found.last_provided_on.isoformat() if found.last_provided_on else "",
        "note": found.note,
    }
    return {**fields, **changes}


def test_the_edit_page_is_prefilled_with_the_record(signed_in, session):
    found = _stored(session)
    client, _ = signed_in("responsible")
    page = client.get(f"/provisions/{found.id}/edit").get_data(as_text=True)
    assert 'value="株式会社サンプル物流"' in page
    assert "氏名、住所、電話番号</textarea>" in page
    assert 'name="reason"' in page and 'data-testid="retention-computed">2029-11-24<' in page


def test_a_correction_on_the_page_is_audited_before_and_after_and_shown(signed_in, session):
    found = _stored(session)
    client, user = signed_in("responsible")
    response = client.post(
        f"/provisions/{found.id}/edit",
        data=_form(client, found, data_items="氏名、住所", reason="電話番号は提供していなかった"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [details] = _updates(session)
    assert details["reason"] == "電話番号は提供していなかった"
    assert details["before"]["data_items"] == "氏名、住所、電話番号"
    assert details["after"]["data_items"] == "氏名、住所"
    # Nothing else moved: the list of individuals and its evidence stayed.
    assert details["before"]["individuals_list"] == details["after"]["individuals_list"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "kept until 2029-11-24" in page  # the flash: the retention after the correction
    history = page[page.index('data-testid="corrections"') :]
    assert "電話番号は提供していなかった" in history and user.email in history
    assert "氏名、住所、電話番号" in history and "Items of personal data" in history


def test_a_correction_without_a_reason_is_refused_and_changes_nothing(signed_in, session):
    found = _stored(session)
    client, _ = signed_in("admin")
    response = client.post(
        f"/provisions/{found.id}/edit", data=_form(client, found, party_name="別の会社", reason=" ")
    )
    assert response.status_code == 400
    assert "Say why the record is corrected." in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(ProvisionRecord, found.id).party_name == "株式会社サンプル物流"
    assert _updates(session) == []


def test_a_correction_gets_the_record_forms_own_messages(signed_in, session):
    found = _stored(session)
    client, _ = signed_in("admin")
    response = client.post(
        f"/provisions/{found.id}/edit",
        data=_form(
            client, found, foreign_country="米国", foreign_information="規則17条", reason="訂正"
        ),
    )
    assert response.status_code == 400
    assert "needs the individual&#39;s consent (Art. 28)" in response.get_data(as_text=True)
    assert _updates(session) == []


def test_a_bulk_record_whose_last_provision_moves_is_kept_three_years_from_it(signed_in, session):
    found = _stored(session, BULK)
    assert found.retention_until == date(2029, 11, 23)
    client, _ = signed_in("responsible")
    form = _form(client, found, last_provided_on="2027-02-01", reason="2月分の提供")
    # "Show the retention" first: the page says what the correction will give, nothing is saved.
    preview = client.post(f"/provisions/{found.id}/edit", data={**form, "preview": "1"})
    assert preview.status_code == 200
    assert 'data-testid="retention-computed">2030-02-01<' in preview.get_data(as_text=True)
    assert _updates(session) == []
    response = client.post(f"/provisions/{found.id}/edit", data=form)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(ProvisionRecord, found.id).retention_until == date(2030, 2, 1)
    [details] = _updates(session)
    assert details["further_provision_on"] == "2027-02-01"
    assert details["before"]["retention_until"] == "2029-11-23"
    assert details["after"]["retention_until"] == "2030-02-01"
    page = client.get(f"/provisions/{found.id}").get_data(as_text=True)
    history = page[page.index('data-testid="corrections"') :]
    assert "Further provision" in history and "2月分の提供" in history
    assert "2029-11-23" in history and "2030-02-01" in history


def test_a_correction_without_the_forms_csrf_token_is_refused(signed_in, session):
    found = _stored(session)
    client, _ = signed_in("admin")
    form = _form(client, found, party_name="別の会社", reason="訂正")
    del form["csrf_token"]
    assert client.post(f"/provisions/{found.id}/edit", data=form).status_code == 400
    assert _updates(session) == []


def test_a_basis_corrected_to_an_exempt_one_keeps_the_promised_retention_on_the_page(
    signed_in, session
):
    found = _stored(session)
    client, _ = signed_in("responsible")
    form = _form(client, found, basis="entrustment", reason="委託であった")
    preview = client.post(f"/provisions/{found.id}/edit", data={**form, "preview": "1"})
    assert 'data-testid="retention-kept"' in preview.get_data(as_text=True)
    assert client.post(f"/provisions/{found.id}/edit", data=form).status_code == 302
    page = client.get(f"/provisions/{found.id}").get_data(as_text=True)
    assert "2029-11-24" in page and 'data-testid="retention-kept"' in page


def test_an_auditor_sees_the_corrections_but_no_edit(signed_in, session):
    found = _stored(session)
    provisions.update_provision(
        session, SYSTEM_ACTOR, found, replace(CONSENT, note="訂正"), reason="注記", now=START
    )
    session.commit()
    client, _ = signed_in("auditor")
    page = client.get(f"/provisions/{found.id}").get_data(as_text=True)
    assert 'data-testid="correction"' in page and "correct-link" not in page
    assert client.get(f"/provisions/{found.id}/edit").status_code == 403


# --- PATCH /api/v1/provisions/{id} --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("responsible", 200), ("auditor", 403), ("inspector", 403)]
)
def test_each_role_token_corrects_as_its_role_allows(client, session, token_for, role, status):
    found = _stored(session)
    response = client.patch(
        f"/api/v1/provisions/{found.id}",
        json={"note": "訂正", "reason": "注記の追加"},
        headers=token_for(role),
    )
    assert response.status_code == status, response.get_json()
    assert len(_updates(session)) == (1 if status == 200 else 0)


def test_a_patch_moves_the_last_provision_of_a_bulk_record(client, session, token_for):
    found = _stored(session, BULK)
    response = client.patch(
        f"/api/v1/provisions/{found.id}",
        json={"last_provided_on": "2027-02-01", "reason": "夜間連携: 2月分"},
        headers=token_for("responsible"),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["last_provided_on"] == "2027-02-01" and body["retention_until"] == "2030-02-01"
    assert body["data_items"] == CONSENT.data_items  # the fields not sent stay


def test_a_patch_to_an_exempt_basis_keeps_the_retention(client, session, token_for):
    found = _stored(session)
    body = client.patch(
        f"/api/v1/provisions/{found.id}",
        json={"basis": "joint_use", "reason": "共同利用であった"},
        headers=token_for("admin"),
    ).get_json()
    assert body["record_required"] is False and body["record_form"] is None
    assert body["retention_until"] == "2029-11-24"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"individuals_count": "many", "reason": "x"}, "individuals_count"),
        ({"provided_on": "2026/04/01", "reason": "x"}, "provided_on"),
        ({"foreign_country": "米国", "reason": "x"}, "foreign_information"),
        ({"basis": "gift", "reason": "x"}, "basis"),
        ({"surprise": 1, "reason": "x"}, "surprise"),
        ({"note": "訂正"}, "reason"),
        ({"note": "訂正", "reason": "  "}, "reason"),
    ],
)
def test_a_bad_patch_is_refused_with_422_naming_the_field(
    client,
    session,
    token_for,
    change,
    field,
):
    found = _stored(session)
    response = client.patch(
        f"/api/v1/provisions/{found.id}", json=change, headers=token_for("admin")
    )
    assert response.status_code == 422
    assert response.get_json()["field"] == field
    assert _updates(session) == []


def test_a_patch_of_no_record_is_404(client, token_for):
    response = client.patch(
        "/api/v1/provisions/999", json={"note": "x", "reason": "x"}, headers=token_for("admin")
    )
    assert response.status_code == 404


def test_the_document_describes_the_correction(client):
    document = client.get("/api/v1/openapi.json").get_json()
    patch = document["paths"]["/provisions/{record_id}"]["patch"]
    assert {"200", "403", "404", "422"} <= set(patch["responses"])
    assert document["components"]["schemas"]["ProvisionUpdate"]["required"] == ["reason"]
