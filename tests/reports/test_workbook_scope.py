"""The workbook's scoping rule, cross-links, title blocks, words and colours, read back with
openpyxl and python-calamine from hand-built data."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import select

from article8.access.models import Anomaly, Handler
from article8.cli.options import period as default_period
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.core.audit import Actor
from article8.core.i18n import translator
from article8.core.vocabulary import every_vocabulary
from article8.reports.period import Period
from article8.reports.workbook import write_workbook
from article8.reports.workbook.page import HEADER_ROW, display_width
from article8.reports.workbook.table import TONE_COLOURS
from tests.conftest import SYSTEM_ACTOR
from tests.reports.factories import add_control, add_inspection, at
from tests.reports.test_workbook import raw_sheets, records, sheets

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def export(session, settings, tmp_path, period, lang="en", now=NOW):
    out = tmp_path / f"scope-{lang}.xlsx"
    write_workbook(
        session, out, settings=settings, lang=lang, actor=SYSTEM_ACTOR, period=period, now=now
    )
    return out


def add_finding(session, control, opened, status="open", closed=None, **fields) -> Finding:
    """A finding raised at ``opened`` (Tokyo time), settled at ``closed`` when given."""
    fields.setdefault("source", "manual")
    finding = Finding(
        control_id=control.id,
        severity="medium",
        title=f"{control.code} {opened}",
        status=status,
        created_at=at(opened),
        updated_at=at(closed or opened),
        **fields,
    )
    session.add(finding)
    session.flush()
    return finding


def test_the_scoping_rule_on_hand_built_data(session, settings, make_user, tmp_path):
    owner = make_user("responsible")
    control = add_control(session, "SCO-01", "technical")
    before = add_inspection(session, control, "2026-09", "2026-10-05", "approved")
    straddling = add_inspection(
        session,
        control,
        (date(2026, 9, 16), date(2026, 10, 15), date(2026, 10, 1)),
        "2026-10-25",
        "open",
    )
    after = add_inspection(session, control, "2026-11", "2026-12-05", "open")
    closed_before = add_finding(
        session, control, "2026-08-01T10:00:00", "verified", "2026-09-20T10:00:00"
    )
    opened_after = add_finding(session, control, "2026-11-05T10:00:00")
    still_open = add_finding(session, control, "2026-09-01T10:00:00")
    closed_during = add_finding(
        session, control, "2026-09-02T10:00:00", "verified", "2026-10-10T10:00:00"
    )
    # Open at the end of October, settled since: counted as open as at the range end.
    closed_since = add_finding(
        session, control, "2026-10-05T10:00:00", "verified", "2026-11-10T10:00:00"
    )
    done_before = CorrectiveAction(
        finding_id=still_open.id,
        description="Done in September",
        owner_id=owner.id,
        due_on=date(2026, 9, 30),
        status="verified",
        resolved_at=at("2026-09-25T10:00:00"),
        created_at=at("2026-09-01T10:00:00"),
        updated_at=at("2026-09-25T10:00:00"),
    )
    in_hand = CorrectiveAction(
        finding_id=still_open.id,
        description="Still in hand",
        owner_id=owner.id,
        due_on=date(2026, 12, 31),
        status="open",
        created_at=at("2026-09-01T10:00:00"),
        updated_at=at("2026-09-01T10:00:00"),
    )
    session.add_all([done_before, in_hand])
    session.flush()

    out = export(session, settings, tmp_path, OCTOBER)
    data = sheets(out)
    inspections = {r["Id"] for r in records(data["Inspections"]) if r["Control"] == "SCO-01"}
    assert inspections == {straddling.id}
    assert before.id not in inspections and after.id not in inspections
    findings = {r["Finding"] for r in records(data["Findings"])}
    assert findings == {still_open.id, closed_during.id, closed_since.id}
    assert closed_before.id not in findings and opened_after.id not in findings
    actions = {r["Action"] for r in records(data["Corrective actions"])}
    assert actions == {in_hand.id}

    cover = {row[0]: row[1] for row in data["Cover"] if len(row) > 1 and row[0]}
    # As at 2026-10-31 24:00 Tokyo: still_open and closed_since were open; closed_during was not.
    assert cover["Open findings"] == 2
    assert cover["Inspections in the range"] == 1
    assert "Summary as at 2026-10-31 23:59 (Asia/Tokyo)" in [row[0] for row in data["Cover"]]


def test_the_default_range_includes_this_months_inspections_and_their_findings(
    session, settings, tmp_path
):
    today = date(2026, 11, 24)
    control = add_control(session, "SCO-02", "technical")
    this_month = add_inspection(session, control, "2026-11", "2026-12-10", "approved")
    finding = add_finding(
        session, control, "2026-11-20T10:00:00", inspection_id=this_month.id, source="inspection"
    )
    period = default_period(None, None, today, settings.fiscal_year_start)
    assert period == Period(date(2026, 4, 1), today)
    out = export(session, settings, tmp_path, period, now=at("2026-11-24T10:00:00"))
    data = sheets(out)
    inspections = {r["Id"]: r for r in records(data["Inspections"])}
    assert this_month.id in inspections
    findings = {r["Finding"]: r for r in records(data["Findings"])}
    assert findings[finding.id]["Inspection"] == this_month.id
    assert inspections[this_month.id]["Findings"] == finding.id


def test_records_link_to_each_other_by_id_and_hyperlink(
    session, settings, programme, make_user, clock, tmp_path
):
    """Evidence ↔ inspection, finding ↔ inspection / checklist answer / anomaly, the review, and
    the anomaly's person by name."""
    from article8.evidence import services as evidence
    from article8.evidence.blobstore import LocalBlobStore

    item = evidence.add_evidence(
        session,
        LocalBlobStore(tmp_path / "store"),
        SYSTEM_ACTOR,
        io.BytesIO(b"%PDF-1.7\nlinked"),
        evidence.EvidenceInput(
            filename="log.pdf",
            title="Access review log",
            collected_on=date(2026, 11, 20),
            control_codes=["ORG-04"],
        ),
        max_bytes=10**6,
        now=clock(),
    )
    item.inspection_id = programme.id  # linked while it was in progress
    finding = session.scalar(select(Finding).where(Finding.inspection_id == programme.id))
    handler = Handler(
        employee_id="E0042",
        name="山田 花子",
        employed_from=date(2020, 4, 1),
        created_at=clock(),
        updated_at=clock(),
    )
    session.add(handler)
    session.flush()
    anomaly = Anomaly(
        rule="leaver_access",
        severity="high",
        person_key="handler:E0042",
        handler_id=handler.id,
        local_date=date(2026, 11, 22),
        event_count=3,
        first_seen=at("2026-11-22T09:00:00"),
        last_seen=at("2026-11-22T09:30:00"),
        status="escalated",
        finding_id=finding.id,
        run_token="t",
        created_at=clock(),
        updated_at=clock(),
    )
    session.add(anomaly)
    session.flush()

    out = export(session, settings, tmp_path, Period(date(2026, 4, 1), date(2027, 3, 31)))
    data = sheets(out)
    book = openpyxl.load_workbook(out)

    def row_of(sheet, column, value):
        table = records(data[sheet])
        index = next(n for n, r in enumerate(table) if r[column] == value)
        return HEADER_ROW + 1 + index, table[index]

    def link(sheet, row, column):
        header = data[sheet][0]
        cell = book[sheet].cell(row=row, column=header.index(column) + 1)
        assert cell.hyperlink is not None, (sheet, column)
        target, cell_ref = cell.hyperlink.location.rsplit("!", 1)
        return target.strip("'"), int(re.sub(r"\D", "", cell_ref))

    inspection_row, inspection = row_of("Inspections", "Id", programme.id)
    evidence_row, item = row_of("Evidence", "Title", "Access review log")
    finding_row, found = row_of("Findings", "Finding", finding.id)
    anomaly_row, flagged = row_of("Anomalies", "Anomaly", anomaly.id)

    # Evidence ↔ inspection.
    assert item["Inspection"] == programme.id
    assert link("Evidence", evidence_row, "Inspection") == ("Inspections", inspection_row)
    assert str(item["Id"]) in str(inspection["Evidence"])
    # Finding ↔ inspection, checklist answer and anomaly.
    assert found["Inspection"] == programme.id
    assert link("Findings", finding_row, "Inspection") == ("Inspections", inspection_row)
    assert inspection["Findings"] == finding.id
    assert link("Inspections", inspection_row, "Findings") == ("Findings", finding_row)
    target, answer_row = link("Findings", finding_row, "Checklist item")
    answer = records(data["Checklist answers"])[answer_row - HEADER_ROW - 1]
    assert target == "Checklist answers"
    assert answer["Inspection"] == programme.id and answer["No."] == found["Checklist item"]
    assert answer["Answer"] == "Fail" and answer["Findings"] == finding.id
    assert found["Anomaly"] == anomaly.id
    assert link("Findings", finding_row, "Anomaly") == ("Anomalies", anomaly_row)
    assert link("Anomalies", anomaly_row, "Finding") == ("Findings", finding_row)
    # The person by name from the register; the rule and triage in words.
    assert flagged["Person"] == "山田 花子 (E0042)"
    assert flagged["Rule"] == "Access after leaving" and flagged["Triage"] == "Escalated"
    # The review: who approved, and how often it was returned (never: blank, not 0).
    assert inspection["Reviewed by"] and inspection["Times returned"] == ""


def programme_with_everything(session, settings, make_user, clock):
    """An access log and an incident besides the programme, so every sheet has rows."""
    from article8.access.ingest import import_access_log
    from article8.controls.incidents import services as incidents

    responsible = make_user("responsible")
    log = io.BytesIO(
        b"timestamp,user,system,action,records,source_ip,result\n"
        b"2026-11-21T23:30:00+09:00,alice,crm,export,2000,192.0.2.1,ok\n"
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
    incidents.report_violation(
        session,
        Actor.for_user(responsible),
        "USB stick lost",
        "A USB stick with the roster was lost",
        datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        now=clock(),
        tz=settings.timezone,
    )
    session.flush()


# Columns that hold codes by design: the audit trail as hashed, and the legend of its codes (the
# sheet that gives each in words).
CODES_BY_DESIGN = {
    "Audit trail": ("Actor", "Action", "Object", "Details (canonical JSON, as hashed)"),
    "Audit trail codes": ("Code",),
}


def test_no_code_is_left_untranslated_in_the_japanese_edition(
    session, settings, programme, make_user, clock, tmp_path
):
    programme_with_everything(session, settings, make_user, clock)
    out = export(session, settings, tmp_path, Period(date(2026, 4, 1), date(2027, 3, 31)), "ja")
    _ = translator("ja")
    # Every code with a letter in it (clause and heading numbers such as 10-1 are references).
    codes = {
        term.code
        for vocabulary in every_vocabulary()
        for term in vocabulary
        if re.search("[a-z]", term.code)
    }
    by_design = {_(sheet): {_(c) for c in columns} for sheet, columns in CODES_BY_DESIGN.items()}
    book = openpyxl.load_workbook(out)
    for name, rows in raw_sheets(out).items():
        header = rows[HEADER_ROW - 1] if len(rows) >= HEADER_ROW else []
        skip = {i for i, title in enumerate(header) if title in by_design.get(name, ())}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if c in skip or not isinstance(value, str):
                    continue
                words = {value, *value.split(", ")}
                assert not words & codes, (name, r + 1, c + 1, value)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "b", (ws.title, cell.coordinate)  # no TRUE/FALSE


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_status_colours_follow_the_words_in_the_cells(
    session, settings, programme, make_user, clock, tmp_path, lang
):
    programme_with_everything(session, settings, make_user, clock)
    out = export(session, settings, tmp_path, Period(date(2026, 4, 1), date(2027, 3, 31)), lang)
    _ = translator(lang)
    # Each word shown for a code with a tone, and the colour of that tone.
    colours: dict[str, set[str]] = {}
    for vocabulary in every_vocabulary():
        for term in vocabulary:
            if term.tone in TONE_COLOURS:
                colours.setdefault(_(term.label), set()).add(TONE_COLOURS[term.tone])
    words = raw_sheets(out)  # the cells' words as python-calamine reads them
    book = openpyxl.load_workbook(out)
    checked = 0
    for ws in book.worksheets:
        rules: dict[str, dict[str, str]] = {}
        for ranges in ws.conditional_formatting:
            letter = re.match(r"[A-Z]+", str(ranges.sqref)).group(0)
            for rule in ranges.rules:
                word = rule.formula[0].strip('"')
                # Every rule names a word the edition shows, in the colour of its tone.
                assert rule.dxf.fill.fgColor.rgb[-6:] in colours.get(word, ()), (ws.title, word)
                rules.setdefault(letter, {})[word] = rule.dxf.fill.fgColor.rgb
        rows = words[ws.title]
        for letter, by_word in rules.items():
            column = openpyxl.utils.column_index_from_string(letter) - 1
            for row in rows[HEADER_ROW:]:
                shown = row[column] if column < len(row) else ""
                if shown in colours:
                    assert shown in by_word, (ws.title, letter, shown)
                    checked += 1
    assert checked > 10


STRFTIME = {"yyyy-mm-dd": "%Y-%m-%d", "yyyy-mm-dd hh:mm": "%Y-%m-%d %H:%M"}


def shown_width(cell) -> int:
    """How many column-width units a cell's formatted value takes."""
    value = cell.value
    if isinstance(value, datetime):
        pattern = STRFTIME.get(cell.number_format, "%Y-%m-%d %H:%M:%S")
        return len(value.strftime(pattern))
    if isinstance(value, date):
        return len(value.strftime("%Y-%m-%d"))
    return display_width(str(value))


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_table_has_its_title_block_and_widths_that_fit_its_values(
    session, settings, programme, make_user, clock, tmp_path, lang
):
    programme_with_everything(session, settings, make_user, clock)
    out = export(session, settings, tmp_path, Period(date(2026, 4, 1), date(2027, 3, 31)), lang)
    _ = translator(lang)
    book = openpyxl.load_workbook(out)
    calamine = raw_sheets(out)
    for ws in book.worksheets[1:]:
        # Title, then organisation, range and generation time with its zone, then the scope.
        title, facts, scope = (calamine[ws.title][n][0] for n in range(3))
        assert title == ws.title
        assert settings.organisation in facts and "2026-04-01" in facts
        assert "2026-12-01 10:00" in facts and "Asia/Tokyo" in facts
        prefix = _("Scope of this sheet: %(scope)s").split("%")[0]
        assert scope.startswith(prefix) and scope.strip() != prefix.strip(), ws.title
        for row in ws.iter_rows(min_row=HEADER_ROW + 1):
            for cell in row:
                if cell.value is None or cell.alignment.wrap_text:
                    continue
                width = ws.column_dimensions[cell.column_letter].width
                assert shown_width(cell) <= width, (ws.title, cell.coordinate, cell.value)
    # The cover's labels and values fit their columns too (a heading alone on its row may run
    # on into the empty cell beside it).
    cover = book.worksheets[0]
    for row in cover.iter_rows():
        if len(row) < 2 or row[1].value is None:
            continue
        for cell in row:
            if cell.value is not None and not cell.alignment.wrap_text:
                width = cover.column_dimensions[cell.column_letter].width
                assert shown_width(cell) <= width, (cell.coordinate, cell.value)
