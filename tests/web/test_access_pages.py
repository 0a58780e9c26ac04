"""The register, access-log and anomaly pages: managers import and triage, auditors only read; a
bad file names its line and column and stores nothing; the same log twice says so."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from article8.access import columns
from article8.access.models import SYSTEM_ACTIONS, AccessBatch, AccessEvent, Anomaly, Handler
from article8.access.register import PersonInput, save_person
from article8.controls.catalogue.services import sync_catalogue
from article8.controls.findings.models import Finding
from tests.conftest import SYSTEM_ACTOR, csrf_token
from tests.support.access import system_log
from tests.support.evidence import multipart
from tests.support.inspections import page, post

PEOPLE = (
    "employee_id,name,department,employed_from,employed_until,aliases\n"
    "E1,Tanaka Ichiro,Sales,2020-04-01,,tanaka;B-1001\n"
    "E2,Sato Hanako,HR,2019-04-01,2026-10-31,sato\n"
)
GRANTS = (
    "employee_id,kind,target,actions,valid_from,valid_until\n"
    "E1,system,crm,view;search,2020-04-01,\n"
    "E1,area,server-room,,2020-04-01,\n"
)
DAY = "2026-11-24"
LOG = system_log(
    f"{DAY}T10:00:00+09:00,tanaka,crm,view,5,10.0.0.1,ok",
    f"{DAY}T10:05:00+09:00,tanaka,crm,export,1500,10.0.0.1,ok",
    f"{DAY}T22:30:00+09:00,sato,hr,view,1,10.0.0.2,ok",
)


def upload(client, path: str, content: str | bytes, name: str, **fields: str):
    data = content.encode() if isinstance(content, str) else content
    values = {"csrf_token": csrf_token(client, path), **fields}
    return client.post(path, **multipart(values, [(data, name)], name="file"))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def manager(signed_in):
    return signed_in("responsible")


@pytest.fixture
def imported(session, manager):
    """The register and one system log, imported through the pages."""
    client, _user = manager
    assert upload(client, "/register/import", PEOPLE, "people.csv").status_code == 302
    assert upload(client, "/register/import", GRANTS, "grants.csv").status_code == 302
    response = upload(client, "/access/upload", LOG, "crm-2026-11-24.csv", kind="system")
    assert response.status_code == 200, text(response)
    return client


# --- the register ----------------------------------------------------------------------------


def test_the_register_is_imported_listed_searched_and_filtered(session, imported, signed_in):
    client = imported
    listed = page(client, "/register/")
    assert 'data-employee="E1"' in listed and 'data-employee="E2"' in listed
    assert 'data-employee="E1"' not in page(client, "/register/?q=sato")
    assert 'data-employee="E2"' in page(client, "/register/?q=SATO")  # an alias, any case
    assert 'data-employee="E1"' in page(client, "/register/?q=B-1001")
    left = page(client, "/register/?employment=left")
    assert 'data-employee="E2"' in left and 'data-employee="E1"' not in left
    assert 'data-employee="E2"' not in page(client, "/register/?employment=employed")
    auditor, _ = signed_in("auditor")
    tanaka = session.scalar(select(Handler).where(Handler.employee_id == "E1"))
    person = page(auditor, f"/register/{tanaka.id}")
    assert "B-1001" in person and "server-room" in person and "view, search" in person
    assert "object_type=handler&amp;object_id=E1" in person  # the history link
    assert 'data-testid="grant-form"' not in person and "/edit" not in person


def test_a_bad_register_file_names_the_line_and_column_and_changes_nothing(session, manager):
    client, _ = manager
    bad = PEOPLE + "E3,Suzuki,IT,2026-13-01,,\n"
    response = upload(client, "/register/import", bad, "people.csv")
    assert response.status_code == 400
    message = text(response)
    assert "people.csv: line 4, column employed_from" in message
    assert "expected a date YYYY-MM-DD" in message
    assert count(session, Handler) == 0
    assert upload(client, "/register/import", b"", "empty.csv").status_code == 400


def test_a_manager_edits_a_person_and_their_authorisations(session, manager, clock):
    client, _ = manager
    save_person(session, SYSTEM_ACTOR, PersonInput("E9", "Kato", date(2021, 4, 1)), now=clock())
    session.commit()
    kato = session.scalar(select(Handler).where(Handler.employee_id == "E9"))
    edited = {
        "employee_id": "ignored",
        "name": "Kato Ken",
        "department": "IT",
        "employed_from": "2021-04-01",
        "employed_until": "2026-12-31",
        "aliases": "kato\nB-9009",
    }
    assert post(client, f"/register/{kato.id}/edit", edited).status_code == 302
    grant = {"kind": "system", "target": "hr", "actions": "view;export", "valid_from": "2026-01-01"}
    assert post(client, f"/register/{kato.id}/authorisations", grant).status_code == 302
    bad = {**grant, "actions": "view;fly"}
    refused = post(client, f"/register/{kato.id}/authorisations", bad)
    assert refused.status_code == 400 and "unknown action &#39;fly&#39;" in refused.get_data(
        as_text=True
    )
    session.expire_all()
    kato = session.get(Handler, kato.id)
    assert (kato.employee_id, kato.name, kato.employed_until) == (
        "E9",
        "Kato Ken",
        date(2026, 12, 31),
    )
    assert sorted(a.alias for a in kato.aliases) == ["B-9009", "kato"]
    assert [(g.target, g.action_list) for g in kato.authorisations] == [("hr", ["view", "export"])]
    gone = post(
        client, f"/register/{kato.id}/authorisations/delete", {"kind": "system", "target": "hr"}
    )
    assert gone.status_code == 302
    session.expire_all()
    assert session.get(Handler, kato.id).authorisations == []
    new = {"employee_id": "E9", "name": "Twin", "employed_from": "2020-01-01"}
    assert "already in the register" in text(post(client, "/register/new", new))


# --- access logs -----------------------------------------------------------------------------


def test_an_uploaded_log_is_stored_as_a_batch_and_its_anomalies_listed(session, imported):
    client = imported
    batches = page(client, "/access/")
    assert "crm-2026-11-24.csv" in batches and "responsible" in batches
    batch = session.scalar(select(AccessBatch))
    assert batch.sha256[:16] in batches and batch.row_count == 3
    listed = page(client, "/access/anomalies/")  # new ones by default
    for rule in ('data-rule="bulk_export"', 'data-rule="leaver_access"', 'data-rule="off_hours"'):
        assert rule in listed
    only = page(client, "/access/anomalies/?rule=leaver_access")
    assert 'data-person="E2"' in only and 'data-person="E1"' not in only
    assert 'data-person="E1"' in page(client, "/access/anomalies/?person=E1")
    assert 'data-person="E1"' not in page(client, "/access/anomalies/?severity=medium")
    assert "No anomalies match." in page(client, "/access/anomalies/?from=2026-11-25")
    assert "No anomalies match." in page(client, "/access/anomalies/?status=dismissed")


def test_the_same_log_again_is_a_no_op_that_says_so(session, imported):
    response = upload(imported, "/access/upload", LOG, "renamed.csv", kind="system")
    message = text(response)
    assert 'data-outcome="duplicate"' in message
    assert "crm-2026-11-24.csv was already imported as batch" in message
    assert count(session, AccessBatch) == 1 and count(session, AccessEvent) == 3


def test_one_bad_line_stores_nothing_and_names_line_and_column(session, manager):
    client, _ = manager
    bad = system_log(
        f"{DAY}T10:00:00+09:00,tanaka,crm,view,5,,ok",
        f"{DAY}T10:01:00+09:00,tanaka,crm,view,-5,,ok",
    )
    response = upload(client, "/access/upload", bad, "bad.csv", kind="system")
    assert response.status_code == 400
    assert "bad.csv: line 3, column records" in text(response)
    assert count(session, AccessBatch) == 0 and count(session, AccessEvent) == 0


def test_skip_invalid_stores_the_good_lines_and_lists_the_bad_ones(session, manager):
    client, _ = manager
    bad = system_log(
        f"{DAY}T10:00:00+09:00,tanaka,crm,view,5,,ok",
        f"{DAY}T10:01:00+09:00,tanaka,crm,fly,5,,ok",
    )
    response = upload(client, "/access/upload", bad, "bad.csv", kind="system", skip_invalid="y")
    message = text(response)
    assert response.status_code == 200 and 'data-testid="rejected"' in message
    assert "bad.csv: line 3, column action: expected one of" in message
    assert count(session, AccessEvent) == 1


def test_columns_are_mapped(session, manager):
    client, _ = manager
    log = "when,login,system,action,records,source_ip,result\n"
    log += f"{DAY}T10:00:00+09:00,tanaka,crm,view,5,,ok\n"
    mapped = upload(
        client, "/access/upload", log, "m.csv", kind="system", mapping="when=timestamp\nlogin=user"
    )
    assert mapped.status_code == 200 and count(session, AccessEvent) == 1
    broken = upload(client, "/access/upload", log, "n.csv", kind="system", mapping="when")
    assert broken.status_code == 400 and "Expected COLUMN=FIELD" in text(broken)


# --- triage ----------------------------------------------------------------------------------


@pytest.fixture
def bulk(session, imported, clock, shipped_catalogue):
    sync_catalogue(session, shipped_catalogue, SYSTEM_ACTOR, now=clock())
    session.commit()
    return session.scalar(select(Anomaly).where(Anomaly.rule == "bulk_export"))


def test_an_anomaly_shows_its_events_and_is_escalated_into_a_finding(session, imported, bulk):
    client = imported
    detail = page(client, f"/access/anomalies/{bulk.id}")
    assert "crm-2026-11-24.csv:2" in detail and "crm-2026-11-24.csv:3" in detail  # its events
    assert 'selected value="TEC-07"' in detail  # the rule's control is proposed
    response = post(
        client,
        f"/access/anomalies/{bulk.id}/escalate",
        {"control": "TEC-10", "severity": "medium", "escalate_reason": "Check with sales"},
    )
    assert response.status_code == 302 and "/findings/" in response.headers["Location"]
    finding = session.scalar(select(Finding))
    assert (finding.control.code, finding.severity) == ("TEC-10", "medium")
    session.expire_all()
    assert session.get(Anomaly, bulk.id).finding_id == finding.id
    after = page(client, f"/access/anomalies/{bulk.id}")
    assert 'data-testid="finding-link"' in after and 'data-testid="escalate-form"' not in after
    assert f'data-anomaly="{bulk.id}"' not in page(client, "/access/anomalies/")  # not new


def test_dismissing_needs_a_reason_and_acknowledging_does_not(session, imported, bulk):
    client = imported
    refused = post(client, f"/access/anomalies/{bulk.id}/dismiss", {"dismiss_reason": ""})
    assert refused.status_code == 400 and "Say why the anomaly is dismissed." in text(refused)
    assert post(client, f"/access/anomalies/{bulk.id}/acknowledge").status_code == 302
    dismissed = post(client, f"/access/anomalies/{bulk.id}/dismiss", {"dismiss_reason": "Audit"})
    assert dismissed.status_code == 302
    session.expire_all()
    assert (session.get(Anomaly, bulk.id).status, session.get(Anomaly, bulk.id).reason) == (
        "dismissed",
        "Audit",
    )


def test_auditors_read_anomalies_but_cannot_triage(session, imported, bulk, signed_in):
    auditor, _ = signed_in("auditor")
    detail = page(auditor, f"/access/anomalies/{bulk.id}")
    assert "crm-2026-11-24.csv:3" in detail and 'data-testid="escalate-form"' not in detail
    assert post(auditor, f"/access/anomalies/{bulk.id}/acknowledge").status_code == 403
    assert 'data-testid="log-upload-link"' not in page(auditor, "/access/")


# --- files as Japanese offices write them ------------------------------------------------------

PEOPLE_JA = (
    "employee_id,name,department,employed_from,employed_until,aliases\r\n"
    "E1,田中 一郎,営業部,2020/4/1,,たなか;B-1001\r\n"
    "E2,髙橋 ソフト,人事部,2019年4月1日,2026-10-31,たかはし\r\n"
)
LOG_JA = (
    "timestamp,user,system,action,records,source_ip,result\r\n"
    "2026/11/24 9:15,たなか,顧客管理,view,5,10.0.0.1,ok\r\n"
    "2026-11-24 22:30:00,たかはし,人事,view,1,10.0.0.2,ok\r\n"
)


@pytest.fixture
def japanese(signed_in):
    client, _ = signed_in("responsible", locale="ja")
    return client


def test_a_cp932_register_and_log_with_japanese_names_import_and_read_back(session, japanese):
    done = upload(japanese, "/register/import", PEOPLE_JA.encode("cp932"), "名簿.csv")
    assert done.status_code == 302
    assert "CP932 (Shift_JIS)" in text(japanese.get("/register/"))  # the result says so
    session.expire_all()
    people = {h.employee_id: h for h in session.scalars(select(Handler))}
    assert (people["E1"].name, people["E1"].department) == ("田中 一郎", "営業部")
    assert people["E2"].name == "髙橋 ソフト" and people["E2"].employed_from == date(2019, 4, 1)
    assert sorted(a.alias for a in people["E1"].aliases) == ["B-1001", "たなか"]
    response = upload(japanese, "/access/upload", LOG_JA.encode("cp932"), "ログ.csv", kind="system")
    assert response.status_code == 200, text(response)
    assert "CP932 (Shift_JIS)" in text(response)
    session.expire_all()
    events = {e.person: e for e in session.scalars(select(AccessEvent))}
    assert set(events) == {"たなか", "たかはし"}
    assert (events["たなか"].system, events["たなか"].handler_id) == ("顧客管理", people["E1"].id)


def test_every_problem_of_a_bad_cp932_register_is_named_in_japanese(session, japanese):
    bad = (
        "employee_id,name,department,employed_from,employed_until,aliases\n"
        "E1,田中 一郎,営業部,2020/13/1,,\n"
        "E2,,人事部,2019年4月1日,,\n"
        "E3,佐藤 花子,総務部,2019-04-01,,,\n"
    )
    response = upload(japanese, "/register/import", bad.encode("cp932"), "名簿.csv")
    assert response.status_code == 400
    message = text(response)
    assert "3件の問題が見つかりました。何も保存していません。" in message
    assert "名簿.csv の 2行目、列「employed_from」: 日付（YYYY-MM-DD" in message
    assert "'2020/13/1' でした" in message
    assert "名簿.csv の 3行目、列「name」: 値が必要ですが、空欄でした" in message
    assert "名簿.csv の 4行目: 値が 7 個ありますが、見出し行は 6 列です" in message
    shown = message.split('data-testid="import-error"')[1].split("</ul>")[0]
    assert "expected" not in shown and "line" not in shown and "found" not in shown
    assert count(session, Handler) == 0


def test_a_bad_access_log_is_named_in_japanese_and_stores_nothing(session, japanese):
    bad = (
        "timestamp,user,system,action,records,source_ip,result\n"
        "2026-11-24T10:00:00+09:00,たなか,顧客管理,fly,5,,ok\n"
        "2026-11-24T10:01:00+09:00,たなか,顧客管理,view,-1,,ok\n"
        "2026-11-24T10:02:00+09:00,たなか,顧客管理,view,1,,ok\n"
    )
    response = upload(japanese, "/access/upload", bad.encode("cp932"), "ログ.csv", kind="system")
    assert response.status_code == 400
    message = text(response)
    assert "2件の問題が見つかりました。何も保存していません。" in message
    assert "ログ.csv の 2行目、列「action」: " in message
    assert "のいずれかが必要ですが、'fly' でした" in message
    assert "ログ.csv の 3行目、列「records」: 0以上の整数が必要ですが、'-1' でした" in message
    assert count(session, AccessBatch) == 0 and count(session, AccessEvent) == 0


def test_an_all_invalid_log_stores_no_empty_batch_even_when_skipping(session, manager):
    client, _ = manager
    bad = system_log(f"{DAY}T10:00:00+09:00,tanaka,crm,fly,5,,ok")
    response = upload(client, "/access/upload", bad, "bad.csv", kind="system", skip_invalid="y")
    assert response.status_code == 400
    assert "bad.csv: line 2, column action: expected one of" in text(response)
    assert count(session, AccessBatch) == 0


def test_a_file_with_many_problems_lists_the_first_hundred_and_counts_them_all(session, manager):
    client, _ = manager
    lines = [f"{DAY}T10:00:00+09:00,tanaka,crm,fly,5,,ok"] * 150
    response = upload(client, "/access/upload", system_log(*lines), "bad.csv", kind="system")
    assert response.status_code == 400
    message = text(response)
    assert "150 problems were found; nothing was stored. The first 100 are listed." in message
    assert message.count('data-testid="import-problem"') == 100
    assert "bad.csv: line 101, column action" in message
    assert "bad.csv: line 102, column action" not in message


def test_the_import_pages_document_every_column_and_offer_samples_that_import(session, manager):
    client, _ = manager
    register_page = page(client, "/register/import")
    for column in (*columns.PEOPLE, *columns.AUTHORISATIONS):
        assert f'data-column="{column.name}"' in register_page
    assert "<code>system, area</code>" in register_page  # allowed values, from the definitions
    log_page = page(client, "/access/upload")
    for column in (*columns.SYSTEM, *columns.ENTRY):
        assert f'data-column="{column.name}"' in log_page
    assert "<code>" + ", ".join(SYSTEM_ACTIONS) + "</code>" in log_page

    def sample(url: str) -> bytes:
        response = client.get(url)
        assert (
            response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        )
        return response.data

    people = sample("/register/import/samples/people-cp932.csv")
    assert "田中 一郎".encode("cp932") in people
    assert upload(client, "/register/import", people, "people.csv").status_code == 302
    grants = sample("/register/import/samples/authorisations.csv")
    assert grants.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8 as UTF-8
    assert upload(client, "/register/import", grants, "grants.csv").status_code == 302
    workbook = sample("/register/import/samples/register.xlsx")
    assert upload(client, "/register/import", workbook, "register.xlsx").status_code == 302
    assert count(session, Handler) == 2
    for name in ("system-cp932.csv", "entry.csv"):
        kind = name.split("-")[0].removesuffix(".csv")
        log = sample(f"/access/upload/samples/{name}")
        stored = upload(client, "/access/upload", log, name, kind=kind)
        assert stored.status_code == 200 and 'data-outcome="stored"' in text(stored), text(stored)
    assert count(session, AccessBatch) == 2
    assert client.get("/access/upload/samples/other.csv").status_code == 404
