"""The pages of the provision records and the privacy-policy register, as a responsible person
and an auditor use them."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from article8.core.models import AuditEvent
from article8.evidence.models import EvidenceItem
from article8.privacy.policies.models import PolicyVersion
from article8.privacy.provisions import services as provisions
from article8.privacy.provisions.models import ProvisionRecord
from tests.conftest import SYSTEM_ACTOR, csrf_token
from tests.privacy.test_provisions import CONSENT
from tests.support.evidence import multipart

NEW = "/provisions/new?direction=provision&basis="


def test_an_exempt_basis_is_told_no_record_is_required_instead_of_being_asked(signed_in):
    client, _ = signed_in("responsible")
    page = client.get(NEW + "entrustment").get_data(as_text=True)
    assert 'data-testid="no-record-required"' in page
    assert 'name="record_form"' not in page and 'name="data_items"' not in page
    asked = client.get(NEW + "consent").get_data(as_text=True)
    assert 'name="record_form"' in asked and "no-record-required" not in asked


def test_a_consent_record_with_its_list_of_individuals(signed_in, session, synced_catalogue):
    client, _ = signed_in("responsible")
    fields = {
        "csrf_token": csrf_token(client, NEW + "consent"),
        "record_form": "per_provision",
        "party_name": "株式会社サンプル物流",
        "individuals_description": "通販購入者",
        "data_items": "氏名、住所",
        "consent_evidence": "注文画面の同意欄",
        "provided_on": "2026-11-20",
    }
    names = "山田 太郎\r\n佐藤 花子\r\n".encode("cp932")
    response = client.post(
        NEW + "consent", **multipart(fields, [(names, "list.csv")], name="individuals_file")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    record = session.scalars(select(ProvisionRecord)).one()
    assert record.retention_until == date(2029, 11, 24)  # 3 years from its creation
    assert record.individuals_list.splitlines() == ["山田 太郎", "佐藤 花子"]
    item = session.get(EvidenceItem, record.individuals_list_evidence_id)
    assert item is not None and item.original_name == "list.csv"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2029-11-24" in page and "cannot be removed before then" in page


def test_a_foreign_recipient_without_consent_is_refused_on_the_form(signed_in, session):
    client, _ = signed_in("admin")
    fields = {
        "csrf_token": csrf_token(client, NEW + "consent"),
        "record_form": "per_provision",
        "party_name": "US Partner Inc.",
        "individuals_count": "3",
        "data_items": "氏名",
        "consent_evidence": "同意",
        "foreign_country": "米国",
        "foreign_information": "規則17条の情報を提供",
    }
    response = client.post(NEW + "consent", data=fields)
    assert response.status_code == 400
    assert "needs the individual&#39;s consent (Art. 28)" in response.get_data(as_text=True)
    assert session.scalar(select(ProvisionRecord.id)) is None


def test_removal_is_refused_while_the_retention_runs(signed_in, session, clock):
    record = provisions.record_provision(
        session, SYSTEM_ACTOR, CONSENT, now=clock(), today=date(2026, 11, 1)
    )
    session.commit()
    client, _ = signed_in("responsible")
    page = f"/provisions/{record.id}"
    response = client.post(page + "/remove", data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 409
    assert "must be kept until 2029-11-01" in response.get_data(as_text=True)
    assert session.get(ProvisionRecord, record.id) is not None


def test_a_bad_import_lists_every_bad_row_and_stores_nothing(signed_in, session):
    from tests.privacy.test_cli import BAD

    client, _ = signed_in("responsible")
    fields = {"csrf_token": csrf_token(client, "/provisions/import")}
    response = client.post(
        "/provisions/import", **multipart(fields, [(BAD.encode("cp932"), "bad.csv")], name="file")
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count('data-testid="import-problem"') == 5
    assert session.scalar(select(ProvisionRecord.id)) is None


def test_the_extract_for_one_person_is_audited(signed_in, session, clock):
    provisions.record_provision(session, SYSTEM_ACTOR, CONSENT, now=clock(), today=clock().date())
    session.commit()
    client, _ = signed_in("auditor")
    response = client.get("/provisions/concerning?person=山田太郎")
    assert response.status_code == 200
    assert "株式会社サンプル物流" in response.get_data().decode("utf-8-sig")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "provision.extract"))
    assert event is not None and json.loads(event.details)["records"] == 1


POLICY_TEXT = "第1条 名称\n第3条 利用目的: 発送\n第8条 <script>alert(1)</script>\n"


def _register_policy(client, label, text, matters, **extra):
    fields = {
        "csrf_token": csrf_token(client, "/policies/new"),
        "label": label,
        "effective_on": "2026-04-01",
        "approved_by": "代表取締役 山本",
        "text": text,
        "matters": matters,
        **extra,
    }
    return client.post("/policies/new", data=fields)


def test_a_policy_change_with_its_gap_and_diff(signed_in, session, synced_catalogue):
    client, _ = signed_in("responsible")
    all_but_two = [
        "business",
        "purposes",
        "requests",
        "measures_basic_policy",
        "measures_rules",
        "measures_organisational",
        "measures_physical",
        "measures_technical",
        "complaints",
    ]
    first = _register_policy(client, "2024-04", POLICY_TEXT, all_but_two, effective_on="2024-04-01")
    assert first.status_code == 302, first.get_data(as_text=True)
    second = _register_policy(
        client,
        "2026-04",
        POLICY_TEXT.replace("発送", "発送、アフターサービス"),
        all_but_two,
        **{
            "purpose_changes-0-purpose": "アフターサービス",
            "purpose_changes-0-relation": "related",
            "purpose_changes-0-reasoning": "購入商品の保守は通常予期しうる",
            "purpose_changes-0-notified_on": "2026-03-15",
            "purpose_changes-0-notification_method": "ウェブサイトで公表",
        },
    )
    assert second.status_code == 302, second.get_data(as_text=True)
    old, new = session.scalars(select(PolicyVersion).order_by(PolicyVersion.id)).all()
    snapshot = session.get(EvidenceItem, new.evidence_id)
    assert snapshot is not None and snapshot.sha256 == new.sha256
    listing = client.get("/policies/").get_data(as_text=True)
    assert "Finding candidate for BP-03" in listing
    assert "Safety control measures: human" in listing
    assert "understanding the external environment" in listing
    diff = client.get(f"/policies/diff?a={old.id}&b={new.id}").get_data(as_text=True)
    assert 'data-kind="add"' in diff and "アフターサービス" in diff
    # The colours come from the stylesheet: the CSP (default-src 'self') drops inline styles.
    assert "a8-diff-add" in diff and ' style="' not in diff
    assert 'data-kind="hunk">From line 1 of ' in diff and "@@" not in diff
    assert "<script>alert(1)</script>" not in diff and "&lt;script&gt;" in diff


def test_a_purpose_change_without_reasoning_is_refused(signed_in, session):
    client, _ = signed_in("admin")
    response = _register_policy(
        client,
        "2026-04",
        POLICY_TEXT,
        ["business"],
        **{"purpose_changes-0-purpose": "新しい目的", "purpose_changes-0-relation": "related"},
    )
    assert response.status_code == 400
    assert "Art. 17(2)" in response.get_data(as_text=True)
    assert session.scalar(select(PolicyVersion.id)) is None


def test_auditors_read_but_do_not_see_the_buttons_to_change(signed_in):
    client, _ = signed_in("auditor")
    assert 'data-testid="provision-new"' not in client.get("/provisions/").get_data(as_text=True)
    assert 'data-testid="policy-new"' not in client.get("/policies/").get_data(as_text=True)


def test_the_dashboard_tiles_for_the_privacy_registers(signed_in, session, clock):
    from dataclasses import replace

    from tests.privacy.test_policies import V2024

    # Made 2023-12-10: kept until 2026-12-10, within 30 days of 2026-11-24.
    provisions.record_provision(
        session, SYSTEM_ACTOR, CONSENT, now=clock(), today=date(2023, 12, 10)
    )
    abroad = replace(
        CONSENT, foreign_country="米国", foreign_information="規則17条", foreign_consent=True
    )
    provisions.record_provision(session, SYSTEM_ACTOR, abroad, now=clock(), today=clock().date())
    from article8.privacy.policies import services as policies

    policies.register_version(session, SYSTEM_ACTOR, V2024, evidence_id=None, now=clock())
    session.commit()
    client, _ = signed_in("responsible")
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="retention-ending">1<' in page
    assert 'data-testid="foreign-provisions">1<' in page
    assert 'data-testid="policy-in-force">2024-04<' in page
    assert "published on 2024-04-01" in page and "2 required matters not published" in page


def test_coverage_shows_the_duties_beyond_the_annex(signed_in, synced_catalogue):
    client, _ = signed_in("auditor")
    page = client.get("/controls/coverage").get_data(as_text=True)
    section = page.split('data-testid="coverage-beyond-annex"')[1].split("</section>")[0]
    assert "Beyond the annex" in page
    assert 'data-code="ORG-12"' in section and 'data-code="EXT-03"' in section
    assert "3-6-1" in section  # the guideline sections it follows
    assert 'data-code="BP-03"' not in section  # mapped to annex heading 10-7


def test_the_history_of_a_record_names_it_and_links_to_it(signed_in, session, clock):
    record = provisions.record_provision(
        session, SYSTEM_ACTOR, CONSENT, now=clock(), today=clock().date()
    )
    session.commit()
    client, _ = signed_in("auditor")
    page = client.get(f"/audit/?object_type=provision_record&object_id={record.id}").get_data(
        as_text=True
    )
    assert "Provision to a third party: 株式会社サンプル物流" in page
    assert f'href="/provisions/{record.id}"' in page
    assert "no longer exists" not in page
