"""「個人データの漏えい等の報告」: generated from the record in the PPC form's order, read back with
every item in place, and each version kept as evidence on ORG-07 with its SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from article8.controls.catalogue.services import sync_catalogue
from article8.controls.incidents import record
from article8.controls.incidents import services as incidents
from article8.core.audit import Actor
from article8.core.errors import PermissionDenied
from article8.evidence.blobstore import local_store
from article8.reports import leak_report
from tests.conftest import SYSTEM_ACTOR

TOKYO = ZoneInfo("Asia/Tokyo")
AWARE = datetime(2026, 12, 28, 10, 0, tzinfo=TOKYO)
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=TOKYO)
ITEMS = {
    "summary": "ECサイトの決済画面が改ざんされ、入力されたカード情報が外部に送信された"
    "おそれがある。",
    "data_items": "氏名、クレジットカード番号、有効期限、セキュリティコード",
    "individuals": "約120名（ログからの推計）",
    "cause": "CMSの脆弱性を突いた不正アクセスによる改ざん",
    "secondary_damage": "カードの不正利用が2件確認されている。",
    "individual_response": "対象者へ電子メールで通知し、カード会社へ連絡した。",
    "publication": "2027年1月4日に当社ウェブサイトで公表した。",
    "prevention": "CMSの更新、改ざん検知の導入、決済画面の外部化",
    "other": "警察に相談済み",
}


@pytest.fixture
def filed(session, make_user, shipped_catalogue):
    sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=NOW)
    boss = make_user("responsible")
    incident = incidents.report_violation(
        session, Actor.for_user(boss), "カード情報の漏えいのおそれ", "決済画面の改ざん", AWARE,
        now=AWARE, tz=TOKYO,
    )  # fmt: skip
    record.update_record(
        session,
        Actor.for_user(boss),
        incident,
        {
            "aware_at": AWARE.isoformat(),
            "occurred_at": "2026-12-20T03:00:00+09:00",
            "kinds": ["leak"],
            "certainty": "suspected",
            "media": "electronic",
            "personal_data": "yes",
            "triggers": {"sensitive": False, "financial": True, "unlawful_purpose": True},
            "individuals_estimate": {"low": 100, "high": 130},
            "items": ITEMS,
        },
        now=NOW,
        tz=TOKYO,
    )
    return boss, incident


def test_the_document_reads_back_with_every_item_in_place(tmp_path, settings, filed):
    _boss, incident = filed
    org = replace(
        settings,
        organisation="株式会社クリンクミー",
        organisation_corporate_number="1234567890123",
        organisation_address="東京都千代田区霞が関3-2-1",
        organisation_representative="代表取締役 山田太郎",
        leak_report_contact="個人情報保護管理者 佐藤花子 03-0000-0000",
    )
    out = tmp_path / "report.xlsx"
    sha = leak_report.write_report(incident, out, org, stage="preliminary", today=date(2027, 1, 5))
    assert sha == hashlib.sha256(out.read_bytes()).hexdigest()
    found = leak_report.read_report(out)
    assert found["事業者の名称"] == "株式会社クリンクミー"
    assert found["法人番号"] == "1234567890123"
    assert found["代表者の氏名"] == "代表取締役 山田太郎"
    assert found["報告の区分"] == "速報"
    for code, _number, label in leak_report.ITEMS:
        assert found[label] == ITEMS[code], label
    assert found["事態を知った日時"] == "2026年12月28日 10時00分"
    assert found["発生日時"] == "2026年12月20日 03時00分"
    assert (found["事態の区分"], found["発生／おそれ"], found["媒体"]) == (
        "漏えい", "発生したおそれ", "電子媒体",
    )  # fmt: skip
    assert found["本人の数（集計）"] == "100人〜130人（推計）"
    triggers = [found[label] for _c, _n, label in leak_report.TRIGGERS]
    assert triggers == ["非該当", "該当", "該当", "非該当"]
    assert found["高度な暗号化その他の個人の権利利益を保護するために必要な措置"] == "なし"
    # The PPC form's order: the reporter first, then items 1 to 9, then the assessment.
    labels = list(found)
    order = ["事業者の名称", "概要", "原因", "その他参考となる事項", "個人データの該当性"]
    assert [labels.index(x) for x in order] == sorted(labels.index(x) for x in order)


def test_each_version_is_kept_as_evidence_on_org_07(session, settings, filed):
    boss, incident = filed
    store = local_store(settings)
    first = leak_report.generate_and_store(
        session, store, Actor.for_user(boss), incident, settings=settings, now=NOW
    )
    assert (first.version, first.stage) == (1, "preliminary")
    record.record_filing(
        session, Actor.for_user(boss), incident, kind="preliminary", filed_on=date(2026, 12, 30),
        now=NOW, tz=TOKYO,
    )  # fmt: skip
    second = leak_report.generate_and_store(
        session, store, Actor.for_user(boss), incident, settings=settings, now=NOW
    )
    assert (second.version, second.stage) == (2, "final")
    listed = leak_report.documents(session, incident.id)
    assert [d.version for d in listed] == [2, 1]
    evidence = listed[0].evidence
    assert [c.code for c in evidence.controls] == ["ORG-07"]
    assert evidence.sha256 == listed[0].sha256 and "確報" in evidence.title


def test_only_managers_generate_it(session, settings, filed, make_user):
    _boss, incident = filed
    with pytest.raises(PermissionDenied):
        leak_report.generate_and_store(
            session, local_store(settings), Actor.for_user(make_user("auditor")), incident,
            settings=settings, now=NOW,
        )  # fmt: skip


def test_the_workbook_incidents_sheet_carries_every_field(session, settings, filed, tmp_path):
    from tests.reports.test_workbook import export, sheets

    boss, incident = filed
    record.record_filing(
        session, Actor.for_user(boss), incident, kind="preliminary", filed_on=date(2026, 12, 30),
        receipt_number="R-77", now=NOW, tz=TOKYO,
    )  # fmt: skip
    session.flush()
    out, _ = export(session, settings, tmp_path)
    header, row = sheets(out)["Incidents"][:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["Kind of incident"] == "Leak (漏えい)"
    assert cells["Occurred or suspected"] == "Suspected (おそれ)"
    assert cells["Media"] == "Electronic"
    assert (cells["Estimate: at least"], cells["Estimate: at most"]) == (100, 130)
    assert cells["Cause"] == ITEMS["cause"]
    assert cells["Other relevant matters"] == ITEMS["other"]
    assert "R-77" in cells["Reports made"] and "2026-12-30" in cells["Reports made"]
    assert cells["Preliminary report: target"] == date(2026, 12, 31)
    assert cells["Entrustment"] == "No entrustment"
