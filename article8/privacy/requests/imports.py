"""Importing requests from individuals: a CSV (UTF-8 or CP932) or an XLSX sheet "requests".

The whole file is read and every row checked before the database is touched; one refusal names
every bad row (line, column, what was expected), and then nothing is stored. Each stored row is
recorded like a request entered on the page, and the import itself once more.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from article8.core import audit, vocabulary
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
from article8.privacy.requests import services
from article8.privacy.requests.errors import RequestFileError
from article8.privacy.requests.services import Deadlines, RequestInput

COLUMNS = (
    "kind",
    "channel",
    "received_at",
    "requester_name",
    "requester_contact",
    "agent_kind",
    "agent_name",
    "disclosure_method",
    "fee_yen",
    "data_concerned",
)
OPTIONAL = COLUMNS[4:]
SHEET = "requests"
TABLE = Columns(COLUMNS, optional=OPTIONAL)
# The kinds as a Japanese register names them, besides the codes.
KIND_NAMES = {
    "利用目的の通知": "purpose_notice",
    "開示": "disclosure",
    "第三者提供記録の開示": "provision_record_disclosure",
    "訂正等": "correction",
    "利用停止等": "suspension",
    "第三者提供の停止": "provision_stop",
}
FREE_TEXT = ("data_concerned",)


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
    ) -> RequestFileError:
        return RequestFileError(
            self.file,
            problem,
            code=code,
            line=self.line,
            sheet=self.sheet,
            column=column,
            expected=expected,
            found=self.values.get(column) if column else None,
        )


@dataclass
class RequestFile:
    """The checked rows of one file, ready to store."""

    filename: str
    rows: list[tuple[_Row, RequestInput]] = field(default_factory=list)
    encoding: str | None = None


def read_requests(
    stream: BinaryIO,
    filename: str,
    *,
    tz: ZoneInfo,
    now: datetime,
    limits: WorkbookLimits | None = None,
) -> RequestFile:
    """Read and check every row; no database involved. Raise one error naming every problem."""
    read = RequestFile(filename)
    is_xlsx = stream.read(4) == b"PK\x03\x04"
    stream.seek(0)
    if is_xlsx:
        rows: Iterable[_Row | RequestFileError] = _xlsx_rows(stream, filename, limits)
    else:
        text = text_lines(stream, filename, RequestFileError)
        rows = _csv_rows(text, filename)
    problems = Problems()
    for row in rows:
        try:
            if isinstance(row, RequestFileError):
                raise row
            read.rows.append((row, _request(row, tz=tz, now=now)))
        except RequestFileError as error:
            problems.add(error.detail)
    if problems:
        raise RequestFileError.of_all(problems)
    if not read.rows:
        raise RequestFileError(filename, Phrase(N_("contains no rows to import")), code=Code.EMPTY)
    if not is_xlsx:
        read.encoding = text.encoding
    return read


def store_requests(
    session: Session, read: RequestFile, *, actor: Actor, now: datetime, deadlines: Deadlines
) -> list[int]:
    """Store the checked rows in the caller's transaction (flushes); the new requests' ids."""
    ids = []
    for row, data in read.rows:
        try:
            ids.append(services.receive(session, actor, data, now=now, deadlines=deadlines).id)
        except ValidationError as error:
            raise row.fail(error.field, Phrase(error.template, **error.params)) from None
    audit.record(
        session,
        actor,
        "request.import",
        now=now,
        object_type="privacy_request",
        details={"file": read.filename, "requests": ids},
    )
    return ids


# --- one row -----------------------------------------------------------------------------------


def _request(row: _Row, *, tz: ZoneInfo, now: datetime) -> RequestInput:
    values = row.values
    for column in ("kind", "channel", "received_at", "requester_name"):
        if not values[column]:
            raise row.fail(column, Phrase(N_("expected a value, found nothing")), Code.VALUE)
    kind = KIND_NAMES.get(values["kind"], values["kind"])
    if kind not in vocabulary.REQUEST_KINDS:
        raise row.fail(
            "kind",
            Phrase(
                N_("expected one of %(allowed)s"), allowed=", ".join(vocabulary.REQUEST_KINDS.codes)
            ),
            Code.VALUE,
            " | ".join(vocabulary.REQUEST_KINDS.codes),
        )
    for column, terms in (
        ("channel", vocabulary.CHANNELS),
        ("agent_kind", vocabulary.AGENT_KINDS),
        ("disclosure_method", vocabulary.DISCLOSURE_METHODS),
    ):
        if values[column] and values[column] not in terms:
            raise row.fail(
                column,
                Phrase(N_("expected one of %(allowed)s"), allowed=", ".join(terms.codes)),
                Code.VALUE,
                " | ".join(terms.codes),
            )
    fee: int | None = None
    if values["fee_yen"]:
        if not values["fee_yen"].isdigit() or len(values["fee_yen"]) > 9:
            raise row.fail(
                "fee_yen", Phrase(N_("expected a whole number of yen")), Code.VALUE, "0-999999999"
            )
        fee = int(values["fee_yen"])
    data = RequestInput(
        kind=kind,
        channel=values["channel"],
        received_at=_instant(row, tz),
        requester_name=values["requester_name"],
        requester_contact=values["requester_contact"],
        agent_kind=values["agent_kind"] or None,
        agent_name=values["agent_name"] or None,
        disclosure_method=values["disclosure_method"] or None,
        fee_yen=fee,
        fee_state="charged" if fee is not None else None,
        data_concerned=values["data_concerned"],
    )
    try:
        services.check_input(data, now=now)
    except ValidationError as error:
        raise row.fail(error.field, Phrase(error.template, **error.params)) from None
    return data


def _instant(row: _Row, tz: ZoneInfo) -> datetime:
    """``2024/04/01 10:30``, ``2024-04-01T10:30``, or a day alone (taken as 00:00), local time."""
    raw = row.values["received_at"].replace("T", " ")
    day_part, _sep, time_part = raw.partition(" ")
    try:
        day = parse_date(day_part, slashes=True)
        at = time.fromisoformat(time_part.strip()) if time_part.strip() else time(0, 0)
    except ValueError:
        raise row.fail(
            "received_at",
            Phrase(
                N_("expected a date and time YYYY-MM-DD HH:MM, found %(value)s"), value=repr(raw)
            ),
            Code.VALUE,
            "YYYY-MM-DD HH:MM",
        ) from None
    if at.tzinfo is not None:
        return datetime.combine(day, at)
    return datetime.combine(day, at, tzinfo=tz)


# --- reading -----------------------------------------------------------------------------------


def _row(
    filename: str, line: int, sheet: str | None, cells: dict[str, str]
) -> _Row | RequestFileError:
    row = _Row(filename, line, sheet, cells)
    for column, value in cells.items():
        problem = control_character(value, free_text=column in FREE_TEXT)
        if problem is not None:
            return row.fail(column, problem, Code.CONTROL_CHARACTER)
    return row


def _csv_rows(lines: Iterable[str], filename: str) -> Iterator[_Row | RequestFileError]:
    records = csv_records(lines, filename, RequestFileError)
    first = next(((n, values) for n, values in records if not blank(values)), None)
    if first is None:
        raise RequestFileError(
            filename, Phrase(N_("is empty; expected a header row")), code=Code.EMPTY
        )
    line, header = first[0], [h.strip() for h in first[1]]
    missing = [c for c in TABLE.required if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        found = ",".join(header) or "nothing"
        raise RequestFileError(
            filename,
            Phrase(
                N_("expected the header %(expected)s; found %(found)s"),
                expected=",".join(COLUMNS),
                found=found,
            ),
            code=Code.HEADER,
            line=line,
            expected=",".join(COLUMNS),
            found=found,
        )
    for line, values in records:
        if blank(values):
            continue
        if len(values) != len(header):
            yield RequestFileError.of(width_problem(filename, line, len(values), len(header)))
            continue
        cells = dict.fromkeys(COLUMNS, "")
        cells.update({h: v.strip() for h, v in zip(header, values, strict=True)})
        yield _row(filename, line, None, cells)


def _xlsx_rows(
    stream: BinaryIO, filename: str, limits: WorkbookLimits | None
) -> Iterator[_Row | RequestFileError]:
    try:
        with open_workbook(stream, filename, limits) as workbook:
            if SHEET not in workbook.sheetnames:
                raise RequestFileError(
                    filename, Phrase(N_("expected a sheet named requests")), code=Code.EMPTY
                )
            with closing(sheet_rows(workbook, SHEET, TABLE)) as rows:
                for number, values in rows:
                    cells = {column: _cell(v) for column, v in values.items()}
                    yield _row(filename, number, SHEET, cells)
    except WorkbookRefused as refused:
        raise RequestFileError(filename, refused.reason, code=Code.UNREADABLE) from None
    except TableError as error:
        if isinstance(error, RequestFileError):
            raise
        raise RequestFileError.of(error.detail) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
