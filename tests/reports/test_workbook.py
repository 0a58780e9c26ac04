"""The audit workbook, read back with an independent reader (python-calamine)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import event, select, text

from article8.controls.catalogue.models import Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.core import audit
from article8.core.audit import Actor
from article8.core.models import AuditEvent
from article8.core.schema import drop_append_only_ddl
from article8.reports.period import Period
from article8.reports.workbook import write_workbook
from article8.reports.workbook.page import HEADER_ROW, PORTRAIT_WIDTH, TITLE_ROWS
from article8.reports.workbook.table import Column, Table, write_table
from tests.conftest import SYSTEM_ACTOR
from tests.reports.conftest import INJECTIONS


def records(table: list[list]) -> list[dict]:
    """A table's rows as {header: value}."""
    header = table[0]
    return [dict(zip(header, row, strict=False)) for row in table[1:]]


def raw_sheets(path) -> dict[str, list[list]]:
    """Every sheet's rows as python-calamine reads them, from A1."""
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def sheets(path, titled=True) -> dict[str, list[list]]:
    """Every sheet's table from its header row (under the title block; the cover as it is)."""
    found = raw_sheets(path)
    if not titled:
        return found
    first = next(iter(found))
    return {name: rows if name == first else rows[TITLE_ROWS:] for name, rows in found.items()}


def export(session, settings, tmp_path, lang="en", **period) -> tuple:
    out = tmp_path / f"workbook-{lang}.xlsx"
    report = write_workbook(
        session,
        out,
        settings=settings,
        lang=lang,
        actor=SYSTEM_ACTOR,
        period=Period(period.get("start", date(2026, 4, 1)), period.get("end", date(2027, 3, 31))),
        now=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
    )
    return out, report


def test_every_sheet_is_there_with_its_data(session, settings, programme, tmp_path):
    out, report = export(session, settings, tmp_path)
    data = sheets(out)
    assert list(data) == [
        "Cover",
        "Index",
        "Summary",
        "Controls",
        "Inspections",
        "Checklist answers",
        "Findings",
        "Corrective actions",
        "Evidence",
        "Access-log batches",
        "Anomalies",
        "Incidents",
        "Provisions and receipts",  # issue 17
        "Policy versions",  # issue 17
        "Requests from individuals",  # issue 16
        "Inquiries and complaints",  # issue 16
        "Audit trail",
        "Audit trail codes",
        "Hash method",
    ]
    cover = {row[0]: row[1] for row in data["Cover"] if row and row[0]}
    assert cover["Organisation"] == settings.organisation
    assert cover["Period"] == "2026-04-01 – 2027-03-31"
    assert cover["Catalogue version"].startswith("41 controls")
    assert data["Controls"][0][:3] == ["Code", "Category", "Title"]
    assert len(data["Controls"]) == 1 + 41  # the header and every control
    inspections = records(data["Inspections"])
    # Codes show as the vocabulary's labels, as on the pages.
    org04 = next(r for r in inspections if r["Control"] == "ORG-04" and r["Status"] == "Approved")
    assert org04["Result"] == "Fail" and org04["Timeliness"] == "On time"
    answers = data["Checklist answers"]
    assert len(answers) == 1 + len(programme.revision.items)
    findings = records(data["Findings"])
    assert len(findings) == 1 and findings[0]["Severity"] == "High"
    assert len(data["Evidence"]) == 1 + len(INJECTIONS)
    trail = records(data["Audit trail"])
    assert [r["Action"] for r in trail].count("inspection.approve") == 1
    assert report.rows["Audit trail"] == len(trail)


def test_text_from_users_comes_back_inert(session, settings, programme, tmp_path):
    out, _ = export(session, settings, tmp_path)
    data = sheets(out)
    titles = [row[1] for row in data["Evidence"][1:]]
    for hostile in INJECTIONS:
        # Titles fold whitespace, so "\t=1+1" arrives as "=1+1": inert all the same.
        assert "'" + " ".join(hostile.split()) in titles
    comments = [row[7] for row in data["Checklist answers"][1:]]
    assert "'" + INJECTIONS[0] in comments and "'" + INJECTIONS[1] in comments
    book = openpyxl.load_workbook(out)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_dates_are_real_dates(session, settings, programme, tmp_path):
    out, _ = export(session, settings, tmp_path)
    inspections = sheets(out)["Inspections"]
    row = inspections[1]
    assert isinstance(row[3], date) and isinstance(row[5], date)
    evidence_rows = sheets(out)["Evidence"]
    assert evidence_rows[1][4] == date(2026, 11, 20)
    assert isinstance(sheets(out)["Audit trail"][1][1], datetime)


def test_the_recorded_sha256_matches_the_file(session, settings, programme, tmp_path):
    out, report = export(session, settings, tmp_path)
    actual = hashlib.sha256(out.read_bytes()).hexdigest()
    assert report.sha256 == actual
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "export.workbook")
        .order_by(AuditEvent.seq.desc())
    )
    assert json.loads(event.details)["sha256"] == actual


def test_japanese_headers(session, settings, programme, tmp_path):
    out, _ = export(session, settings, tmp_path, lang="ja")
    data = sheets(out)
    assert "監査ログ" in data and "管理策" in data
    assert data["管理策"][0][0] == "コード"


def test_the_japanese_edition_names_its_maker_catalogue_and_codes_in_japanese(
    session, settings, programme, tmp_path
):
    out = tmp_path / "cover-ja.xlsx"
    write_workbook(
        session,
        out,
        settings=settings,
        lang="ja",
        actor=Actor(None, "cli:root", role="admin"),
        period=Period(date(2026, 4, 1), date(2027, 3, 31)),
        now=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
    )
    cover = {row[0]: row[1] for row in next(iter(sheets(out).values())) if len(row) > 1}
    assert cover["作成者"] == "コマンドライン（root）"
    assert cover["カタログの版"].startswith("管理策 ") and "controls" not in cover["カタログの版"]
    controls = sheets(out)["管理策"]
    codes = {cell for row in controls[1:] for cell in row[:12] if isinstance(cell, str)}
    assert {"basic_policy", "annual", "guideline"}.isdisjoint(codes)
    assert "基本方針" in codes


def test_a_table_longer_than_a_sheet_continues_on_the_next(tmp_path):
    from zoneinfo import ZoneInfo

    book = openpyxl.Workbook(write_only=True)
    table = Table("Log", [Column("n", kind="int")], ZoneInfo("Asia/Tokyo"), max_rows=4)
    assert write_table(book, table, ((n,) for n in range(7))) == 7
    book.save(tmp_path / "split.xlsx")
    data = sheets(tmp_path / "split.xlsx", titled=False)
    assert list(data) == ["Log", "Log (2)", "Log (3)"]
    assert data["Log"] == [["n"], [0.0], [1.0], [2.0]]
    assert data["Log (3)"] == [["n"], [6.0]]


def test_tab_and_carriage_return_prefixes_are_neutralised_in_any_text_column(tmp_path):
    from zoneinfo import ZoneInfo

    book = openpyxl.Workbook(write_only=True)
    table = Table("T", [Column("text")], ZoneInfo("Asia/Tokyo"))
    write_table(book, table, ((value,) for value in INJECTIONS))
    book.save(tmp_path / "t.xlsx")
    values = [row[0] for row in sheets(tmp_path / "t.xlsx", titled=False)["T"][1:]]
    assert values == ["'" + value for value in INJECTIONS]


def test_access_log_and_incident_sheets(session, settings, programme, make_user, clock, tmp_path):
    from article8.access.ingest import import_access_log
    from article8.controls.incidents import services as incidents

    responsible = make_user("responsible")
    log = io.BytesIO(
        b"timestamp,user,system,action,records,source_ip,result\n"
        b"2026-11-21T23:30:00+09:00,=cmd|' /C calc'!A0,crm,export,2000,192.0.2.1,ok\n"
    )
    import_access_log(
        session,
        log,
        filename="crm.csv",
        kind="system",
        settings=settings,
        actor=Actor(responsible.id, responsible.email),
        now=clock(),
    )
    incident = incidents.report_violation(
        session,
        Actor.for_user(responsible),
        "+SUM(1) USB stick lost",
        "A USB stick with the roster was lost",
        datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        now=clock(),
        tz=settings.timezone,
    )
    incidents.assess(
        session,
        Actor.for_user(responsible),
        incident,
        sensitive=False,
        financial=False,
        unlawful=True,
        over_1000=False,
        now=clock(),
        tz=settings.timezone,
    )
    session.flush()
    out, _ = export(session, settings, tmp_path)
    data = sheets(out)
    batches = data["Access-log batches"]
    assert batches[1][2] == "crm.csv" and len(batches[1][3]) == 64 and batches[1][4] == 1
    anomalies = data["Anomalies"]
    rules = {row[1] for row in anomalies[1:]}
    # Rules in words, not codes.
    assert {"Unauthorised access", "Bulk export", "Access outside business hours"} <= rules
    assert all(row[3] == "'=cmd|' /C calc'!A0" for row in anomalies[1:])  # inert
    incident_row = data["Incidents"][1]
    assert incident_row[1] == "'+SUM(1) USB stick lost"
    assert incident_row[10] == "Yes"  # reportable, as a word
    assert incident_row[11] == date(2026, 11, 25) and incident_row[13] == date(2027, 1, 19)


def export_statements(session, settings, tmp_path) -> int:
    """How many SQL statements one export runs, starting from nothing loaded."""
    session.expire_all()
    session.execute(select(1))  # the transaction (and its savepoint) is already open
    statements: list[str] = []
    connection = session.connection()

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        export(session, settings, tmp_path)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(statements)


def test_the_workbook_runs_as_many_statements_for_thirty_findings_as_for_one(
    session, settings, programme, make_user, clock, tmp_path
):
    owners = [make_user("responsible") for _ in range(3)]
    controls = session.scalars(select(Control).order_by(Control.code).limit(30)).all()

    def add_finding(control, owner):
        finding = Finding(
            control_id=control.id,
            severity="low",
            title=f"{control.code} gap",
            created_at=clock(),
            updated_at=clock(),
        )
        session.add(finding)
        session.flush()
        session.add(
            CorrectiveAction(
                finding_id=finding.id,
                description="Close the gap",
                owner_id=owner.id,
                due_on=date(2026, 12, 15),
                status="verified",
                verified_by_id=owners[-1].id,
                created_at=clock(),
                updated_at=clock(),
            )
        )
        session.flush()

    add_finding(controls[0], owners[0])
    one = export_statements(session, settings, tmp_path)
    for n, control in enumerate(controls[1:], 1):
        add_finding(control, owners[n % len(owners)])
    thirty = export_statements(session, settings, tmp_path)
    assert len(sheets(tmp_path / "workbook-en.xlsx")["Findings"]) == 1 + 1 + 30
    assert thirty == one


def test_status_cells_are_coloured_by_the_label_shown_in_japanese_too(
    session, settings, programme, tmp_path
):
    out, _ = export(session, settings, tmp_path, lang="ja")
    ws = openpyxl.load_workbook(out)["点検一覧"]
    header = [cell.value for cell in ws[HEADER_ROW]]
    status = ws.cell(row=1, column=header.index("状態") + 1).column_letter
    fills = {
        rule.formula[0]: rule.dxf.fill.fgColor.rgb
        for ranges in ws.conditional_formatting
        if str(ranges.sqref).startswith(status)
        for rule in ranges.rules
    }
    # Approved reads 承認済み in the cells, so the rule looks for that word, in the success tone.
    assert fills['"承認済み"'].endswith("C6EFCE")
    assert '"approved"' not in fills


def recompute_chain(path) -> tuple[int, str, str]:
    """Recompute the audit trail's hashes from the workbook alone (openpyxl and the standard
    library, following the hash method sheet); return (events, first previous hash, last hash)."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book["Audit trail"]
    lines = sheet.iter_rows(values_only=True)
    header = next(lines)
    while not header or header[0] != "Sequence":  # the title block above the table
        header = next(lines)
    column = {name: header.index(name) for name in header}

    def text(row, name):
        value = row[column[name]]
        if isinstance(value, str) and len(value) > 1 and value[0] == "'":
            stripped = value.lstrip("'")
            if stripped[:1] in ("=", "+", "-", "@", "\t", "\r", "\n"):
                return value[1:]
        return value

    checked, first_prev, prev = 0, None, None
    for row in lines:
        actor_id = text(row, "Actor id")
        body = {
            "seq": row[column["Sequence"]],
            "occurred_at": text(row, "Time (UTC, as hashed)"),
            "actor_id": None if actor_id is None else int(actor_id),
            "actor": text(row, "Actor"),
            "action": text(row, "Action"),
            "object_type": text(row, "Object"),
            "object_id": text(row, "Object id"),
            "details": text(row, "Details (canonical JSON, as hashed)"),
            "client_addr": text(row, "Client address"),
        }
        previous = text(row, "Previous hash")
        if prev is None:
            first_prev = previous
        else:
            assert previous == prev, f"link broken at {body['seq']}"
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(canonical.encode("utf-8") + previous.encode("ascii")).hexdigest()
        assert digest == text(row, "Hash"), f"hash differs at {body['seq']}"
        prev, checked = digest, checked + 1
    book.close()
    return checked, first_prev, prev


def test_the_audit_chain_is_recomputed_from_the_workbook_alone(
    session, settings, programme, tmp_path
):
    # An event at a microsecond Excel would round away, with text that needs neutralising.
    audit.record(
        session,
        Actor(None, "=cmd|' /C calc'!A0"),
        "test.microseconds",
        now=datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=UTC),
        object_type="+thing",
        object_id="@1",
        details={"note": "日本語 and =1+1", "n": 1.5},
    )
    out, _ = export(session, settings, tmp_path)
    checked, first_prev, last_hash = recompute_chain(out)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    exported = events[:-1]  # the export's own event is recorded after the file is written
    assert checked == len(exported) > 0
    assert first_prev == exported[0].prev_hash
    assert last_hash == exported[-1].hash

    cover = {row[0]: row[1] for row in sheets(out)["Cover"] if len(row) > 1 and row[0]}
    assert cover["First sequence in this workbook"] == str(exported[0].seq)
    assert cover["Its previous hash"] == first_prev
    assert cover["Last sequence in this workbook"] == str(exported[-1].seq)
    assert cover["Its hash"] == last_hash
    assert cover["Verification at generation"].startswith("Intact")


def test_the_cover_reports_a_broken_chain(session, settings, backend, programme, tmp_path):
    victim = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq).offset(2).limit(1))
    for statement in drop_append_only_ddl("audit_event", backend):
        session.execute(text(statement))
    session.execute(
        text("UPDATE audit_event SET details = :d WHERE seq = :s"), {"d": "{}", "s": victim}
    )
    session.expire_all()
    out, _ = export(session, settings, tmp_path)
    cover = {row[0]: row[1] for row in sheets(out)["Cover"] if len(row) > 1 and row[0]}
    assert cover["Verification at generation"] == f"Broken at sequence {victim}"


def test_the_index_lists_every_sheet_with_what_it_holds_and_its_scope(
    session, settings, programme, tmp_path
):
    out, _ = export(session, settings, tmp_path)
    data = sheets(out)
    index = data["Index"]
    assert index[0] == ["Sheet", "What it holds", "Scope"]
    assert [row[0] for row in index[1:]] == list(data)
    assert all(row[1] and row[2] for row in index[1:])
    cover = {row[0]: row[1] for row in data["Cover"] if len(row) > 1 and row[0]}
    assert "period overlaps the range" in cover["Scope"] and "Asia/Tokyo" in cover["Scope"]
    assert "open at any time in the range" in cover["Scope"]
    # The index states the same rule in its title block.
    assert cover["Scope"] in raw_sheets(out)["Index"][2][0]


# The date and time formats the workbook uses, as strftime would print them.
STRFTIME = {
    "yyyy-mm-dd": "%Y-%m-%d",
    "yyyy-mm-dd hh:mm": "%Y-%m-%d %H:%M",
    "yyyy-mm-dd h:mm:ss": "%Y-%m-%d %H:%M:%S",
}


@pytest.mark.parametrize(("lang", "face"), [("en", "Calibri"), ("ja", "Yu Gothic")])
def test_every_sheet_prints_on_a4_one_page_wide_with_header_footer_and_named_fonts(
    session, settings, programme, tmp_path, lang, face
):
    out, _ = export(session, settings, tmp_path, lang=lang)
    book = openpyxl.load_workbook(out)
    assert book.properties.subject == "2026-04-01 – 2027-03-31"
    assert book.properties.creator.startswith("article8 ")
    assert book.properties.title
    with zipfile.ZipFile(out) as archive:
        assert settings.organisation in archive.read("docProps/app.xml").decode()
    for ws in book.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(setup.fitToWidth) == 1
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert settings.organisation in ws.oddHeader.left.text
        assert ws.title in ws.oddHeader.center.text  # the sheet's title on every page
        assert "2026-04-01" in ws.oddHeader.right.text
        first = 1 if ws is book.worksheets[0] else HEADER_ROW
        assert all(cell.font.name == face for cell in ws[first] if cell.value), ws.title
        widths = sum(ws.column_dimensions[c].width or 0 for c in ws.column_dimensions)
        wide = widths > PORTRAIT_WIDTH and ws is not book.worksheets[0]
        assert setup.orientation == ("landscape" if wide else "portrait"), ws.title
    cover = book.worksheets[0].page_setup
    assert cover.orientation == "portrait" and int(cover.fitToHeight) == 1  # one page
    for ws in book.worksheets[1:]:
        if ws.title in ("Hash method", "ハッシュの計算方法"):
            continue
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", ws.title
        first = HEADER_ROW + 1
        for index, cell in enumerate(ws[first] if ws.max_row >= first else (), 1):
            if isinstance(cell.value, datetime):
                letter = openpyxl.utils.get_column_letter(index)
                shown = len(cell.value.strftime(STRFTIME[cell.number_format]))
                assert ws.column_dimensions[letter].width >= shown, (ws.title, letter)


def test_a_styled_cell_does_not_lend_its_format_to_the_cells_after_it(tmp_path):
    book = openpyxl.Workbook(write_only=True)
    columns = [Column("opened", kind="datetime"), Column("n", kind="int"), Column("t", 4)]
    table = Table("T", columns, ZoneInfo("Asia/Tokyo"))
    when = datetime(2026, 11, 30, 1, 2, tzinfo=UTC)
    write_table(book, table, [(when, 7, "a text longer than its column"), (None, 8, "x")])
    book.save(tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]
    opened, number, text = ws[2]
    assert opened.number_format == "yyyy-mm-dd hh:mm"
    assert number.value == 7 and number.number_format == "General"
    assert text.alignment.wrap_text and ws.row_dimensions[2].height > 15
    assert not ws[3][2].alignment.wrap_text  # short text: a plain cell
