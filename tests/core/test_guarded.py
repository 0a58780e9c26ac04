"""Spreadsheet bombs are refused before they are parsed, by the one opener every reader uses.

The big bombs are read in a process of their own (``tests.bombs.refuse_in_subprocess``), which
reports the refusal and how much its peak memory grew: a refusal that names the limit and costs
no memory is one that never inflated the file.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from article8.core.errors import Phrase
from article8.core.guarded import (
    EXCEL_ROWS,
    WorkbookLimits,
    WorkbookRefused,
    control_character,
    open_workbook,
)
from article8.core.settings import Settings
from tests import bombs

# Far below what inflating any of these bombs would take (2 GiB, 64 MiB, millions of rows).
MAX_GROWTH_MIB = 100


@pytest.fixture(scope="session")
def bomb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the bombs are made, once per session."""
    return tmp_path_factory.mktemp("bombs")


@pytest.fixture(scope="session")
def unpacked_bomb(bomb_dir: Path) -> Path:
    """9 MB that unpack to 2 GiB."""
    return bombs.unpacked_bomb(bomb_dir / "2gib.xlsx")


@pytest.mark.parametrize("reader", ["register", "catalogue"])
def test_a_workbook_unpacking_to_2_gib_is_refused_from_its_zip_directory(
    unpacked_bomb: Path, reader: str
):
    refused = bombs.refuse_in_subprocess(reader, unpacked_bomb)
    assert refused["message"] == "2gib.xlsx: unpacks to 2049 MiB, more than the limit of 200 MiB"
    assert refused["grown_mib"] < MAX_GROWTH_MIB


def test_64_mib_of_empty_rows_packed_into_100_kb_is_refused_as_a_compression_bomb(
    bomb_dir: Path,
):
    path = bombs.empty_rows_bomb(bomb_dir / "empty-rows.xlsx")
    assert path.stat().st_size < 200_000
    refused = bombs.refuse_in_subprocess("register", path)
    assert refused["message"].startswith("empty-rows.xlsx: part xl/worksheets/sheet1.xml unpacks ")
    assert refused["message"].endswith("times its packed size, more than the limit of 100 "
                                       "(a compression bomb)")  # fmt: skip
    assert refused["grown_mib"] < MAX_GROWTH_MIB


def test_a_sheet_declaring_more_rows_than_excel_has_is_refused_before_reading_a_row(
    tmp_path: Path,
):
    path = bombs.declared_rows_bomb(tmp_path / "declared.xlsx", rows=2_000_000)
    with pytest.raises(WorkbookRefused) as refused, open_workbook(path, path.name) as book:
        next(book.rows("people", 6))
    assert str(refused.value) == (
        "declared.xlsx: sheet people declares 2000000 rows, more than the limit of 1048576"
    )


def test_rows_past_the_limit_stop_the_reading_there(tmp_path: Path):
    # Garbage follows row 1,500: a reader that went on past the limit would fail on it instead.
    path = bombs.rows_then_garbage(tmp_path / "long.xlsx", rows=1500)
    seen = []
    limits = WorkbookLimits(rows=1000)
    with pytest.raises(WorkbookRefused) as refused, open_workbook(path, path.name, limits) as book:
        seen.extend(number for number, _values in book.rows("people", 6))
    assert str(refused.value) == "long.xlsx: sheet people has more than 1000 rows; reading stopped"
    assert seen == list(range(1, 1001))


def test_the_default_row_limit_is_excel_s(tmp_path: Path):
    def one_row_too_far(part):
        part.write((bombs.header_row() + bombs.person_row(EXCEL_ROWS + 1)).encode())

    path = bombs.workbook(tmp_path / "far.xlsx", one_row_too_far)
    refused = pytest.raises(WorkbookRefused, match="has more than 1048576 rows")
    with refused, open_workbook(path, path.name) as book:
        list(book.rows("people", 6))


def test_a_dimension_smaller_than_the_sheet_does_not_hide_rows(tmp_path: Path):
    path = bombs.workbook(
        tmp_path / "small-dimension.xlsx",
        lambda part: part.write(
            (bombs.header_row() + "".join(bombs.person_row(r) for r in range(2, 21))).encode()
        ),
        dimension="A1:F5",
    )
    with open_workbook(path, path.name) as book:
        assert [number for number, _ in book.rows("people", 6)] == list(range(1, 21))


def test_a_zip_of_thousands_of_parts_is_refused(tmp_path: Path):
    path = bombs.many_parts(tmp_path / "parts.xlsx", parts=5000)
    with pytest.raises(WorkbookRefused) as refused, open_workbook(path, path.name):
        pass
    assert str(refused.value) == "parts.xlsx: holds more than 1000 parts"


def test_openpyxl_parses_with_defusedxml():
    # openpyxl chooses its XML parser at import: defusedxml when installed (a dependency).
    assert openpyxl.DEFUSEDXML is True


def test_entity_expansion_is_refused(tmp_path: Path):
    path = bombs.entity_bomb(tmp_path / "laughs.xlsx")
    refused = bombs.refuse_in_subprocess("register", path)
    assert refused["message"] == "laughs.xlsx: is not a readable Excel workbook (.xlsx)"
    assert refused["grown_mib"] < MAX_GROWTH_MIB


@pytest.mark.parametrize(
    "content", [b"", b"PK\x03\x04 not a zip", b"employee_id,name\n", b"\xd0\xcf\x11\xe0" * 200]
)
def test_what_is_not_a_workbook_is_refused_as_such(content: bytes):
    with pytest.raises(WorkbookRefused) as refused, open_workbook(io.BytesIO(content), "x.xlsx"):
        pass
    assert str(refused.value) == "x.xlsx: is not a readable Excel workbook (.xlsx)"


def test_rows_come_with_their_numbers_padded_to_the_table_and_empty_rows_left_out():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "people"
    sheet.append(["a", "b", "c"])
    sheet.append([])
    sheet.append(["x", None, None, None])
    sheet["B5"] = 2
    stream = io.BytesIO()
    workbook.save(stream)
    with open_workbook(stream, "t.xlsx") as book:
        assert book.sheetnames == ["people"]
        assert list(book.rows("people", 3)) == [
            (1, ("a", "b", "c")),
            (3, ("x", None, None)),
            (5, (None, 2, None)),
        ]


def test_a_value_right_of_the_table_is_refused_with_its_row_and_column():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "people"
    sheet.append(["a", "b"])
    sheet.append(["x", "y", "   "])  # a blank cell beyond the table is no value
    sheet["E3"] = "note"
    stream = io.BytesIO()
    workbook.save(stream)
    with pytest.raises(WorkbookRefused) as refused, open_workbook(stream, "t.xlsx") as book:
        list(book.rows("people", 2))
    assert str(refused.value) == (
        "t.xlsx: sheet people, row 3: column E is outside the table (the last column is B)"
    )


def test_the_limits_come_from_the_settings(tmp_path: Path):
    settings = Settings.from_env(
        {
            "ARTICLE8_INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "x",
            "ARTICLE8_IMPORT_MAX_UNPACKED_MB": "1",
            "ARTICLE8_IMPORT_MAX_ROWS": "500",
        }
    )
    limits = WorkbookLimits.from_settings(settings)
    assert (limits.unpacked_bytes, limits.rows) == (1024 * 1024, 500)
    path = bombs.empty_rows_bomb(tmp_path / "two.xlsx", mib=2)
    refused = pytest.raises(WorkbookRefused, match="unpacks to 3 MiB, more than the limit of 1 MiB")
    with refused, open_workbook(path, path.name, limits):
        pass


@pytest.mark.parametrize(
    ("text", "free_text", "found"),
    [
        ("plain 日本語 text", False, None),
        ("a\x00b", False, ("0000", 2)),
        ("tab\there", False, ("0009", 4)),
        ("two\nlines", False, ("000A", 4)),
        ("two\r\nlines\tand a tab", True, None),
        ("bell\x07", True, ("0007", 5)),
        ("del\x7f", False, ("007F", 4)),
        ("c1\x85", True, ("0085", 3)),
    ],
)
def test_control_characters_are_found_with_their_position(text, free_text, found):
    problem = control_character(text, free_text=free_text)
    if found is None:
        assert problem is None
    else:
        assert isinstance(problem, Phrase)
        code, position = found
        assert str(problem) == (f"contains the control character U+{code} at character {position}")
