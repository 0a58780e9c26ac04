"""Importing the handler register: a CSV of people or of authorisations, or an XLSX of both.

The whole file is read and checked before the database is touched (:func:`read_register` takes
no session, so on SQLite no write lock is held while a file is parsed), and the rows are then
stored in the caller's transaction, so a bad row changes nothing. Re-importing updates people
(keyed by employee id) and authorisations (keyed by employee, kind and target); nothing is
deleted.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.access.errors import RegisterFileError
from article8.access.logformat import text_lines
from article8.access.models import LIST_SEPARATOR, Handler
from article8.access.register import (
    AuthorisationInput,
    PersonInput,
    RegisterReport,
    check_authorisation,
    check_person,
    person_snapshot,
    release_aliases,
    save_authorisation,
    store_person,
)
from article8.core import audit
from article8.core.audit import Actor
from article8.core.errors import Phrase, ValidationError
from article8.core.guarded import WorkbookLimits, WorkbookRefused, control_character, open_workbook

PEOPLE_COLUMNS = ("employee_id", "name", "department", "employed_from", "employed_until", "aliases")
AUTHORISATION_COLUMNS = ("employee_id", "kind", "target", "actions", "valid_from", "valid_until")
SHEETS = {"people": PEOPLE_COLUMNS, "authorisations": AUTHORISATION_COLUMNS}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class _Row:
    """One data row, with typed access that names the cell on bad input."""

    file: str
    where: str
    values: dict[str, str]

    def fail(self, column: str | None, problem: str | Phrase) -> RegisterFileError:
        return RegisterFileError(self.file, problem, where=self.where, column=column)

    def text(self, column: str) -> str:
        return self.values[column]

    def required(self, column: str) -> str:
        value = self.values[column]
        if not value:
            raise self.fail(column, "expected a value, found nothing")
        return value

    def items(self, column: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.values[column].split(LIST_SEPARATOR) if p.strip())

    def day(self, column: str, *, required: bool) -> date | None:
        value = self.values[column]
        if not value and not required:
            return None
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        raise self.fail(column, f"expected a date YYYY-MM-DD, found {value!r}")


PersonRows = list[tuple[_Row, PersonInput]]
AuthorisationRows = list[tuple[_Row, AuthorisationInput]]


@dataclass
class RegisterFile:
    """The checked rows of one register file, ready to store."""

    filename: str
    people: PersonRows = field(default_factory=list)
    grants: AuthorisationRows = field(default_factory=list)


def import_register(
    session: Session,
    stream: BinaryIO,
    *,
    filename: str,
    actor: Actor,
    now: datetime,
    limits: WorkbookLimits | None = None,
) -> RegisterReport:
    """Import people and/or authorisations from a CSV or XLSX file; all or nothing."""
    return store_register(session, read_register(stream, filename, limits), actor=actor, now=now)


def read_register(
    stream: BinaryIO, filename: str, limits: WorkbookLimits | None = None
) -> RegisterFile:
    """Read and check every row of a register file (CSV or XLSX); no database involved."""
    read = RegisterFile(filename)
    is_xlsx = stream.read(4) == b"PK\x03\x04"
    stream.seek(0)
    sheets = _xlsx_rows(stream, filename, limits) if is_xlsx else _csv_rows(stream, filename)
    for sheet, row in sheets:
        if sheet == "people":
            read.people.append((row, _person(row)))
        else:
            read.grants.append((row, _authorisation(row)))
    if not read.people and not read.grants:
        raise RegisterFileError(filename, "contains no rows to import")
    return read


def store_register(
    session: Session, read: RegisterFile, *, actor: Actor, now: datetime
) -> RegisterReport:
    """Store the rows :func:`read_register` checked, in the caller's transaction; flushes."""
    report = RegisterReport()
    _import_people(session, read.people, actor, now, report)
    _import_authorisations(session, read.grants, actor, now, report)
    audit.record(
        session,
        actor,
        "register.import",
        now=now,
        object_type="register",
        details={
            "file": read.filename,
            "people": report.people,
            "authorisations": report.authorisations,
        },
    )
    return report


def _person(row: _Row) -> PersonInput:
    data = PersonInput(
        employee_id=row.required("employee_id"),
        name=row.required("name"),
        department=row.text("department"),
        employed_from=row.day("employed_from", required=True) or date.min,
        employed_until=row.day("employed_until", required=False),
        aliases=row.items("aliases"),
    )
    try:
        check_person(data)
    except ValidationError as error:
        raise row.fail(error.field, Phrase(error.template, **error.params)) from None
    return data


def _authorisation(row: _Row) -> AuthorisationInput:
    data = AuthorisationInput(
        employee_id=row.required("employee_id"),
        kind=row.required("kind"),
        target=row.required("target"),
        actions=row.items("actions"),
        valid_from=row.day("valid_from", required=True) or date.min,
        valid_until=row.day("valid_until", required=False),
    )
    try:
        check_authorisation(data)
    except ValidationError as error:
        raise row.fail(error.field, Phrase(error.template, **error.params)) from None
    return data


# --- applying --------------------------------------------------------------------------------


def _import_people(
    session: Session, people: PersonRows, actor: Actor, now: datetime, report: RegisterReport
) -> None:
    ids: dict[str, _Row] = {}
    aliases: dict[str, tuple[str, _Row]] = {}
    for row, data in people:
        if data.employee_id in ids:
            raise row.fail(
                "employee_id", f"{data.employee_id} is also on {ids[data.employee_id].where}"
            )
        ids[data.employee_id] = row
        for alias in data.aliases:
            if alias in aliases:
                owner, other = aliases[alias]
                raise row.fail(
                    "aliases", f"alias {alias!r} is also given to {owner} on {other.where}"
                )
            aliases[alias] = (data.employee_id, row)
    for alias, (owner, row) in aliases.items():
        if alias in ids and alias != owner:
            raise row.fail("aliases", f"alias {alias!r} is the employee id on {ids[alias].where}")
    existing = {
        h.employee_id: h
        for h in session.scalars(
            select(Handler)
            .where(Handler.employee_id.in_(list(ids)))
            .options(selectinload(Handler.aliases))
        )
    }
    before = {employee_id: person_snapshot(h) for employee_id, h in existing.items()}
    # Release the aliases people give up first, so that an alias can move between two people
    # of the same file without ever belonging to both.
    for _row, data in people:
        if data.employee_id in existing:
            release_aliases(existing[data.employee_id], data.aliases)
    session.flush()
    for row, data in people:
        try:
            saved = store_person(
                session,
                actor,
                data,
                existing.get(data.employee_id),
                before.get(data.employee_id),
                now=now,
            )
        except ValidationError as error:
            raise row.fail(error.field, str(error)) from None
        report.people[saved.outcome] += 1


def _import_authorisations(
    session: Session, grants: AuthorisationRows, actor: Actor, now: datetime, report: RegisterReport
) -> None:
    keys: dict[tuple[str, str, str], _Row] = {}
    for row, data in grants:
        key = (data.employee_id, data.kind, data.target)
        if key in keys:
            raise row.fail("target", f"the same authorisation is also on {keys[key].where}")
        keys[key] = row
    for row, data in grants:
        try:
            saved = save_authorisation(session, actor, data, now=now)
        except ValidationError as error:
            problem = str(error)
            if error.field == "employee_id":
                problem += " (add the person to the people list first)"
            raise row.fail(error.field, problem) from None
        report.authorisations[saved.outcome] += 1


# --- reading files ---------------------------------------------------------------------------


def _row(filename: str, where: str, cells: dict[str, str]) -> _Row:
    """A row whose cells hold no control characters (no column of the register is free text)."""
    row = _Row(filename, where, cells)
    for column, value in cells.items():
        problem = control_character(value)
        if problem is not None:
            raise row.fail(column, problem)
    return row


def _csv_rows(stream: BinaryIO, filename: str) -> Iterator[tuple[str, _Row]]:
    reader = csv.reader(text_lines(stream, filename, RegisterFileError))
    try:
        for first in reader:
            if any(v.strip() for v in first):
                header = [h.strip() for h in first]
                break
        else:
            raise RegisterFileError(filename, "is empty; expected a header row")
        columns = _columns(filename, f"line {reader.line_num}", header)
        sheet = "people" if columns == PEOPLE_COLUMNS else "authorisations"
        for values in reader:
            where = f"line {reader.line_num}"
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise RegisterFileError(
                    filename, f"has {len(values)} values; the header has {len(header)}", where=where
                )
            cells = {h: v.strip() for h, v in zip(header, values, strict=True)}
            yield sheet, _row(filename, where, cells)
    except csv.Error as error:
        raise RegisterFileError(
            filename, f"cannot be read as CSV: {error}", where=f"line {reader.line_num}"
        ) from None


def _columns(filename: str, where: str, header: list[str]) -> tuple[str, ...]:
    for columns in (PEOPLE_COLUMNS, AUTHORISATION_COLUMNS):
        if sorted(header) == sorted(columns):
            return columns
    raise RegisterFileError(
        filename,
        f"expected the header {','.join(PEOPLE_COLUMNS)} (people) or "
        f"{','.join(AUTHORISATION_COLUMNS)} (authorisations); "
        f"found {','.join(header) or 'nothing'}",
        where=where,
    )


def _xlsx_rows(
    stream: BinaryIO, filename: str, limits: WorkbookLimits | None
) -> Iterator[tuple[str, _Row]]:
    try:
        with open_workbook(stream, filename, limits) as workbook:
            present = [name for name in SHEETS if name in workbook.sheetnames]
            if not present:
                raise RegisterFileError(
                    filename, "expected a sheet named people and/or authorisations"
                )
            for name in present:
                yield from _sheet_rows(workbook.rows(name, len(SHEETS[name])), filename, name)
    except WorkbookRefused as refused:
        raise RegisterFileError(filename, refused.reason) from None


def _sheet_rows(
    rows: Iterator[tuple[int, tuple[Any, ...]]], filename: str, name: str
) -> Iterator[tuple[str, _Row]]:
    header: list[str] = []
    for number, values in rows:
        cells = [_cell(v) for v in values]
        if not header:
            header = cells
            while header and not header[-1]:
                header.pop()
            where = f"sheet {name}, row {number}"
            if _columns(filename, where, header) != SHEETS[name]:
                raise RegisterFileError(
                    filename, f"expected the header {','.join(SHEETS[name])}", where=where
                )
            continue
        if any(cells):
            where = f"sheet {name}, row {number}"
            yield name, _row(filename, where, dict(zip(header, cells, strict=True)))
    if not header:
        raise RegisterFileError(
            filename, f"expected the header {','.join(SHEETS[name])}", where=f"sheet {name}, row 1"
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
