"""Access-log import: formats, column maps, name resolution, batches, and bad files."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from article8.access.errors import AccessLogError
from article8.access.ingest import import_access_log
from article8.access.models import AccessBatch, AccessEvent, Anomaly
from article8.access.rules import RuleSettings
from article8.core.audit import details_of
from article8.core.models import AuditEvent
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import SYSTEM_HEADER, TOKYO, count, entry_log, system_log

DAY = "2026-11-24"


def events(session):
    return list(session.scalars(select(AccessEvent).order_by(AccessEvent.id)))


def test_a_system_log_becomes_one_batch_of_events_with_local_calendar_columns(
    session, register, import_log, clock
):
    register.person("E1", "tanaka")
    text = system_log(
        "2026-11-24T15:30:00Z,tanaka,crm,export,12,192.0.2.7,ok",
        "2026-11-23T10:00:00+09:00,E1,crm,view,,,",
    )
    report = import_log(text, filename="crm.csv")
    batch = session.get(AccessBatch, report.batch_id)
    assert (batch.kind, batch.filename, batch.row_count, batch.rejected_count) == (
        "system", "crm.csv", 2, 0,
    )  # fmt: skip
    assert batch.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert (batch.imported_by_label, batch.imported_at) == ("test", clock())
    assert (batch.first_date, batch.last_date) == (date(2026, 11, 23), date(2026, 11, 25))
    late, holiday = events(session)
    assert late.occurred_at == datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    assert (late.local_date, late.local_minute, late.business_day) == (date(2026, 11, 25), 30, True)
    assert late.epoch == int(late.occurred_at.timestamp())
    assert (late.person, late.person_key, late.records, late.source_ip) == (
        "tanaka", "p:E1", 12, "192.0.2.7",
    )  # fmt: skip
    assert (holiday.local_minute, holiday.business_day) == (600, False)
    assert (holiday.records, holiday.result, holiday.source_ip, holiday.line) == (0, "ok", None, 3)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("cp932"), id="cp932"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf-8-bom"),
    ],
)
def test_a_log_saved_by_excel_in_japan_reads_back_correctly(session, register, import_log, encode):
    # An entry system exports CP932 (or Excel re-saves it so); names and areas are Japanese.
    register.person("E1", "田中 花子")
    report = import_log(
        encode(
            "日時,氏名,エリア,扉,方向,結果\n"
            "2026-11-24T09:00:00+09:00,田中 花子,サーバー室,表口,in,granted\n"
            "2026-11-24T09:05:00+09:00,髙橋 ソフト,サーバー室,表口,in,denied\n"
        ),
        kind="entry",
        mapping={
            "日時": "timestamp",
            "氏名": "person",
            "エリア": "area",
            "扉": "door",
            "方向": "direction",
            "結果": "result",
        },
    )
    assert report.rows == 2
    tanaka, takahashi = events(session)
    assert (tanaka.person, tanaka.person_key, tanaka.area, tanaka.door) == (
        "田中 花子", "p:E1", "サーバー室", "表口",
    )  # fmt: skip
    # ソ and 表 end in the byte 0x5C (a backslash in ASCII); 髙 is a CP932 extension.
    assert (takahashi.person, takahashi.result) == ("髙橋 ソフト", "denied")


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        pytest.param(lambda text: text.encode("utf-8"), "UTF-8", id="utf-8"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), "UTF-8 (BOM)", id="bom"),
        pytest.param(lambda text: text.encode("cp932"), "CP932 (Shift_JIS)", id="cp932"),
    ],
)
def test_the_report_says_which_encoding_the_log_was_read_in(import_log, encode, encoding):
    report = import_log(encode(system_log("2026-11-24T09:00:00+09:00,田中,crm,view,1,,ok")))
    assert report.encoding == encoding


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_timestamps_as_offices_write_them_are_read_in_local_time(session, import_log, end):
    lines = (
        "2026-11-02T09:15:00+09:00,a,crm,view,1,,ok",
        "2026-11-02 09:15:00,b,crm,view,1,,ok",
        "2026/11/02 9:15,c,crm,view,1,,ok",
        "2026/11/2 09:15:30,d,crm,view,1,,ok",
    )
    text = system_log(*lines).replace("\n", end)
    assert import_log(text.encode()).rows == 4
    seen = {e.person: (e.occurred_at.astimezone(TOKYO), e.local_date) for e in events(session)}
    local = datetime(2026, 11, 2, 9, 15, tzinfo=TOKYO)
    assert seen == {
        "a": (local, date(2026, 11, 2)),
        "b": (local, date(2026, 11, 2)),
        "c": (local, date(2026, 11, 2)),
        "d": (local.replace(second=30), date(2026, 11, 2)),
    }


def test_lines_of_one_minute_keep_their_own_seconds_fractions_and_offsets(session, import_log):
    import_log(
        system_log(
            "2026-11-24T10:00:00+09:00,a,crm,view,1,,ok",
            "2026-11-24T10:00:59+09:00,a,crm,view,1,,ok",
            "2026-11-24T10:00:07.250+09:00,a,crm,view,1,,ok",
            "2026-11-24T10:00:07.500+09:00,a,crm,view,1,,ok",
            "2026-11-24T10:00:08Z,a,crm,view,1,,ok",
            "2026-11-24T10:00:09,a,crm,view,1,,ok",
            "2026-11-24T10:00:10-05:00,a,crm,view,1,,ok",
        )
    )
    assert [(e.occurred_at, e.epoch) for e in events(session)] == [
        (datetime(2026, 11, 24, 1, 0, 0, tzinfo=UTC), 1795482000),
        (datetime(2026, 11, 24, 1, 0, 59, tzinfo=UTC), 1795482059),
        (datetime(2026, 11, 24, 1, 0, 7, 250000, tzinfo=UTC), 1795482007),
        (datetime(2026, 11, 24, 1, 0, 7, 500000, tzinfo=UTC), 1795482007),
        (datetime(2026, 11, 24, 10, 0, 8, tzinfo=UTC), 1795514408),
        (datetime(2026, 11, 24, 1, 0, 9, tzinfo=UTC), 1795482009),
        (datetime(2026, 11, 24, 15, 0, 10, tzinfo=UTC), 1795532410),
    ]
    with pytest.raises(AccessLogError, match="line 3, column timestamp: expected an ISO 8601"):
        import_log(
            system_log(
                "2026-11-24T11:00:00+09:00,a,crm,view,1,,ok",
                "2026-11-24T11:00:61+09:00,a,crm,view,1,,ok",
            )
        )


def test_names_not_in_the_register_stay_as_written(session, import_log):
    import_log(system_log(f"{DAY}T10:00:00+09:00, Contractor X ,crm,view,1,,ok"))
    (event,) = events(session)
    assert (event.person, event.person_key, event.handler_id) == (
        "Contractor X", "u:Contractor X", None,
    )  # fmt: skip


def test_json_lines_and_renamed_columns(session, register, import_log):
    register.person("E1", "B-1001")
    lines = [
        {"when": f"{DAY}T09:00:00+09:00", "badge": "B-1001", "area": "lab", "door": "D1",
         "direction": "in"},
        {"when": f"{DAY}T09:10:00+09:00", "badge": "B-1001", "area": "lab", "door": "D1",
         "direction": "out", "result": "denied"},
    ]  # fmt: skip
    text = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    import_log(text, kind="entry", mapping={"when": "timestamp", "badge": "person"})
    first, second = events(session)
    assert (first.person_key, first.area, first.direction, first.result) == (
        "p:E1", "lab", "in", "granted",
    )  # fmt: skip
    assert (second.direction, second.result) == ("out", "denied")


def test_a_csv_with_other_column_names_and_extra_columns_imports_with_a_map(session, import_log):
    text = "id,time,login,app,op,n,ip,status\n1,2026-11-24T10:00:00+09:00,x,crm,view,3,,ok\n"
    mapping = {"time": "timestamp", "login": "user", "app": "system", "op": "action",
               "n": "records", "ip": "source_ip", "status": "result"}  # fmt: skip
    import_log(text, mapping=mapping)
    (event,) = events(session)
    assert (event.person, event.system, event.action, event.records) == ("x", "crm", "view", 3)


def test_the_same_file_twice_is_a_no_op_that_says_so(session, import_log):
    text = system_log(f"{DAY}T10:00:00+09:00,ghost,crm,view,1,,ok")
    first = import_log(text)
    audits = count(session, AuditEvent)
    second = import_log(text, filename="renamed.csv")
    assert second.duplicate and second.batch_id == first.batch_id and second.rows == 1
    assert second.filename == "access.csv"
    assert count(session, AccessEvent) == 1 and count(session, AccessBatch) == 1
    assert count(session, AuditEvent) == audits


def test_one_audit_event_per_import_with_the_counts(session, import_log):
    report = import_log(
        system_log(*(f"{DAY}T10:0{i}:00+09:00,ghost,crm,view,1,,ok" for i in range(5)))
    )
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "access.import"))
    assert event.object_id == str(report.batch_id)
    details = details_of(event)
    assert (details["rows"], details["rejected"], details["kind"]) == (5, 0, "system")
    assert details["anomalies"] == {"unauthorised_access": 1}


# --- bad files -------------------------------------------------------------------------------

BAD_FILES = [
    pytest.param(
        b"time,user,system,action,records,source_ip,result\n",
        "access.csv: line 1: expected the header row "
        "timestamp, user, system, action, records, source_ip, result (records, result optional); "
        "missing timestamp; found time, user, system, action, records, source_ip, result "
        "(use --map COLUMN=FIELD for columns named differently)",
        id="wrong-header",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok", "24/11/2026 10:00,a,crm,view,1,,ok"),
        "access.csv: line 3, column timestamp: expected an ISO 8601 date-time such as "
        "2026-11-24T10:00:00+09:00, found '24/11/2026 10:00'",
        id="bad-timestamp",
    ),
    pytest.param(
        system_log("2026-11-24,a,crm,view,1,,ok"),
        "access.csv: line 2, column timestamp: expected a date and a time of day, "
        "found '2026-11-24'",
        id="date-without-time",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,export,-5,,ok"),
        "access.csv: line 2, column records: expected a whole number ≥ 0, found '-5'",
        id="negative-records",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,print,1,,ok"),
        "access.csv: line 2, column action: expected one of login, login_failed, view, search, "
        "export, update, delete, found 'print'",
        id="unknown-action",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,,maybe"),
        "access.csv: line 2, column result: expected one of ok, denied, found 'maybe'",
        id="unknown-result",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,,crm,view,1,,ok"),
        "access.csv: line 2, column user: expected a value, found nothing",
        id="no-user",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,999.1.1.1,ok"),
        "access.csv: line 2, column source_ip: expected an IP address, found '999.1.1.1'",
        id="bad-ip",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1"),
        "access.csv: line 2: has 5 values; the header has 7",
        id="short-line",
    ),
    pytest.param(b"", "access.csv: is empty; expected a CSV header or JSON Lines", id="empty"),
    pytest.param(b"\n\n", "access.csv: is empty; expected a CSV header or JSON Lines", id="blank"),
    pytest.param(
        (SYSTEM_HEADER + "\n").encode(), "access.csv: contains no log lines", id="header-only"
    ),
    pytest.param(
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01",
        "access.csv: line 1: is not text in UTF-8 or CP932 (Shift_JIS)",
        id="binary-garbage",
    ),
    pytest.param(
        # "\x89P" happens to be a kanji in CP932: the PNG signature fails as a header instead.
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00\x00",
        "access.csv: line 1: expected the header row timestamp, user, system, action, records, "
        "source_ip, result (records, result optional); missing timestamp, user, system, action, "
        "source_ip; found \u81fcNG (use --map COLUMN=FIELD for columns named differently)",
        id="png-signature",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok").encode() + b"\xff\xfe\x00garbage\n",
        "access.csv: line 3: is not text in UTF-8 or CP932 (Shift_JIS)",
        id="garbage-after-good-lines",
    ),
    pytest.param(
        system_log(f"{DAY}T10:00:00+09:00,田中,crm,view,1,,ok").encode()
        + "2026-11-24T10:00:00+09:00,山田,crm,view,1,,ok\n".encode("cp932"),
        "access.csv: line 3: is not text in UTF-8 or CP932 (Shift_JIS)",
        id="utf-8-then-cp932",
    ),
    pytest.param(
        b'{"timestamp": "2026-11-24T10:00:00+09:00", "user": "a", "system": "crm", '
        b'"action": "view"}\n{"timestamp": "2026-11-24T10:00:00+09:00", "user": "a", ',
        "access.csv: line 2: is not valid JSON: Expecting property name enclosed in double quotes",
        id="broken-json-line",
    ),
    pytest.param(
        b'{"timestamp": "2026-11-24T10:00:00+09:00", "user": "a", "system": "crm", '
        b'"action": "view", "records": 1.5}\n',
        "access.csv: line 1, field records: expected text, found 1.5",
        id="json-records-not-whole",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_names_the_line_and_column_and_stores_nothing(
    database, session, clock, content, message
):
    data = content.encode() if isinstance(content, str) else content
    with pytest.raises(AccessLogError) as error, database.unit_of_work() as work:
        import_access_log(
            work,
            io.BytesIO(data),
            filename="access.csv",
            kind="system",
            settings=RuleSettings(timezone=TOKYO),
            actor=SYSTEM_ACTOR,
            now=clock(),
        )
    assert str(error.value) == message
    for model in (AccessBatch, AccessEvent, Anomaly, AuditEvent):
        assert count(session, model) == 0


def test_an_unknown_mapped_field_or_column_is_refused(import_log):
    with pytest.raises(AccessLogError, match="--map names 'who', which is not a field"):
        import_log(system_log(), mapping={"login": "who"})
    with pytest.raises(AccessLogError, match="--map names column 'login', which is not in"):
        import_log(system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok"), mapping={"login": "user"})


def test_skip_invalid_stores_the_good_lines_and_hands_over_the_bad_ones(session, import_log):
    rejected = []
    text = system_log(
        f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok",
        f"{DAY}T10:01:00+09:00,a,crm,export,-1,,ok",
        "yesterday,a,crm,view,1,,ok",
        f"{DAY}T10:03:00+09:00,a,crm,view,1,,ok",
    )
    report = import_log(text, skip_invalid=True, on_reject=rejected.append)
    assert (report.rows, report.rejected) == (2, 2)
    assert [e.line for e in events(session)] == [2, 5]
    assert [(r.line, r.column, r.record[0]) for r in rejected] == [
        (3, "records", f"{DAY}T10:01:00+09:00"),
        (4, "timestamp", "yesterday"),
    ]
    assert rejected[0].header == SYSTEM_HEADER.split(",")
    assert session.get(AccessBatch, report.batch_id).rejected_count == 2


def test_progress_is_reported_in_bytes_read(import_log):
    seen = []
    text = system_log(*(f"{DAY}T10:00:{i:02d}+09:00,a,crm,view,1,,ok" for i in range(50)))
    import_log(text, progress=seen.append)
    assert seen[-1] == len(text.encode())


def test_a_file_of_many_chunks_is_stored_whole(session, import_log):
    lines = [f"{DAY}T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}+09:00,u{i % 7},crm,view,"
             f"{i},,ok" for i in range(25_000)]  # fmt: skip
    report = import_log(system_log(*lines))
    assert report.rows == 25_000 == count(session, AccessEvent)
    assert session.scalar(select(AccessEvent.records).where(AccessEvent.line == 25_001)) == 24_999


def test_entry_logs_check_their_own_fields(import_log):
    with pytest.raises(AccessLogError, match="line 2, column direction: expected one of in, out"):
        import_log(entry_log(f"{DAY}T09:00:00+09:00,B-1,lab,D1,sideways,granted"), kind="entry")
    with pytest.raises(AccessLogError, match="line 2, column result: expected one of granted"):
        import_log(entry_log(f"{DAY}T09:00:00+09:00,B-1,lab,D1,in,ok"), kind="entry")


def test_the_stream_stays_open_for_the_caller(session, clock):
    stream = io.BytesIO(system_log(f"{DAY}T10:00:00+09:00,a,crm,view,1,,ok").encode())
    import_access_log(
        session, stream, filename="a.csv", kind="system", settings=RuleSettings(timezone=TOKYO),
        actor=SYSTEM_ACTOR, now=clock(),
    )  # fmt: skip
    assert not stream.closed and stream.read() == b""  # still usable, read to its end


def test_skipped_json_lines_are_handed_over_as_written(import_log):
    rejected = []
    good = (
        '{"timestamp": "2026-11-24T10:00:00+09:00", "user": "a", "system": "crm", "action": "view"}'
    )
    text = f'{good}\n{{"timestamp": 5\n{good.replace("view", "print")}\n'
    report = import_log(text, skip_invalid=True, on_reject=rejected.append)
    assert (report.rows, report.rejected) == (1, 2)
    assert [(r.line, r.column, r.header) for r in rejected] == [
        (2, None, ["record"]),
        (3, "action", ["record"]),
    ]
    assert rejected[0].record == ['{"timestamp": 5']
    assert rejected[1].problem.startswith("expected one of login, login_failed")
