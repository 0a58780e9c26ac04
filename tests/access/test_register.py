"""The handler register: importing people and authorisations, edits, history, bad files."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from article8.access import queries
from article8.access.errors import RegisterFileError
from article8.access.models import Handler, HandlerAlias, HandlerAuthorisation
from article8.access.register import (
    AuthorisationInput,
    PersonInput,
    delete_authorisation,
    find_person,
    save_authorisation,
    save_person,
)
from article8.access.register_import import import_register
from article8.core import audit
from article8.core.audit import details_of
from article8.core.errors import NotFound, ValidationError
from article8.core.guarded import WorkbookLimits
from article8.core.models import AuditEvent
from article8.core.tabular import Code
from tests import bombs
from tests.conftest import SYSTEM_ACTOR
from tests.support.access import count

PEOPLE = "employee_id,name,department,employed_from,employed_until,aliases\n"
HEADER_ROW = PEOPLE.strip().split(",")
GRANTS = "employee_id,kind,target,actions,valid_from,valid_until\n"


def load(session, clock, text: str | bytes, filename: str = "register.csv"):
    data = text.encode() if isinstance(text, str) else text
    return import_register(
        session, io.BytesIO(data), filename=filename, actor=SYSTEM_ACTOR, now=clock()
    )


def history(session, employee_id):
    criteria = audit.AuditFilter(object_type="handler", object_id=employee_id)
    return [(e.action, details_of(e)) for e in reversed(audit.page(session, criteria))]


def test_people_then_authorisations_import_and_read_back(session, clock):
    people = load(
        session,
        clock,
        PEOPLE + "E1,田中 花子,人事部,2020-04-01,,tanaka; B-1001\n"
        "E2,Sato Taro,Sales,2019-04-01,2026-11-20,sato\n",
    )
    grants = load(
        session,
        clock,
        GRANTS + "E1,system,crm,view;search;export,2020-04-01,\n"
        "E1,area,server-room,,2020-04-01,2026-12-31\n"
        "E2,system,crm,*,2019-04-01,\n",
    )
    assert people.people == {"created": 2, "updated": 0, "unchanged": 0}
    assert grants.authorisations == {"created": 3, "updated": 0, "unchanged": 0}
    session.expire_all()
    tanaka, sato = queries.people(session)
    assert (tanaka.name, tanaka.department, tanaka.employed_until) == ("田中 花子", "人事部", None)
    assert [a.alias for a in tanaka.aliases] == ["B-1001", "tanaka"]
    assert sato.employed_until == date(2026, 11, 20)
    area, crm = tanaka.authorisations
    assert (area.kind, area.actions, area.valid_until) == ("area", None, date(2026, 12, 31))
    assert crm.action_list == ["view", "search", "export"]
    assert sato.authorisations[0].action_list == ["*"]


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("cp932"), id="cp932"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf-8-bom"),
    ],
)
def test_a_register_saved_by_excel_in_japan_reads_back_correctly(session, clock, encode):
    # Excel in a Japanese locale saves CSV in CP932 (or UTF-8 with a BOM) and dates with slashes.
    people = load(
        session,
        clock,
        encode(
            PEOPLE + "E1,田中 花子,人事部,2020/4/1,,たなか\n"
            "E2,髙橋 ソフト表,営業部,2019/04/01,2026/11/20,\n"
        ),
    )
    assert people.people == {"created": 2, "updated": 0, "unchanged": 0}
    session.expire_all()
    tanaka, takahashi = queries.people(session)
    assert (tanaka.name, tanaka.department, tanaka.employed_from) == (
        "田中 花子",
        "人事部",
        date(2020, 4, 1),
    )
    assert [a.alias for a in tanaka.aliases] == ["たなか"]
    # 表 and ソ end in the byte 0x5C (a backslash in ASCII); 髙 is a CP932 extension.
    assert (takahashi.name, takahashi.employed_until) == ("髙橋 ソフト表", date(2026, 11, 20))


def test_importing_again_updates_by_key_and_keeps_the_history(session, clock):
    load(session, clock, PEOPLE + "E1,Tanaka,HR,2020-04-01,,tanaka;B-1\n")
    load(session, clock, GRANTS + "E1,system,crm,view,2020-04-01,\n")
    clock.advance(days=1)
    again = load(session, clock, PEOPLE + "E1,Tanaka,HR,2020-04-01,2026-11-30,tanaka;B-2\n")
    grants = load(session, clock, GRANTS + "E1,system,crm,view;export,2020-04-01,\n")
    unchanged = load(session, clock, GRANTS + "E1,system,crm,view;export,2020-04-01,\n")
    assert again.people["updated"] == 1 and grants.authorisations["updated"] == 1
    assert unchanged.authorisations == {"created": 0, "updated": 0, "unchanged": 1}
    assert count(session, Handler) == 1 and count(session, HandlerAuthorisation) == 1
    assert session.scalars(select(HandlerAlias.alias).order_by(HandlerAlias.alias)).all() == [
        "B-2",
        "tanaka",
    ]
    actions = [action for action, _ in history(session, "E1")]
    assert actions == [
        "register.person.create",
        "register.authorisation.create",
        "register.person.update",
        "register.authorisation.update",
    ]
    _, person_update = history(session, "E1")[2]
    assert person_update["before"]["employed_until"] is None
    assert person_update["after"]["employed_until"] == "2026-11-30"
    assert person_update["before"]["aliases"] == ["B-1", "tanaka"]
    assert person_update["after"]["aliases"] == ["B-2", "tanaka"]
    imports = session.scalars(select(AuditEvent).where(AuditEvent.action == "register.import"))
    assert [details_of(e)["people"]["created"] for e in imports] == [1, 0, 0, 0, 0]


def test_an_alias_can_move_between_two_people_in_one_file(session, clock):
    load(session, clock, PEOPLE + "E1,A,,2020-04-01,,shared\nE2,B,,2020-04-01,,\n")
    load(session, clock, PEOPLE + "E1,A,,2020-04-01,,\nE2,B,,2020-04-01,,shared\n")
    assert [a.alias for a in find_person(session, "E2").aliases] == ["shared"]
    assert find_person(session, "E1").aliases == []


def test_a_workbook_with_both_sheets_imports_people_first(session, clock):
    workbook = Workbook()
    people = workbook.active
    people.title = "people"
    people.append(["employee_id", "name", "department", "employed_from", "employed_until"])
    people["F1"] = "aliases"
    people.append([1001, "Tanaka", "HR", date(2020, 4, 1), None, "tanaka"])
    grants = workbook.create_sheet("authorisations")
    grants.append(["employee_id", "kind", "target", "actions", "valid_from", "valid_until"])
    grants.append(["1001", "area", "vault", None, "2020-04-01", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = load(session, clock, buffer.getvalue(), filename="register.xlsx")
    assert report.summary() == (
        "people: 1 created, 0 updated, 0 unchanged; "
        "authorisations: 1 created, 0 updated, 0 unchanged"
    )
    assert find_person(session, "1001").authorisations[0].target == "vault"


def workbook_bytes(rows: list[list[object]], title: str = "people") -> bytes:
    workbook = Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BAD_REGISTERS = [
    pytest.param(
        "id,name\n1,x\n",
        "register.csv: line 1: expected the header "
        "employee_id,name,department,employed_from,employed_until,aliases (people) or "
        "employee_id,kind,target,actions,valid_from,valid_until (authorisations); found id,name",
        id="wrong-header",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01,,\nE2,B,,2020.04.01,,\n",
        "register.csv: line 3, column employed_from: expected a date YYYY-MM-DD, "
        "found '2020.04.01'",
        id="bad-date",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-02-30,,\n",
        "register.csv: line 2, column employed_from: expected a date YYYY-MM-DD, "
        "found '2020-02-30'",
        id="impossible-date",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01,2019-03-31,\n",
        "register.csv: line 2, column employed_until: is before employed_from",
        id="leaves-before-joining",
    ),
    pytest.param(
        PEOPLE + "E1,,,2020-04-01,,\n",
        "register.csv: line 2, column name: expected a value, found nothing",
        id="no-name",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01,,x\nE1,B,,2020-04-01,,\n",
        "register.csv: line 3, column employee_id: E1 is also on line 2",
        id="duplicate-employee",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01,,x\nE2,B,,2020-04-01,,y;x\n",
        "register.csv: line 3, column aliases: alias 'x' is also given to E1 on line 2",
        id="alias-twice",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01,,E2\nE2,B,,2020-04-01,,\n",
        "register.csv: line 2, column aliases: alias 'E2' is the employee id on line 3",
        id="alias-is-an-employee-id",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01\n",
        "register.csv: line 2: has 4 values; the header has 6",
        id="short-line",
    ),
    pytest.param(
        GRANTS + "E9,system,crm,*,2020-04-01,\n",
        "register.csv: line 2, column employee_id: no person with employee id 'E9' in the "
        "register (add the person to the people list first)",
        id="unknown-person",
    ),
    pytest.param(
        GRANTS + "E9,system,crm,view;print,2020-04-01,\n",
        "register.csv: line 2, column actions: unknown action 'print'; expected * or any of "
        "login, login_failed, view, search, export, update, delete",
        id="unknown-action",
    ),
    pytest.param(
        GRANTS + "E9,area,vault,view,2020-04-01,\n",
        "register.csv: line 2, column actions: only system authorisations list actions",
        id="actions-for-an-area",
    ),
    pytest.param(
        GRANTS + "E9,room,vault,,2020-04-01,\n",
        "register.csv: line 2, column kind: expected system or area, found 'room'",
        id="unknown-kind",
    ),
    pytest.param(
        GRANTS + "E9,system,crm,,2020-04-01,\n",
        "register.csv: line 2, column actions: expected * or actions separated by ';'",
        id="system-without-actions",
    ),
    pytest.param(
        (PEOPLE + "E1,山田,,2020-04-01,,\n").encode("cp932") + b"E2,\x82,,2020-04-01,,\n",
        "register.csv: line 3: is not text in UTF-8 or CP932 (Shift_JIS)",
        id="broken-shift-jis",
    ),
    pytest.param(b"", "register.csv: is empty; expected a header row", id="empty"),
    pytest.param(PEOPLE, "register.csv: contains no rows to import", id="header-only"),
    # Hostile or broken input (issue 11): control characters, absurd dates, endless lines.
    pytest.param(
        PEOPLE + "E1,Tana\x00ka,,2020-04-01,,\n",
        "register.csv: line 2, column name: contains the control character U+0000 at character 5",
        id="nul-in-a-name",
    ),
    pytest.param(
        PEOPLE + 'E1,"Tanaka\nIchiro",,2020-04-01,,\n',
        "register.csv: line 3, column name: contains the control character U+000A at character 7",
        id="line-break-in-a-quoted-name",
    ),
    pytest.param(
        PEOPLE + "E1,A,,2020-04-01,,tanaka;\x1b[31m\n",
        "register.csv: line 2, column aliases: contains the control character U+001B at "
        "character 8",
        id="escape-sequence-in-an-alias",
    ),
    pytest.param(
        GRANTS + "E1,system,crm,*,2020-04-01,9999-12-31\n",
        "register.csv: line 2, column valid_until: 9999-12-31 is outside the dates the register "
        "accepts, 1900-01-01 to 2099-12-31 (leave an end date empty when there is none)",
        id="sentinel-end-date",
    ),
    pytest.param(
        PEOPLE + "E1,A,,1899-12-31,,\n",
        "register.csv: line 2, column employed_from: 1899-12-31 is outside the dates the register "
        "accepts, 1900-01-01 to 2099-12-31 (leave an end date empty when there is none)",
        id="ancient-start",
    ),
    pytest.param(
        PEOPLE + "E1," + "A" * (1024 * 1024) + ",,2020-04-01,,\n",
        "register.csv: line 2: is longer than 1048576 bytes (1 MiB); nothing of the file was "
        "stored",
        id="endless-line",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_REGISTERS)
def test_a_bad_register_file_names_the_cell_and_changes_nothing(
    database, session, clock, content, message
):
    with pytest.raises(RegisterFileError) as error, database.unit_of_work() as work:
        load(work, clock, content)
    assert str(error.value) == message
    assert count(session, Handler) == 0 and count(session, AuditEvent) == 0


def test_every_bad_row_of_a_register_is_listed_and_nothing_changes(database, session, clock):
    content = PEOPLE + (
        "E1,A,,2020-04-01,,x\n"
        "E2,B,,2020.04.01,,\n"
        "E1,C,,2020-04-01,,\n"
        "E3,D,,2020-04-01\n"
        "E4,E,,2020-04-01,,x\n"
    )
    with pytest.raises(RegisterFileError) as error, database.unit_of_work() as work:
        load(work, clock, content)
    assert error.value.total == 4
    assert [(p.line, p.column, p.code) for p in error.value.problems] == [
        (3, "employed_from", Code.VALUE),
        (5, None, Code.WIDTH),
        (4, "employee_id", Code.DUPLICATE_ROW),
        (6, "aliases", Code.DUPLICATE_ROW),
    ]
    assert str(error.value).startswith("register.csv: line 3, column employed_from:")
    assert count(session, Handler) == 0 and count(session, AuditEvent) == 0


def test_workbook_errors_name_the_sheet_and_row(database, session, clock):
    rows = [
        ["employee_id", "name", "department", "employed_from", "employed_until", "aliases"],
        ["E1", "A", "", "2020-04-01", None, None],
        ["E2", "B", "", "someday", None, None],
    ]
    with pytest.raises(RegisterFileError) as error, database.unit_of_work() as work:
        load(work, clock, workbook_bytes(rows), filename="r.xlsx")
    assert str(error.value) == (
        "r.xlsx: sheet people, row 3, column employed_from: expected a date YYYY-MM-DD, "
        "found 'someday'"
    )
    for content, message in [
        (workbook_bytes([["a"]], title="staff"), "expected a sheet named people"),
        (b"PK\x03\x04 not really a workbook", "is not a readable Excel workbook"),
        (
            workbook_bytes([rows[0], ["E1", "A\x7fB", "", "2020-04-01"]]),
            "r.xlsx: sheet people, row 2, column name: contains the control character U\\+007F",
        ),
    ]:
        with pytest.raises(RegisterFileError, match=message), database.unit_of_work() as work:
            load(work, clock, content, filename="r.xlsx")
    assert count(session, Handler) == 0


def test_a_workbook_bomb_is_refused_and_changes_nothing(database, session, clock, tmp_path):
    path = bombs.declared_rows_bomb(tmp_path / "r.xlsx", rows=2_000_000)
    with pytest.raises(RegisterFileError) as error, database.unit_of_work() as work:
        load(work, clock, path.read_bytes(), filename="r.xlsx")
    assert str(error.value) == (
        "r.xlsx: sheet people declares 2000000 rows, more than the limit of 1048576"
    )
    assert count(session, Handler) == 0 and count(session, AuditEvent) == 0


def test_the_row_limit_applies_to_the_register(database, session, clock, tmp_path):
    rows = [list(HEADER_ROW)] + [[f"E{n}", "A", "", "2020-04-01", None, None] for n in range(5)]
    with pytest.raises(RegisterFileError) as error, database.unit_of_work() as work:
        import_register(
            work,
            io.BytesIO(workbook_bytes(rows)),
            filename="r.xlsx",
            actor=SYSTEM_ACTOR,
            now=clock(),
            limits=WorkbookLimits(rows=4),
        )
    assert str(error.value) == "r.xlsx: sheet people declares 6 rows, more than the limit of 4"
    assert count(session, Handler) == 0


def test_an_alias_of_someone_already_registered_is_refused(database, session, clock):
    load(session, clock, PEOPLE + "E1,A,,2020-04-01,,tanaka\n")
    session.commit()
    with pytest.raises(RegisterFileError) as error, database.unit_of_work() as work:
        load(work, clock, PEOPLE + "E2,B,,2020-04-01,,x\nE3,C,,2020-04-01,,tanaka\n")
    assert str(error.value) == (
        "register.csv: line 3, column aliases: alias 'tanaka' already belongs to E1"
    )
    assert count(session, Handler) == 1


def test_editing_one_person_and_one_authorisation_through_the_services(session, clock):
    data = PersonInput("E1", "Tanaka", date(2020, 4, 1), aliases=("tanaka",))
    assert save_person(session, SYSTEM_ACTOR, data, now=clock()).outcome == "created"
    assert save_person(session, SYSTEM_ACTOR, data, now=clock()).outcome == "unchanged"
    leaves_early = PersonInput("E1", "T", date(2020, 4, 1), employed_until=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="is before employed_from") as error:
        save_person(session, SYSTEM_ACTOR, leaves_early, now=clock())
    assert error.value.field == "employed_until"
    taken = PersonInput("tanaka", "X", date(2020, 4, 1))
    with pytest.raises(ValidationError, match="'tanaka' is already an alias of E1"):
        save_person(session, SYSTEM_ACTOR, taken, now=clock())
    grant = AuthorisationInput("E1", "system", "crm", date(2020, 4, 1), actions=("view",))
    save_authorisation(session, SYSTEM_ACTOR, grant, now=clock())
    delete_authorisation(session, SYSTEM_ACTOR, "E1", "system", "crm", now=clock())
    with pytest.raises(NotFound):
        delete_authorisation(session, SYSTEM_ACTOR, "E1", "system", "crm", now=clock())
    (*_, deleted) = history(session, "E1")
    assert deleted[0] == "register.authorisation.delete"
    assert deleted[1]["before"]["actions"] == ["view"] and deleted[1]["after"] is None
