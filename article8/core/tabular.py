"""Reading tables from files: CSV and XLSX, one way for every import.

CSV arrives as UTF-8, UTF-8 with a BOM, or CP932 (what Excel writes in a Japanese office); it is
decoded strictly, line by line, so that a file of a million lines is never held in memory.
Workbooks are opened only through :mod:`article8.core.guarded`. Headers are checked against the
columns an import expects (missing, unknown, duplicate, renamed by ``COLUMN=FIELD``), and every
problem is a :class:`Problem` with structured fields that any edge can translate and render.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, BinaryIO, Self

from article8.core.errors import N_, DomainError, Phrase, ValidationError
from article8.core.guarded import GuardedWorkbook, WorkbookRefused

# The problems of one file that are listed; the count says how many there were in all.
MAX_LISTED = 100
# A line is read whole: a hostile file could be one line of gigabytes.
MAX_LINE_BYTES = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
# Python's cp932 maps the bytes 0x80, 0xA0 and 0xFD-0xFF, which no Shift_JIS text holds, to
# these characters. 0x80 and 0xA0 may also be the second byte of a kanji, so a line with one of
# those bytes (a cheap test) is checked on its decoded text.
_NOT_SHIFT_JIS = re.compile("[\x80\uf8f0-\uf8f3]")
_ODD_BYTES = re.compile(b"[\x80\xa0\xfd-\xff]")


class Code(StrEnum):
    """What kind of problem a file has; the fixed set an edge may render its own way."""

    UNREADABLE = "unreadable"  # not CSV, not a readable workbook, over a workbook limit
    ENCODING = "encoding"  # neither UTF-8 nor CP932
    LINE_TOO_LONG = "line_too_long"
    EMPTY = "empty"  # no header, or no rows
    HEADER = "header"  # columns missing or unknown
    DUPLICATE_COLUMN = "duplicate_column"
    MAPPING = "mapping"  # a COLUMN=FIELD rename that does not fit the file
    WIDTH = "width"  # a row with more or fewer values than the header
    VALUE = "value"  # a value is not what the column holds (see expected, found)
    CONTROL_CHARACTER = "control_character"
    DUPLICATE_ROW = "duplicate_row"  # a row repeats the key of another
    RULE = "rule"  # the row breaks a rule of the domain (the message says which)


@dataclass(frozen=True)
class Problem:
    """What is wrong with a file and where: structured, with today's English as ``str()``."""

    file: str
    code: Code
    # What is wrong, as a translatable phrase (or English text from a domain rule).
    message: str | Phrase
    # The line of a text file, or the row of a sheet; None for the file as a whole.
    line: int | None = None
    column: str | None = None
    expected: str | None = None
    found: str | None = None
    sheet: str | None = None
    # JSON Lines have fields where CSV has columns.
    part: str = "column"

    @property
    def where(self) -> str | None:
        """The place inside the file, in English: ``line 3`` or ``sheet people, row 3``."""
        if self.sheet is not None:
            return f"sheet {self.sheet}, row {self.line}" if self.line else f"sheet {self.sheet}"
        return f"line {self.line}" if self.line is not None else None

    @property
    def place(self) -> str:
        """The file, the place and the column, as the English message starts."""
        place = self.file
        if self.where:
            place += f": {self.where}"
        if self.column:
            place += f", {self.part} {self.column}"
        return place

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


class TableError(DomainError):
    """A file cannot be read as the table it should be; ``detail`` says what and where."""

    def __init__(
        self,
        file: str,
        message: str | Phrase,
        *,
        code: Code = Code.RULE,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: str | None = None,
        sheet: str | None = None,
        part: str = "column",
    ) -> None:
        detail = Problem(file, code, message, line, column, expected, found, sheet, part)
        super().__init__(N_("%(place)s: %(problem)s"), place=detail.place, problem=message)
        self.detail = detail
        # The fields machine readers use (the API's error body, rejects files).
        self.file, self.where, self.column = file, detail.where, column
        self.line, self.code, self.problem = line, code, str(message)
        # Every problem of the file found so far (up to MAX_LISTED), and how many in all.
        self.problems, self.total = [detail], 1

    @classmethod
    def of_all(cls, problems: Problems) -> Self:
        """The error carrying every problem listed (the first is ``detail``) and the total."""
        error = cls.of(problems.listed[0])
        error.problems, error.total = list(problems.listed), problems.total
        return error

    @classmethod
    def of(cls, problem: Problem) -> Self:
        """The error carrying ``problem`` (re-raised as another kind of TableError)."""
        return cls(
            problem.file,
            problem.message,
            code=problem.code,
            line=problem.line,
            column=problem.column,
            expected=problem.expected,
            found=problem.found,
            sheet=problem.sheet,
            part=problem.part,
        )


@dataclass
class Problems:
    """The problems of one file: the first MAX_LISTED of them, and how many in all."""

    listed: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, problem: Problem) -> None:
        """Count ``problem``, and keep it while fewer than MAX_LISTED are kept."""
        self.total += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(problem)

    def __bool__(self) -> bool:
        return self.total > 0


# --- COLUMN=FIELD ----------------------------------------------------------------------------


class MappingError(ValidationError):
    """A column rename is not of the form COLUMN=FIELD; ``value`` is the entry at fault."""

    def __init__(self, value: str) -> None:
        super().__init__(N_("expected COLUMN=FIELD, found '%(value)s'"), field="map", value=value)
        self.value = value


def parse_mapping(entries: Iterable[str]) -> dict[str, str]:
    """Column renames from entries of ``COLUMN=FIELD`` (several per entry by comma or line)."""
    mapping: dict[str, str] = {}
    for entry in entries:
        for pair in entry.replace(",", "\n").splitlines():
            if not pair.strip():
                continue
            column, sep, target = pair.partition("=")
            if not sep or not column.strip() or not target.strip():
                raise MappingError(pair.strip()[:80])
            mapping[column.strip()] = target.strip()
    return mapping


# --- text ------------------------------------------------------------------------------------


class Encoding(StrEnum):
    """The encoding a text file was read in, as the result of an import says it."""

    UTF8 = "UTF-8"
    UTF8_BOM = "UTF-8 (BOM)"
    CP932 = "CP932 (Shift_JIS)"


class TextLines(Iterable[str]):
    """The lines of a text file, decoded; ``encoding`` says which encoding was found.

    ``encoding`` is UTF-8 until a line says otherwise (a BOM, or a line that is CP932). Every
    iteration continues the one generator, which callers get directly (no call per line here).
    """

    def __init__(self, lines: Callable[[TextLines], Iterator[str]]) -> None:
        self.encoding = Encoding.UTF8
        self._lines = lines(self)

    def __iter__(self) -> Iterator[str]:
        return self._lines


def text_lines(stream: BinaryIO, filename: str, error: type[TableError] = TableError) -> TextLines:
    """The lines of a text file in UTF-8 (a BOM is dropped) or CP932, decoded strictly.

    The file is UTF-8 until a line is not; if every earlier line was ASCII (the same in both)
    and that line is CP932, the rest is read as CP932. A line that fits neither is named, as
    is a line over 1 MiB.
    """
    return TextLines(lambda found: _decoded(stream, filename, error, found))


def _decoded(
    stream: BinaryIO, filename: str, error: type[TableError], found: TextLines
) -> Iterator[str]:
    # readline with a limit: a file without line breaks is never read into memory whole.
    raws = enumerate(_cr_lines(stream) if _ends_in_cr(stream) else _lf_lines(stream), 1)
    encoding = "utf-8"
    # While every line is ASCII the encoding is open; this is the hot path of a log import,
    # so each phase does as little per line as it can.
    for number, raw in raws:
        if len(raw) > MAX_LINE_BYTES:
            _check_length(raw, number, filename, error)
        if number == 1 and raw.startswith(_BOM):
            found.encoding = Encoding.UTF8_BOM
            yield _decode(raw[len(_BOM) :], encoding, number, filename, error)
            break  # a BOM declares UTF-8
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError:
            encoding = "cp932"
            found.encoding = Encoding.CP932
            yield _decode(raw, encoding, number, filename, error)
            break
        yield line
        if len(line) != len(raw):
            break  # a line of UTF-8 that is not ASCII: the file is UTF-8
    if encoding == "utf-8":
        for number, raw in raws:
            if len(raw) > MAX_LINE_BYTES:
                _check_length(raw, number, filename, error)
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _not_text(number, filename, error) from None
        return
    # str.decode looks the codec up on every call; a bound decoder costs half as much.
    decode, odd = codecs.getincrementaldecoder("cp932")().decode, _ODD_BYTES.search
    for number, raw in raws:
        if len(raw) > MAX_LINE_BYTES:
            _check_length(raw, number, filename, error)
        try:
            line = decode(raw, True)
        except UnicodeDecodeError:
            raise _not_text(number, filename, error) from None
        if odd(raw) is not None and _NOT_SHIFT_JIS.search(line):
            raise _not_text(number, filename, error)
        yield line


def _lf_lines(stream: BinaryIO) -> Iterator[bytes]:
    return iter(partial(stream.readline, MAX_LINE_BYTES + 2), b"")


def _ends_in_cr(stream: BinaryIO) -> bool:
    """Whether the file's lines end in a bare CR (classic Mac OS); peeks at the first line."""
    if not stream.seekable():
        return False
    start = stream.tell()
    first = stream.readline(MAX_LINE_BYTES + 2)
    stream.seek(start)
    return b"\r" in first.rstrip(b"\r\n")


def _cr_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The lines of a file whose lines end in CR, each ending in LF as the readers expect."""
    pending = b""
    while chunk := stream.read(1 << 16):
        pending += chunk
        *complete, pending = pending.split(b"\r")
        for line in complete:
            # A CRLF among the CRs leaves its LF at the start of the next piece.
            yield line.removeprefix(b"\n") + b"\n"
        if len(pending) > MAX_LINE_BYTES:
            yield pending  # refused by the length check
            return
    if pending.removeprefix(b"\n"):
        yield pending.removeprefix(b"\n")


def _check_length(raw: bytes, number: int, filename: str, error: type[TableError]) -> None:
    if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
        problem = Phrase(
            N_("is longer than %(limit)s bytes (1 MiB); nothing of the file was stored"),
            limit=MAX_LINE_BYTES,
        )
        raise error(filename, problem, code=Code.LINE_TOO_LONG, line=number)


def _decode(raw: bytes, encoding: str, number: int, filename: str, error: type[TableError]) -> str:
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError:
        raise _not_text(number, filename, error) from None
    if encoding == "cp932" and _NOT_SHIFT_JIS.search(line):
        raise _not_text(number, filename, error)
    return line


def _not_text(number: int, filename: str, error: type[TableError]) -> TableError:
    return error(
        filename,
        Phrase(N_("is not text in UTF-8 or CP932 (Shift_JIS)")),
        code=Code.ENCODING,
        line=number,
        expected="UTF-8 or CP932",
    )


def csv_records(
    lines: Iterable[str], filename: str, error: type[TableError] = TableError
) -> Iterator[tuple[int, list[str]]]:
    """(line number, values) of each CSV record that is not an empty line."""
    reader = csv.reader(lines)
    try:
        for values in reader:
            if values:
                yield reader.line_num, values
    except csv.Error as problem:
        raise error(
            filename,
            Phrase(N_("cannot be read as CSV: %(reason)s"), reason=str(problem)),
            code=Code.UNREADABLE,
            line=reader.line_num,
        ) from None


def blank(values: Sequence[Any]) -> bool:
    """Whether a record or row holds nothing but blanks."""
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def width_problem(filename: str, line: int, found: int, expected: int) -> Problem:
    """A record with another number of values than the header."""
    return Problem(
        filename,
        Code.WIDTH,
        Phrase(
            N_("has %(found)s values; the header has %(expected)s"), found=found, expected=expected
        ),
        line,
        expected=str(expected),
        found=str(found),
    )


# --- headers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """The columns a table has (in the order of an export), which are optional, and others."""

    names: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # Columns the file has and article8 does not need (access logs carry many).
    others_allowed: bool = False
    # Appended to a header problem (how to fix it at this edge).
    hint: str | Phrase = ""

    @property
    def required(self) -> tuple[str, ...]:
        """The columns a file must have."""
        return tuple(name for name in self.names if name not in self.optional)

    def fits(self, header: Sequence[str]) -> bool:
        """Whether ``header`` holds exactly these columns, in any order."""
        return sorted(header) == sorted(self.names)


@dataclass
class Header:
    """Where each column of a table is found in a file, and the file's own names for them."""

    positions: dict[str, int | None]
    names: dict[str, str] = field(default_factory=dict)
    found: list[str] = field(default_factory=list)


def read_header(
    file: str,
    header: Sequence[str],
    columns: Columns,
    *,
    line: int | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    error: type[TableError] = TableError,
) -> Header:
    """Match a header row to ``columns`` (after renames); a problem names what does not fit."""
    mapping = mapping or {}
    found = [str(h).strip() if h is not None else "" for h in header]

    def fail(code: Code, message: str | Phrase, **fields: str) -> TableError:
        return error(file, message, code=code, line=line, sheet=sheet, **fields)

    for column in mapping:
        if column not in found:
            raise fail(
                Code.MAPPING,
                Phrase(
                    N_("--map names column %(column)s, which is not in the header"),
                    column=repr(column),
                ),
            )
    positions: dict[str, int | None] = dict.fromkeys(columns.names)
    names = {name: name for name in columns.names}
    unknown: list[str] = []
    for index, column in enumerate(found):
        name = mapping.get(column, column)
        if name not in positions:
            # A column without a name holds nothing article8 could read (a sheet's blank cells).
            if column and not columns.others_allowed:
                unknown.append(column)
            continue
        if positions[name] is not None:
            if names[name] == column:
                raise fail(
                    Code.DUPLICATE_COLUMN,
                    Phrase(N_("column %(found)s appears twice"), found=repr(column)),
                    found=column,
                )
            raise fail(
                Code.DUPLICATE_COLUMN,
                Phrase(
                    N_("columns %(first)s and %(second)s both give the field %(field)s"),
                    first=repr(names[name]),
                    second=repr(column),
                    field=name,
                ),
                found=column,
            )
        positions[name], names[name] = index, column
    missing = [c for c in columns.required if positions[c] is None]
    if missing or unknown:
        expected = ", ".join(columns.names)
        message = Phrase(N_("expected the header row %(expected)s"), expected=expected)
        if columns.optional:
            message = Phrase(
                N_("%(message)s (%(optional)s optional)"),
                message=message,
                optional=", ".join(columns.optional),
            )
        if missing:
            message = Phrase(
                N_("%(message)s; missing %(missing)s"), message=message, missing=", ".join(missing)
            )
        if unknown:
            message = Phrase(
                N_("%(message)s; unknown %(unknown)s"), message=message, unknown=", ".join(unknown)
            )
        shown = ", ".join(found).rstrip(", ") or "nothing"
        message = Phrase(N_("%(message)s; found %(found)s"), message=message, found=shown)
        if columns.hint:
            message = Phrase(N_("%(message)s %(hint)s"), message=message, hint=columns.hint)
        raise fail(Code.HEADER, message, expected=expected, found=shown)
    return Header(positions, names, found)


# --- workbooks -------------------------------------------------------------------------------


def sheet_rows(
    workbook: GuardedWorkbook, sheet: str, columns: Columns
) -> Generator[tuple[int, dict[str, Any]], None, None]:
    """(row number, values by column) of each non-blank row after the checked header row.

    Close the iterator when done early: it holds the sheet's stream in the zip open.
    """
    rows = workbook.rows(sheet, len(columns.names))
    try:
        number, first = next(rows, (1, ()))
        header = read_header(workbook.filename, first, columns, line=number, sheet=sheet)
        places = [(name, at) for name, at in header.positions.items() if at is not None]
        for number, values in rows:
            if not blank(values):
                row = dict.fromkeys(columns.names)
                row.update((name, values[at]) for name, at in places)
                yield number, row
    except WorkbookRefused as refused:
        raise TableError(workbook.filename, refused.reason, code=Code.UNREADABLE) from None
    finally:
        rows.close()  # type: ignore[attr-defined]
