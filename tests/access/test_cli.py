"""`article8 register import`, `access import` and `access anomalies`, run as real processes."""

from __future__ import annotations

import csv
import json
from datetime import date

from sqlalchemy import func, select

from article8.access.models import AccessBatch, AccessEvent, Handler
from article8.core.db import make_engine
from tests.cli_runner import article8
from tests.support.access import entry_log, system_log

PEOPLE = (
    "employee_id,name,department,employed_from,employed_until,aliases\n"
    "E1,田中 花子,人事部,2020-04-01,,tanaka;B-1001\n"
    "E2,Sato,Sales,2019-04-01,2026-11-20,sato\n"
)
GRANTS = (
    "employee_id,kind,target,actions,valid_from,valid_until\n"
    "E1,system,crm,view;search,2020-04-01,\n"
    "E1,area,server-room,,2020-04-01,\n"
    "E2,system,crm,*,2019-04-01,\n"
)
KEYS = ["rule", "person", "date", "area", "count", "first_seen", "last_seen", "severity", "status"]


def rows_in(url, model):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


def test_import_the_register_and_logs_then_list_the_anomalies_as_json(fresh_database_url, tmp_path):
    files = {
        "people.csv": PEOPLE,
        "grants.csv": GRANTS,
        "crm.csv": system_log(
            "2026-11-24T10:00:00+09:00,tanaka,crm,view,3,10.0.0.1,ok",
            "2026-11-24T10:05:00+09:00,tanaka,crm,export,1200,10.0.0.1,ok",
            "2026-11-24T14:30:00Z,tanaka,crm,view,1,10.0.0.1,ok",  # 23:30 in Tokyo
            "2026-11-24T11:00:00+09:00,sato,crm,view,1,,ok",
            "2026-11-24T11:00:00+09:00,ghost,crm,view,1,,ok",
        ),
        "doors.csv": entry_log("2026-11-24T09:00:00+09:00,B-1001,server-room,D1,in,granted"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    def run(*args):
        result = article8(fresh_database_url, tmp_path, *args)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert run("register", "import", str(tmp_path / "people.csv")).startswith(
        "register: people: 2 created"
    )
    run("register", "import", str(tmp_path / "grants.csv"))
    imported = run("access", "import", str(tmp_path / "crm.csv"), "--kind", "system")
    assert imported.splitlines()[0] == "imported 5 system events from crm.csv as batch 1"
    run("access", "import", str(tmp_path / "doors.csv"), "--kind", "entry")
    again = run("access", "import", str(tmp_path / "crm.csv"), "--kind", "system")
    assert again.startswith("crm.csv was already imported as batch 1 (5 system events, ")
    assert again.rstrip().endswith("nothing changed")

    anomalies = json.loads(run("access", "anomalies", "--format", "json"))
    assert all(list(a) == KEYS for a in anomalies)
    by_rule = {(a["rule"], a["person"]): a for a in anomalies}
    assert set(by_rule) == {
        ("bulk_export", "E1"),
        ("unauthorised_access", "E1"),
        ("off_hours", "E1"),
        ("leaver_access", "E2"),
        ("unauthorised_access", "ghost"),
        ("entry_without_exit", "E1"),
    }
    assert by_rule[("unauthorised_access", "E1")] == {
        "rule": "unauthorised_access",
        "person": "E1",
        "date": "2026-11-24",
        "area": None,
        "count": 1,
        "first_seen": "2026-11-24T10:05:00+09:00",
        "last_seen": "2026-11-24T10:05:00+09:00",
        "severity": "high",
        "status": "new",
    }
    assert by_rule[("off_hours", "E1")]["first_seen"] == "2026-11-24T23:30:00+09:00"
    assert by_rule[("entry_without_exit", "E1")]["area"] == "server-room"
    assert by_rule[("entry_without_exit", "E1")]["severity"] == "low"

    only = json.loads(run("access", "anomalies", "--rule", "leaver_access", "--from", "2026-11-24"))
    assert [(a["rule"], a["person"]) for a in only] == [("leaver_access", "E2")]
    assert json.loads(run("access", "anomalies", "--to", "2026-11-23")) == []


def test_a_bad_line_stores_nothing_and_skip_invalid_writes_the_rejects_beside_the_file(
    fresh_database_url, tmp_path
):
    log = tmp_path / "crm.csv"
    log.write_text(
        system_log(
            "2026-11-24T10:00:00+09:00,ghost,crm,view,1,,ok",
            "2026-11-24T10:01:00+09:00,ghost,crm,export,-3,,ok",
            "2026-11-24T10:02:00+09:00,ghost,crm,view,1,,ok",
        )
    )
    failed = article8(
        fresh_database_url, tmp_path, "access", "import", str(log), "--kind", "system",
        "--lang", "en",
    )  # fmt: skip
    assert failed.returncode == 1
    assert failed.stderr.strip() == (
        "article8: crm.csv: line 3, column records: expected a whole number ≥ 0, found '-3'"
    )
    assert rows_in(fresh_database_url, AccessBatch) == 0
    assert not (tmp_path / "crm.csv.rejects.csv").exists()

    skipped = article8(
        fresh_database_url, tmp_path, "access", "import", str(log), "--kind", "system",
        "--skip-invalid",
    )  # fmt: skip
    assert skipped.returncode == 0, skipped.stderr
    rejects = tmp_path / "crm.csv.rejects.csv"
    assert f"1 invalid lines skipped; written with the reasons to {rejects}" in skipped.stdout
    with rejects.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["line", "column", "problem", "timestamp", "user", "system", "action", "records",
             "source_ip", "result"],
            ["3", "records", "expected a whole number ≥ 0, found '-3'",
             "2026-11-24T10:01:00+09:00", "ghost", "crm", "export", "-3", "", "ok"],
        ]  # fmt: skip
    assert rows_in(fresh_database_url, AccessEvent) == 2


def test_usage_and_register_errors_exit_with_a_message(fresh_database_url, tmp_path):
    log = tmp_path / "a.csv"
    log.write_text(system_log("2026-11-24T10:00:00+09:00,a,crm,view,1,,ok"))
    bad_map = article8(
        fresh_database_url, tmp_path, "access", "import", str(log), "--kind", "system",
        "--map", "login",
    )  # fmt: skip
    assert bad_map.returncode == 2
    assert bad_map.stderr.strip() == "article8: --map: expected COLUMN=FIELD, found 'login'"
    people = tmp_path / "people.csv"
    people.write_text(PEOPLE.replace("2019-04-01", "1.4.2019"))
    refused = article8(
        fresh_database_url, tmp_path, "register", "import", str(people), "--lang", "en"
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "article8: people.csv: line 3, column employed_from: expected a date YYYY-MM-DD, "
        "found '1.4.2019'"
    )


# --- files as Japanese offices write them ------------------------------------------------------


def test_a_cp932_register_and_log_with_japanese_names_import_and_read_back(
    fresh_database_url, tmp_path
):
    people = tmp_path / "名簿.csv"
    people.write_bytes(
        (
            "employee_id,name,department,employed_from,employed_until,aliases\r\n"
            "E1,髙橋 ソフト,営業部,2020年4月1日,,たかはし\r\n"
        ).encode("cp932")
    )
    log = tmp_path / "ログ.csv"
    log.write_bytes(system_log("2026/11/24 9:15,たかはし,顧客管理,view,5,,ok").encode("cp932"))
    registered = article8(fresh_database_url, tmp_path, "register", "import", str(people))
    assert registered.returncode == 0, registered.stderr
    assert "read as CP932 (Shift_JIS)" in registered.stdout
    imported = article8(
        fresh_database_url, tmp_path, "access", "import", str(log), "--kind", "system"
    )
    assert imported.returncode == 0, imported.stderr
    assert "read as CP932 (Shift_JIS)" in imported.stdout
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            event = conn.execute(select(AccessEvent.person, AccessEvent.system)).one()
            name = conn.scalar(select(Handler.name).where(Handler.employee_id == "E1"))
            since = conn.scalar(select(Handler.employed_from))
    finally:
        engine.dispose()
    assert tuple(event) == ("たかはし", "顧客管理")
    assert (name, since) == ("髙橋 ソフト", date(2020, 4, 1))


def test_problems_are_said_in_the_language_asked_for_or_of_the_environment(
    fresh_database_url, tmp_path
):
    log = tmp_path / "ログ.csv"
    log.write_bytes(
        system_log(
            "2026-11-24T10:00:00+09:00,たかはし,顧客管理,fly,5,,ok",
            "2026-11-24T10:01:00+09:00,たかはし,顧客管理,view,-1,,ok",
        ).encode("cp932")
    )
    args = ("access", "import", str(log), "--kind", "system")
    japanese = article8(fresh_database_url, tmp_path, *args, "--lang", "ja")
    assert japanese.returncode == 1
    assert japanese.stderr.splitlines()[0] == (
        "article8: 2件の問題が見つかりました。何も保存していません。"
    )
    assert japanese.stderr.splitlines()[2] == (
        "ログ.csv の 3行目、列「records」: 0以上の整数が必要ですが、'-1' でした"
    )
    english = article8(fresh_database_url, tmp_path, *args, env={"LC_ALL": "en_GB.UTF-8"})
    assert english.stderr.splitlines()[0] == (
        "article8: 2 problems were found; nothing was stored."
    )
    assert "ログ.csv: line 2, column action: expected one of" in english.stderr
    unset = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": ""}
    default = article8(fresh_database_url, tmp_path, *args, env=unset)
    assert default.stderr == japanese.stderr
    assert rows_in(fresh_database_url, AccessBatch) == 0
