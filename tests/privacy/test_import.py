"""`article8 requests import FILE`: CSV (UTF-8 or CP932, dates as 2024/04/01) or XLSX; every bad
row is reported with its line, column and what was expected, in the user's language, and then
nothing is stored."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from article8.core.db import make_engine
from article8.core.models import AuditEvent
from article8.privacy.requests.models import PrivacyRequest
from tests.cli_runner import article8

HEADER = "kind,channel,received_at,requester_name,requester_contact,agent_kind,fee_yen\r\n"


def rows_in(url: str, model) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_a_cp932_file_with_japanese_dates_imports_and_reads_back(fresh_database_url, tmp_path):
    file = tmp_path / "請求一覧.csv"
    file.write_bytes(
        (
            HEADER
            + "開示,letter,2026/11/20 18:30,髙橋 花子,東京都千代田区,,1000\r\n"
            + "correction,mail,2026年11月24日,佐藤 一郎,ichiro@example.jp,appointed_agent,\r\n"
        ).encode("cp932")
    )
    done = article8(fresh_database_url, tmp_path, "requests", "import", str(file))
    assert done.returncode == 1  # an agent without a name: nothing stored
    assert rows_in(fresh_database_url, PrivacyRequest) == 0
    file.write_bytes(
        (
            HEADER
            + "開示,letter,2026/11/20 18:30,髙橋 花子,東京都千代田区,,1000\r\n"
            + "correction,mail,2026年11月24日,佐藤 一郎,ichiro@example.jp,,\r\n"
        ).encode("cp932")
    )
    done = article8(fresh_database_url, tmp_path, "requests", "import", str(file))
    assert done.returncode == 0, done.stderr
    assert "requests: 2 imported" in done.stdout and "CP932" in done.stdout
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                select(
                    PrivacyRequest.kind,
                    PrivacyRequest.requester_name,
                    PrivacyRequest.target_on,
                    PrivacyRequest.fee_yen,
                ).order_by(PrivacyRequest.id)
            ).all()
            actions = list(conn.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    finally:
        engine.dispose()
    assert [tuple(r) for r in stored] == [
        ("disclosure", "髙橋 花子", date(2026, 12, 4), 1000),
        ("correction", "佐藤 一郎", date(2026, 12, 8), None),
    ]
    assert actions[-3:] == ["request.receive", "request.receive", "request.import"]


def test_every_bad_row_is_reported_and_nothing_is_stored(fresh_database_url, tmp_path):
    file = tmp_path / "requests.csv"
    file.write_text(
        HEADER
        + "disclosure,mail,2026-11-20 10:00,A,,,1000\r\n"  # fine
        + "gossip,mail,2026-11-20 10:00,B,,,\r\n"  # line 3: kind
        + "correction,mail,2026-11-20 10:00,C,,,500\r\n"  # line 4: a fee on a correction
        + "disclosure,fax,20.11.2026,D,,,\r\n"  # line 5: channel (and the date)
        + "disclosure,mail,2026-11-20 10:00,,,,\r\n",  # line 6: no requester
        encoding="utf-8",
    )
    english = article8(
        fresh_database_url, tmp_path, "requests", "import", str(file), "--lang", "en"
    )
    assert english.returncode == 1
    lines = english.stderr.splitlines()
    assert lines[0] == "article8: 4 problems were found; nothing was stored."
    text = english.stderr
    assert "requests.csv: line 3, column kind: expected one of purpose_notice" in text
    assert "requests.csv: line 4, column fee_yen: No fee may be charged" in text
    assert "requests.csv: line 5, column channel: expected one of web_form" in text
    assert "requests.csv: line 6, column requester_name: expected a value" in text
    assert rows_in(fresh_database_url, PrivacyRequest) == 0
    japanese = article8(
        fresh_database_url, tmp_path, "requests", "import", str(file), "--lang", "ja"
    )
    # The Japanese sentences come from the catalogue the lead merges; the places are Japanese.
    assert japanese.returncode == 1 and "requests.csv" in japanese.stderr


def test_an_xlsx_sheet_imports(fresh_database_url, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "requests"
    sheet.append(["kind", "channel", "received_at", "requester_name", "fee_yen"])
    sheet.append(["purpose_notice", "phone", "2026/11/24 09:00", "鈴木 次郎", 300])
    path = tmp_path / "requests.xlsx"
    book.save(path)
    done = article8(fresh_database_url, tmp_path, "requests", "import", str(path))
    assert done.returncode == 0, done.stderr
    assert rows_in(fresh_database_url, PrivacyRequest) == 1
    book = Workbook()
    book.active.title = "other"
    book.save(path)
    refused = article8(
        fresh_database_url, tmp_path, "requests", "import", str(path), "--lang", "en"
    )
    assert refused.returncode == 1 and "expected a sheet named requests" in refused.stderr
