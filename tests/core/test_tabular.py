"""The one tabular reader: encodings, CSV records, headers, column renames, problems."""

from __future__ import annotations

import io

import pytest

from article8.core.tabular import (
    Code,
    Columns,
    MappingError,
    Problem,
    TableError,
    csv_records,
    parse_mapping,
    read_header,
    text_lines,
)

NAMES = "employee_id,name\nE1,田中 花子\nE2,髙橋 ソフト表\n"


def lines(data: bytes) -> list[str]:
    return list(text_lines(io.BytesIO(data), "people.csv"))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(NAMES.encode("utf-8"), id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + NAMES.encode("utf-8"), id="utf-8-bom"),
        pytest.param(NAMES.encode("cp932"), id="cp932"),
        pytest.param(NAMES.replace("\n", "\r\n").encode("cp932"), id="cp932-crlf"),
    ],
)
def test_utf_8_with_or_without_bom_and_cp932_read_the_same(data: bytes) -> None:
    records = [values for _, values in csv_records(lines(data), "people.csv")]
    assert records == [["employee_id", "name"], ["E1", "田中 花子"], ["E2", "髙橋 ソフト表"]]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        pytest.param(b"a,b\n1,2\n", "UTF-8", id="ascii"),
        pytest.param(NAMES.encode("utf-8"), "UTF-8", id="utf-8"),
        pytest.param(b"\xef\xbb\xbf" + NAMES.encode("utf-8"), "UTF-8 (BOM)", id="utf-8-bom"),
        pytest.param(NAMES.encode("cp932"), "CP932 (Shift_JIS)", id="cp932"),
    ],
)
def test_the_lines_say_which_encoding_they_were_read_in(data: bytes, encoding: str) -> None:
    read = text_lines(io.BytesIO(data), "people.csv")
    list(read)
    assert read.encoding == encoding


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_lines_may_end_in_lf_crlf_or_cr(end: str) -> None:
    data = NAMES.replace("\n", end).encode("cp932")
    records = [values for _, values in csv_records(lines(data), "people.csv")]
    assert records == [["employee_id", "name"], ["E1", "田中 花子"], ["E2", "髙橋 ソフト表"]]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(b"a,b\n\xff\xfe\x00\x00\n", 2, id="binary"),
        pytest.param("a,b\n田中,x\n".encode("cp932") + b"\x82,\n", 3, id="broken-cp932"),
        pytest.param("a,b\n田中,x\n".encode("cp932") + b"\xfd,\n", 3, id="not-shift-jis"),
        pytest.param("a,b\n田中,x\n".encode() + "山田,y\n".encode("cp932"), 3, id="mixed"),
        pytest.param(b"\xef\xbb\xbfa,b\n" + "山田,y\n".encode("cp932"), 2, id="bom-then-cp932"),
    ],
)
def test_a_file_in_neither_encoding_is_one_problem_naming_the_first_bad_line(
    data: bytes, line: int
) -> None:
    with pytest.raises(TableError) as error:
        lines(data)
    assert str(error.value) == (
        f"people.csv: line {line}: is not text in UTF-8 or CP932 (Shift_JIS)"
    )
    assert (error.value.detail.code, error.value.detail.line) == (Code.ENCODING, line)


def test_a_csv_error_names_the_line() -> None:
    with pytest.raises(TableError) as error:
        list(csv_records(["a,b\n", "x" * 200_000 + ",1\n"], "t.csv"))
    assert error.value.detail.code == Code.UNREADABLE and error.value.detail.line == 2


def test_renames_are_parsed_once_for_every_edge() -> None:
    assert parse_mapping(["login=user, when = timestamp", "", "host=system\nip=source_ip"]) == {
        "login": "user",
        "when": "timestamp",
        "host": "system",
        "ip": "source_ip",
    }
    for entry in ("login", "=user", "login=", "a=b,c"):
        with pytest.raises(MappingError):
            parse_mapping([entry])


LOG = Columns(("timestamp", "user", "records"), ("records",), others_allowed=True)
PEOPLE = Columns(("employee_id", "name"))


def test_a_header_is_matched_in_any_order_with_renames_and_extra_columns() -> None:
    header = read_header(
        "a.csv", ["host", "login", "when"], LOG, mapping={"login": "user", "when": "timestamp"}
    )
    assert header.positions == {"timestamp": 2, "user": 1, "records": None}
    assert header.names == {"timestamp": "when", "user": "login", "records": "records"}


@pytest.mark.parametrize(
    ("header", "columns", "code", "message"),
    [
        (["timestamp"], LOG, Code.HEADER, "expected the header row timestamp, user, records "
         "(records optional); missing user; found timestamp"),
        (["name", "employee_id", "age"], PEOPLE, Code.HEADER,
         "expected the header row employee_id, name; unknown age; found name, employee_id, age"),
        (["name", "name", "employee_id"], PEOPLE, Code.DUPLICATE_COLUMN,
         "column 'name' appears twice"),
        ([], PEOPLE, Code.HEADER, "expected the header row employee_id, name; "
         "missing employee_id, name; found nothing"),
    ],
)  # fmt: skip
def test_a_header_problem_says_what_is_missing_unknown_or_twice(header, columns, code, message):
    with pytest.raises(TableError) as error:
        read_header("t.csv", header, columns, line=1)
    assert (error.value.detail.code, str(error.value)) == (code, f"t.csv: line 1: {message}")


def test_a_rename_of_a_column_the_file_lacks_is_refused() -> None:
    with pytest.raises(TableError, match="--map names column 'login', which is not in") as error:
        read_header("t.csv", ["timestamp", "user"], LOG, mapping={"login": "user"})
    assert error.value.detail.code == Code.MAPPING


def test_a_problem_renders_todays_english_from_its_fields() -> None:
    problem = Problem(
        "r.xlsx", Code.VALUE, "expected a date YYYY-MM-DD, found 'x'", 3, "employed_from",
        expected="YYYY-MM-DD", found="x", sheet="people",
    )  # fmt: skip
    assert str(problem) == (
        "r.xlsx: sheet people, row 3, column employed_from: expected a date YYYY-MM-DD, found 'x'"
    )
    error = TableError.of(problem)
    assert (str(error), error.detail) == (str(problem), problem)
    assert (error.file, error.line, error.column, error.code) == (
        "r.xlsx", 3, "employed_from", Code.VALUE,
    )  # fmt: skip
