"""The columns of every access-check import: one definition for the reader, the page and samples.

The readers take their column names, which are optional and the defaults from here; the values a
column allows are the same constants the row checks use. Import pages document each column from
these definitions, and the sample files are made of their examples.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from article8.access.models import (
    ALL_ACTIONS,
    AUTHORISATION_KINDS,
    ENTRY_DIRECTIONS,
    ENTRY_RESULTS,
    LIST_SEPARATOR,
    SYSTEM_ACTIONS,
    SYSTEM_RESULTS,
)
from article8.core.errors import N_
from article8.core.xlsx import header_cell, inert


@dataclass(frozen=True)
class Column:
    """One column of an import: what it holds (a marked phrase), the values allowed, examples."""

    name: str
    what: str
    required: bool
    # The only values allowed, where the column holds one of a fixed set.
    allowed: tuple[str, ...] = ()
    # Used when the column is left empty or out of the file (access logs).
    default: str | None = None
    # One value per example row (the sample files have these rows).
    examples: tuple[str, ...] = ()


def names(columns: Sequence[Column]) -> tuple[str, ...]:
    """The column names, in the order of a file."""
    return tuple(column.name for column in columns)


PEOPLE = (
    Column("employee_id", N_("Employee ID; keys the person."), True, examples=("E1001", "E1002")),
    Column("name", N_("Name."), True, examples=("田中 一郎", "髙橋 花子")),
    Column("department", N_("Department."), False, examples=("営業部", "人事部")),
    Column(
        "employed_from",
        N_("First day of employment. Date: 2024-04-01, 2024/4/1 or 2024年4月1日."),
        True,
        examples=("2020-04-01", "2019年4月1日"),
    ),
    Column(
        "employed_until",
        N_("Last day of employment; empty while employed. Same date forms."),
        False,
        examples=("", "2026/10/31"),
    ),
    Column(
        "aliases",
        N_("Other names in logs (user IDs, card numbers), separated by ';'."),
        False,
        examples=("tanaka;B-1001", "takahashi"),
    ),
)
AUTHORISATIONS = (
    Column("employee_id", N_("Employee ID of a person in the register."), True,
           examples=("E1001", "E1001", "E1002")),
    Column("kind", N_("What is authorised: a system, or an area."), True,
           allowed=AUTHORISATION_KINDS, examples=("system", "area", "system")),
    Column("target", N_("The system or area."), True,
           examples=("顧客管理", "サーバー室", "人事")),
    Column(
        "actions",
        N_("System actions separated by ';', or * for every action; empty for an area."),
        False,
        allowed=(ALL_ACTIONS, *SYSTEM_ACTIONS),
        examples=(f"view{LIST_SEPARATOR}search", "", ALL_ACTIONS),
    ),
    Column("valid_from", N_("First day of the authorisation. Same date forms."), True,
           examples=("2020-04-01", "2020/4/1", "2019年4月1日")),
    Column("valid_until", N_("Last day; empty when open-ended. Same date forms."), False,
           examples=("", "", "2026-10-31")),
)  # fmt: skip

SYSTEM = (
    Column(
        "timestamp",
        N_("Date and time: 2026-11-02T09:15:00+09:00, 2026-11-02 09:15:00 or 2026/11/02 9:15 "
           "(local time when there is no offset)."),
        True,
        examples=("2026-11-02T09:15:00+09:00", "2026/11/02 9:20"),
    ),
    Column("user", N_("User ID or name, as the system logs it (an employee ID or alias)."),
           True, examples=("tanaka", "takahashi")),
    Column("system", N_("The system."), True, examples=("顧客管理", "人事")),
    Column("action", N_("What the user did."), True, allowed=SYSTEM_ACTIONS,
           examples=("view", "export")),
    Column("records", N_("How many records; a whole number ≥ 0."), False, default="0",
           examples=("5", "1200")),
    Column("source_ip", N_("IP address the access came from."), False,
           examples=("10.0.0.1", "")),
    Column("result", N_("Whether the system allowed it."), False, allowed=SYSTEM_RESULTS,
           default="ok", examples=("ok", "ok")),
)  # fmt: skip
ENTRY = (
    Column("timestamp", SYSTEM[0].what, True,
           examples=("2026-11-02T08:55:00+09:00", "2026/11/02 18:10")),
    Column("person", N_("Card number or name, as the entry system logs it."), True,
           examples=("B-1001", "B-1001")),
    Column("area", N_("The area."), True, examples=("サーバー室", "サーバー室")),
    Column("door", N_("The door."), False, examples=("表口", "表口")),
    Column("direction", N_("In or out."), True, allowed=ENTRY_DIRECTIONS, examples=("in", "out")),
    Column("result", N_("Whether the door opened."), False, allowed=ENTRY_RESULTS,
           default="granted", examples=("granted", "granted")),
)  # fmt: skip

REGISTER = {"people": PEOPLE, "authorisations": AUTHORISATIONS}
LOGS = {"system": SYSTEM, "entry": ENTRY}


def sample_csv(columns: Sequence[Column], encoding: str) -> bytes:
    """A sample file: the header and the example rows, in ``encoding`` (utf-8 or cp932)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names(columns))
    writer.writerows(zip(*(column.examples for column in columns), strict=True))
    return out.getvalue().encode(encoding)


def sample_workbook() -> bytes:
    """A sample register workbook: the sheets people and authorisations with the examples."""
    workbook = Workbook(write_only=True)
    for sheet, columns in REGISTER.items():
        ws = workbook.create_sheet(sheet)
        ws.append([header_cell(ws, name) for name in names(columns)])
        for row in zip(*(column.examples for column in columns), strict=True):
            ws.append([inert(ws, value) if value else None for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
