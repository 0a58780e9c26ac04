"""Importing provision and receipt records from a CSV (UTF-8 or CP932) or an XLSX file.

The file an export writes can be imported again: the same columns, in any order, some optional.
Every row is read and checked against the rules of the Act before the database is touched; a
refusal lists the problems of every row (line, column, what was expected), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.core.dates import parse_date
from article8.core.errors import N_, Phrase
from article8.core.guarded import WorkbookLimits, WorkbookRefused, control_character, open_workbook
from article8.core.tabular import (
    Code,
    Columns,
    Problems,
    TableError,
    blank,
    csv_records,
    read_header,
    sheet_rows,
    text_lines,
    width_problem,
)
from article8.core.xlsx import unescape_text
from article8.privacy.provisions.errors import ProvisionFileError, ProvisionInvalid
from article8.privacy.provisions.queries import COLUMNS
from article8.privacy.provisions.services import (
    ProvisionInput,
    check_provision,
    normalised,
    record_provision,
)

SHEET = "provisions"
REQUIRED = ("direction", "basis", "party_name")
TABLE = Columns(COLUMNS, optional=tuple(c for c in COLUMNS if c not in REQUIRED))
TRUE = frozenset({"yes", "true", "1", "y", "はい", "有", "あり", "済"})
FALSE = frozenset({"", "no", "false", "0", "n", "いいえ", "無", "なし"})
FREE_TEXT = frozenset(
    {"party_address", "individuals_description", "data_items", "consent_evidence", "note"}
    | {"foreign_information", "provider_acquisition"}
)


@dataclass(frozen=True)
class _Row:
    file: str
    line: int
    sheet: str | None
    values: dict[str, str]

    def fail(
        self,
        column: str | None,
        problem: str | Phrase,
        code: Code = Code.RULE,
        expected: str | None = None,
    ) -> ProvisionFileError:
        return ProvisionFileError(
            self.file,
            problem,
            code=code,
            line=self.line,
            sheet=self.sheet,
            column=column,
            expected=expected,
            found=self.values.get(column) if column else None,
        )

    def text(self, column: str) -> str:
        return self.values.get(column) or ""

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return parse_date(value, slashes=True)
        except ValueError:
            problem = Phrase(N_("expected a date YYYY-MM-DD, found %(value)s"), value=repr(value))
            raise self.fail(column, problem, Code.VALUE, "YYYY-MM-DD") from None

    def flag(self, column: str) -> bool:
        value = self.text(column).casefold()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        problem = Phrase(N_("expected yes or no, found %(value)s"), value=repr(value))
        raise self.fail(column, problem, Code.VALUE, "yes/no")

    def count(self, column: str) -> int | None:
        value = self.text(column).replace(",", "")
        if not value:
            return None
        if not value.isdigit():
            problem = Phrase(N_("expected a whole number, found %(value)s"), value=repr(value))
            raise self.fail(column, problem, Code.VALUE, "0, 1, 2, ...")
        return int(value)


@dataclass
class ProvisionFile:
    """The checked rows of one file, ready to store."""

    filename: str
    rows: list[ProvisionInput] = field(default_factory=list)
    encoding: str | None = None


def read_provisions(
    stream: BinaryIO, filename: str, limits: WorkbookLimits | None = None
) -> ProvisionFile:
    """Read and check every row (CSV or XLSX); no database involved. All problems at once."""
    read = ProvisionFile(filename)
    is_xlsx = stream.read(4) == b"PK\x03\x04"
    stream.seek(0)
    if is_xlsx:
        rows = _xlsx_rows(stream, filename, limits)
    else:
        text = text_lines(stream, filename, ProvisionFileError)
        rows = _csv_rows(text, filename)
    problems = Problems()
    for row in rows:
        try:
            if isinstance(row, ProvisionFileError):
                raise row
            read.rows.append(_input(row))
        except ProvisionFileError as error:
            problems.add(error.detail)
        except _RowProblems as found:
            for each in found.errors:
                problems.add(each.detail)
    if problems:
        raise ProvisionFileError.of_all(problems)
    if not is_xlsx:
        read.encoding = text.encoding
    if not read.rows:
        raise ProvisionFileError(
            filename, Phrase(N_("contains no rows to import")), code=Code.EMPTY
        )
    return read


def store_provisions(
    session: Session, read: ProvisionFile, *, actor: Actor, now: datetime, today: date
) -> int:
    """Store the rows :func:`read_provisions` checked, in the caller's transaction; flushes."""
    for data in read.rows:
        record_provision(session, actor, data, now=now, today=today)
    audit.record(
        session,
        actor,
        "provision.import",
        now=now,
        object_type="provision_record",
        details={"file": read.filename, "records": len(read.rows), "encoding": read.encoding},
    )
    return len(read.rows)


class _RowProblems(Exception):
    """Every problem of one row (each cell that cannot be read, or the rule it breaks)."""

    def __init__(self, errors: list[ProvisionFileError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _input(row: _Row) -> ProvisionInput:
    errors: list[ProvisionFileError] = []

    def cell(read: Any, column: str) -> Any:
        try:
            return read(column)
        except ProvisionFileError as error:
            errors.append(error)
            return None

    data = ProvisionInput(
        direction=row.text("direction"),
        basis=row.text("basis"),
        record_form=row.text("record_form") or None,
        party_name=row.text("party_name"),
        party_address=row.text("party_address"),
        party_representative=row.text("party_representative"),
        individuals_description=row.text("individuals_description"),
        individuals_count=cell(row.count, "individuals_count"),
        data_items=row.text("data_items"),
        consent_evidence=row.text("consent_evidence"),
        provided_on=cell(row.day, "provided_on"),
        last_provided_on=cell(row.day, "last_provided_on"),
        foreign_country=row.text("foreign_country"),
        foreign_information=row.text("foreign_information"),
        foreign_consent=bool(cell(row.flag, "foreign_consent")),
        provider_acquisition=row.text("provider_acquisition"),
        related_information=bool(cell(row.flag, "related_information")),
        related_consent_confirmed=bool(cell(row.flag, "related_consent_confirmed")),
        note=row.text("note"),
    )
    data = normalised(data)
    try:
        check_provision(data)
    except ProvisionInvalid as error:
        # A rule about a cell already reported as unreadable would only repeat it.
        if not any(e.column == error.field for e in errors):
            errors.append(row.fail(error.field, Phrase(error.template, **error.params)))
    if errors:
        raise _RowProblems(errors)
    return data


def _row(
    filename: str, line: int, sheet: str | None, cells: dict[str, str]
) -> _Row | ProvisionFileError:
    """A row, or what is wrong with it (the reader goes on to the next row)."""
    # An export quotes text that a spreadsheet would run as a formula; take the quote off again.
    row = _Row(filename, line, sheet, {k: unescape_text(v) for k, v in cells.items()})
    for column, value in cells.items():
        problem = control_character(value, free_text=column in FREE_TEXT)
        if problem is not None:
            return row.fail(column, problem, Code.CONTROL_CHARACTER)
    return row


def _csv_rows(lines: Iterable[str], filename: str) -> Iterator[_Row | ProvisionFileError]:
    records = csv_records(lines, filename, ProvisionFileError)
    first = next(((n, values) for n, values in records if not blank(values)), None)
    if first is None:
        raise ProvisionFileError(
            filename, Phrase(N_("is empty; expected a header row")), code=Code.EMPTY
        )
    line, header = first
    found = read_header(filename, header, TABLE, line=line, error=ProvisionFileError)
    places = [(name, at) for name, at in found.positions.items() if at is not None]
    for line, values in records:
        if blank(values):
            continue
        if len(values) != len(header):
            problem = width_problem(filename, line, len(values), len(header))
            yield ProvisionFileError.of(problem)
            continue
        yield _row(filename, line, None, {name: values[at].strip() for name, at in places})


def _xlsx_rows(
    stream: BinaryIO, filename: str, limits: WorkbookLimits | None
) -> Iterator[_Row | ProvisionFileError]:
    try:
        with open_workbook(stream, filename, limits) as workbook:
            if SHEET not in workbook.sheetnames:
                raise ProvisionFileError(
                    filename, Phrase(N_("expected a sheet named provisions")), code=Code.EMPTY
                )
            with closing(sheet_rows(workbook, SHEET, TABLE)) as rows:
                for number, values in rows:
                    cells = {column: _cell(v) for column, v in values.items()}
                    yield _row(filename, number, SHEET, cells)
    except WorkbookRefused as refused:
        raise ProvisionFileError(filename, refused.reason, code=Code.UNREADABLE) from None
    except TableError as error:
        if isinstance(error, ProvisionFileError):
            raise
        raise ProvisionFileError.of(error.detail) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
