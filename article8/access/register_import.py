"""Importing the handler register: a CSV of people or of authorisations, or an XLSX of both.

The whole file is read and checked before the database is touched (:func:`read_register` takes
no session, so on SQLite no write lock is held while a file is parsed), and the rows are then
stored in the caller's transaction, so a bad row changes nothing. Re-importing updates people
(keyed by employee id) and authorisations (keyed by employee, kind and target); nothing is
deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.access import columns
from article8.access.columns import names
from article8.access.errors import RegisterFileError
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
from article8.core.dates import parse_date
from article8.core.errors import N_, Phrase, ValidationError
from article8.core.guarded import WorkbookLimits, WorkbookRefused, control_character, open_workbook
from article8.core.tabular import (
    Code,
    Columns,
    Problems,
    TableError,
    blank,
    csv_records,
    sheet_rows,
    text_lines,
    width_problem,
)

PEOPLE_COLUMNS = names(columns.PEOPLE)
AUTHORISATION_COLUMNS = names(columns.AUTHORISATIONS)
SHEETS = {"people": Columns(PEOPLE_COLUMNS), "authorisations": Columns(AUTHORISATION_COLUMNS)}


@dataclass(frozen=True)
class _Row:
    """One data row, with typed access that names the cell on bad input."""

    file: str
    line: int
    sheet: str | None
    values: dict[str, str]

    @property
    def where(self) -> Phrase:
        if self.sheet:
            return Phrase(N_("sheet %(sheet)s, row %(line)d"), sheet=self.sheet, line=self.line)
        return Phrase(N_("line %(line)d"), line=self.line)

    def fail(
        self,
        column: str | None,
        problem: str | Phrase,
        code: Code = Code.RULE,
        expected: str | None = None,
    ) -> RegisterFileError:
        found = self.values.get(column) if column else None
        return RegisterFileError(
            self.file,
            problem,
            code=code,
            line=self.line,
            sheet=self.sheet,
            column=column,
            expected=expected,
            found=found,
        )

    def text(self, column: str) -> str:
        return self.values[column]

    def required(self, column: str) -> str:
        value = self.values[column]
        if not value:
            problem = Phrase(N_("expected a value, found nothing"))
            raise self.fail(column, problem, Code.VALUE)
        return value

    def items(self, column: str) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.values[column].split(LIST_SEPARATOR) if p.strip())

    def day(self, column: str, *, required: bool) -> date | None:
        value = self.values[column]
        if not value and not required:
            return None
        try:
            # Excel in a Japanese locale saves dates as 2024/04/01 or 2024/4/1.
            return parse_date(value, slashes=True)
        except ValueError:
            problem = Phrase(N_("expected a date YYYY-MM-DD, found %(value)s"), value=repr(value))
            raise self.fail(column, problem, Code.VALUE, "YYYY-MM-DD") from None


PersonRows = list[tuple[_Row, PersonInput]]
AuthorisationRows = list[tuple[_Row, AuthorisationInput]]


@dataclass
class RegisterFile:
    """The checked rows of one register file, ready to store."""

    filename: str
    people: PersonRows = field(default_factory=list)
    # The encoding a CSV was read in; None for a workbook.
    encoding: str | None = None
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
    """Read and check every row of a register file (CSV or XLSX); no database involved.

    A refusal lists the problems of every row (up to MAX_LISTED, with the total).
    """
    read = RegisterFile(filename)
    is_xlsx = stream.read(4) == b"PK\x03\x04"
    stream.seek(0)
    if is_xlsx:
        sheets = _xlsx_rows(stream, filename, limits)
    else:
        text = text_lines(stream, filename, RegisterFileError)
        sheets = _csv_rows(text, filename)
    # Every row is checked, so that one refusal names all the rows to fix.
    problems = Problems()
    for sheet, row in sheets:
        try:
            if isinstance(row, RegisterFileError):
                raise row
            if sheet == "people":
                read.people.append((row, _person(row)))
            else:
                read.grants.append((row, _authorisation(row)))
        except RegisterFileError as error:
            problems.add(error.detail)
    for clash in _clashes(read):
        problems.add(clash.detail)
    if problems:
        raise RegisterFileError.of_all(problems)
    if not is_xlsx:
        read.encoding = text.encoding
    if not read.people and not read.grants:
        raise RegisterFileError(filename, Phrase(N_("contains no rows to import")))
    return read


def store_register(
    session: Session, read: RegisterFile, *, actor: Actor, now: datetime
) -> RegisterReport:
    """Store the rows :func:`read_register` checked, in the caller's transaction; flushes."""
    report = RegisterReport(encoding=read.encoding)
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


def _clashes(read: RegisterFile) -> Iterator[RegisterFileError]:
    """Rows of the file that clash with earlier rows: an id, an alias or a grant twice."""
    ids: dict[str, _Row] = {}
    aliases: dict[str, tuple[str, _Row]] = {}
    for row, data in read.people:
        if data.employee_id in ids:
            yield row.fail(
                "employee_id",
                Phrase(
                    N_("%(id)s is also on %(where)s"),
                    id=data.employee_id,
                    where=ids[data.employee_id].where,
                ),
                Code.DUPLICATE_ROW,
            )
            continue
        ids[data.employee_id] = row
        for alias in data.aliases:
            if alias in aliases:
                owner, other = aliases[alias]
                yield row.fail(
                    "aliases",
                    Phrase(
                        N_("alias %(alias)s is also given to %(owner)s on %(where)s"),
                        alias=repr(alias),
                        owner=owner,
                        where=other.where,
                    ),
                    Code.DUPLICATE_ROW,
                )
            else:
                aliases[alias] = (data.employee_id, row)
    for alias, (owner, row) in aliases.items():
        if alias in ids and alias != owner:
            problem = Phrase(
                N_("alias %(alias)s is the employee id on %(where)s"),
                alias=repr(alias),
                where=ids[alias].where,
            )
            yield row.fail("aliases", problem)
    keys: dict[tuple[str, str, str], _Row] = {}
    for row, grant in read.grants:
        key = (grant.employee_id, grant.kind, grant.target)
        if key in keys:
            yield row.fail(
                "target",
                Phrase(N_("the same authorisation is also on %(where)s"), where=keys[key].where),
                Code.DUPLICATE_ROW,
            )
        else:
            keys[key] = row


# --- applying --------------------------------------------------------------------------------


def _import_people(
    session: Session, people: PersonRows, actor: Actor, now: datetime, report: RegisterReport
) -> None:
    ids = [data.employee_id for _row, data in people]
    existing = {
        h.employee_id: h
        for h in session.scalars(
            select(Handler)
            .where(Handler.employee_id.in_(ids))
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
            raise row.fail(error.field, Phrase(error.template, **error.params)) from None
        report.people[saved.outcome] += 1


def _import_authorisations(
    session: Session, grants: AuthorisationRows, actor: Actor, now: datetime, report: RegisterReport
) -> None:
    for row, data in grants:
        try:
            saved = save_authorisation(session, actor, data, now=now)
        except ValidationError as error:
            problem: str | Phrase = Phrase(error.template, **error.params)
            if error.field == "employee_id":
                problem = Phrase(
                    N_("%(problem)s (add the person to the people list first)"), problem=problem
                )
            raise row.fail(error.field, problem) from None
        report.authorisations[saved.outcome] += 1


# --- reading files ---------------------------------------------------------------------------


# A row, or what is wrong with it (the reader goes on to the next row).
_Read = tuple[str, "_Row | RegisterFileError"]


def _row(
    filename: str, line: int, sheet: str | None, cells: dict[str, str]
) -> _Row | RegisterFileError:
    """A row whose cells hold no control characters (no column of the register is free text)."""
    row = _Row(filename, line, sheet, cells)
    for column, value in cells.items():
        problem = control_character(value)
        if problem is not None:
            return row.fail(column, problem, Code.CONTROL_CHARACTER)
    return row


def _csv_rows(lines: Iterable[str], filename: str) -> Iterator[_Read]:
    records = csv_records(lines, filename, RegisterFileError)
    first = next(((n, values) for n, values in records if not blank(values)), None)
    if first is None:
        problem = Phrase(N_("is empty; expected a header row"))
        raise RegisterFileError(filename, problem, code=Code.EMPTY)
    line, header = first[0], [h.strip() for h in first[1]]
    sheet = next((name for name, columns in SHEETS.items() if columns.fits(header)), None)
    if sheet is None:
        expected = (
            f"{','.join(PEOPLE_COLUMNS)} (people) or "
            f"{','.join(AUTHORISATION_COLUMNS)} (authorisations)"
        )
        found = ",".join(header) or "nothing"
        raise RegisterFileError(
            filename,
            Phrase(
                N_("expected the header %(expected)s; found %(found)s"),
                expected=Phrase(
                    N_("%(people)s (people) or %(authorisations)s (authorisations)"),
                    people=",".join(PEOPLE_COLUMNS),
                    authorisations=",".join(AUTHORISATION_COLUMNS),
                ),
                found=found,
            ),
            code=Code.HEADER,
            line=line,
            expected=expected,
            found=found,
        )
    for line, values in records:
        if blank(values):
            continue
        if len(values) != len(header):
            yield (
                sheet,
                RegisterFileError.of(width_problem(filename, line, len(values), len(header))),
            )
            continue
        cells = {h: v.strip() for h, v in zip(header, values, strict=True)}
        yield sheet, _row(filename, line, None, cells)


def _xlsx_rows(stream: BinaryIO, filename: str, limits: WorkbookLimits | None) -> Iterator[_Read]:
    try:
        with open_workbook(stream, filename, limits) as workbook:
            present = [name for name in SHEETS if name in workbook.sheetnames]
            if not present:
                raise RegisterFileError(
                    filename,
                    Phrase(N_("expected a sheet named people and/or authorisations")),
                    code=Code.EMPTY,
                )
            for name in present:
                with closing(sheet_rows(workbook, name, SHEETS[name])) as rows:
                    for number, values in rows:
                        cells = {column: _cell(v) for column, v in values.items()}
                        yield name, _row(filename, number, name, cells)
    except WorkbookRefused as refused:
        raise RegisterFileError(filename, refused.reason, code=Code.UNREADABLE) from None
    except TableError as error:
        if isinstance(error, RegisterFileError):
            raise
        raise RegisterFileError.of(error.detail) from None


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
