"""`article8 provisions import|export` and `article8 privacy purge-expired`."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from article8.core.db import make_engine
from article8.core.models import AuditEvent
from article8.privacy.provisions import services as provisions
from article8.privacy.provisions.models import ProvisionRecord
from tests.cli_runner import article8, invoke
from tests.conftest import SYSTEM_ACTOR
from tests.privacy.test_provisions import CONSENT

HEADER = (
    "direction,basis,record_form,party_name,party_address,party_representative,"
    "individuals_description,individuals_count,data_items,consent_evidence,provided_on,"
    "foreign_country,foreign_information,foreign_consent\n"
)
GOOD = HEADER + (
    "provision,consent,per_provision,株式会社サンプル物流,,,購入者,120,氏名・住所,同意画面,"
    "2024/04/01,,,\n"
    "provision,entrustment,,配送委託先,,,,,,,,,,\n"
    "provision,consent,bulk,US Partner Inc.,,,会員,3,氏名,同意,2024年5月1日,米国,"
    "規則17条の情報を提供,はい\n"
)
BAD = HEADER + (
    "provision,opt_out,per_provision,名簿業者,東京都,,会員,10,氏名,,,,,\n"  # no date
    "provision,consent,per_provision,Ok Co.,,,会員,10,氏名,同意,2024/04/01,,,\n"
    "provision,consent,per_provision,US Co.,,,会員,10,氏名,同意,2024/04/01,米国,,はい\n"
    "provision,consent,weekly,X Co.,,,会員,ten,氏名,同意,2024/13/01,,,\n"
)


def count_rows(url):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(ProvisionRecord))
    finally:
        engine.dispose()


def test_a_cp932_file_with_slashed_dates_imports_and_exports_again(fresh_database_url, tmp_path):
    (tmp_path / "records.csv").write_bytes(GOOD.encode("cp932"))
    result = article8(
        fresh_database_url, tmp_path, "provisions", "import", str(tmp_path / "records.csv")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "provisions: 3 record(s) imported",
        "read as CP932 (Shift_JIS)",
    ]

    out = tmp_path / "out.xlsx"
    result = article8(fresh_database_url, tmp_path, "provisions", "export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    csv_out = tmp_path / "out.csv"
    article8(fresh_database_url, tmp_path, "provisions", "export", "--out", str(csv_out))
    text = csv_out.read_text(encoding="utf-8-sig")
    assert "2024-04-01" in text and "米国" in text
    # What was exported imports again, as a workbook too.
    result = article8(fresh_database_url, tmp_path, "provisions", "import", str(out))
    assert result.returncode == 0, result.stderr
    assert count_rows(fresh_database_url) == 6


def test_every_bad_row_is_reported_at_once_and_nothing_is_stored(fresh_database_url, tmp_path):
    (tmp_path / "bad.csv").write_bytes(BAD.encode("cp932"))
    result = article8(
        fresh_database_url,
        tmp_path,
        "provisions",
        "import",
        str(tmp_path / "bad.csv"),
        "--lang",
        "en",
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "line 2" in result.stderr and "provided_on" in result.stderr
    assert "line 4" in result.stderr and "foreign_information" in result.stderr
    assert "line 5" in result.stderr and "individuals_count" in result.stderr
    assert "line 5, column provided_on" in result.stderr
    assert "line 5, column record_form" in result.stderr
    assert "line 3" not in result.stderr
    assert len(lines) >= 4, lines
    assert count_rows(fresh_database_url) == 0


def test_the_purge_lists_then_removes_what_expired_with_an_audit_event(app, session):
    old = provisions.record_provision(
        session,
        SYSTEM_ACTOR,
        CONSENT,
        now=app.extensions["article8.clock"](),
        today=date(2023, 1, 1),
    )
    kept = provisions.record_provision(
        session,
        SYSTEM_ACTOR,
        CONSENT,
        now=app.extensions["article8.clock"](),
        today=date(2024, 1, 1),
    )
    session.commit()
    old_id, kept_id = old.id, kept.id
    dry = invoke(app, "privacy", "purge-expired", "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    assert [r["id"] for r in json.loads(dry.output)["records"]] == [old_id]
    assert session.get(ProvisionRecord, old_id) is not None

    done = invoke(app, "privacy", "purge-expired", "--apply")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-1] == "privacy purge-expired: removed 1 record(s)"
    session.expire_all()
    assert session.get(ProvisionRecord, old_id) is None
    assert session.get(ProvisionRecord, kept_id) is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "provision.purge"))
    assert event is not None and event.object_id == str(old_id)
    assert json.loads(event.details)["sha256"] in done.output
