"""Reading access-log files: CSV with a header or JSON Lines, renamed columns, row checks.

Parsing is the hot path of a million-line import, so the row parsers are closures over column
positions with everything they touch bound locally (and times go through LocalCalendar's caches).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, BinaryIO

from article8.access.columns import LOGS, names
from article8.access.errors import AccessLogError, RowProblem
from article8.access.jsonline import LongNumber, json_parser, long_number
from article8.access.localtime import LocalCalendar
from article8.access.models import (
    ENTRY_DIRECTIONS,
    ENTRY_RESULTS,
    IP_LENGTH,
    NAME_LENGTH,
    SYSTEM_ACTIONS,
    SYSTEM_RESULTS,
)
from article8.core.errors import N_, Phrase
from article8.core.guarded import control_character
from article8.core.tabular import (
    Code,
    Columns,
    TextLines,
    csv_records,
    read_header,
    text_lines,
)

FIELDS = {kind: names(columns) for kind, columns in LOGS.items()}
# Fields with a default may be left out of the file altogether.
DEFAULTS = {
    kind: {column.name: column.default for column in columns if column.default is not None}
    for kind, columns in LOGS.items()
}
# The header of a CSV log: columns the log has and article8 does not need are ignored.
COLUMNS = {
    kind: Columns(
        fields,
        tuple(DEFAULTS[kind]),
        others_allowed=True,
        hint=Phrase(N_("(use --map COLUMN=FIELD for columns named differently)")),
    )
    for kind, fields in FIELDS.items()
}
MAX_RECORDS = 2_000_000_000
_IP_CACHE = 50_000
# C0 and C1 controls and DEL: no field of a log is free text, so none may hold one.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

# What an event row holds, in the order of INSERT_COLUMNS in ingest.py.
Row = tuple[Any, ...]
Parser = Callable[[list[str], int], Row]
# (line number, values in the file's column order, the raw record, a problem found reading it)
Line = tuple[int, list[str], list[str] | str, RowProblem | None]
People = Mapping[str, tuple[int, str]]


def _name_problem(value: str, field: str) -> RowProblem:
    if not value:
        return RowProblem(field, Phrase(N_("expected a value, found nothing")))
    return RowProblem(field, _too_long())


def _too_long() -> Phrase:
    return Phrase(N_("is longer than %(limit)d characters"), limit=NAME_LENGTH)


def _choice(value: str, field: str, allowed: tuple[str, ...]) -> RowProblem:
    shown = repr(value) if value else "nothing"
    expected = ", ".join(allowed)
    problem = Phrase(
        N_("expected one of %(expected)s, found %(found)s"), expected=expected, found=shown
    )
    return RowProblem(field, problem, expected=expected, found=value)


def system_parser(
    positions: Mapping[str, int | None], calendar: LocalCalendar, people: People, batch_id: int
) -> Parser:
    """A parser of system-access lines into event rows."""
    at, i_user, i_system, i_action, i_ip = (
        _required(positions, f) for f in ("timestamp", "user", "system", "action", "source_ip")
    )
    i_records, i_result = positions["records"], positions["result"]
    columns, resolve = calendar.columns, people.get
    actions, results = frozenset(SYSTEM_ACTIONS), frozenset(SYSTEM_RESULTS)
    known_ips: set[str] = set()

    def parse(values: list[str], line: int) -> Row:
        occurred, epoch, day, minute, business = columns(values[at])
        user = values[i_user].strip()
        system = values[i_system].strip()
        if not 0 < len(user) <= NAME_LENGTH:
            raise _name_problem(user, "user")
        if not 0 < len(system) <= NAME_LENGTH:
            raise _name_problem(system, "system")
        action = values[i_action].strip()
        if action not in actions:
            raise _choice(action, "action", SYSTEM_ACTIONS)
        records = 0
        if i_records is not None and (text := values[i_records].strip()):
            try:
                records = int(text)
            except ValueError:
                records = -1
            if not 0 <= records <= MAX_RECORDS:
                problem = Phrase(
                    N_("expected a whole number ≥ 0, found %(found)s"), found=repr(text)
                )
                raise RowProblem("records", problem)
        ip = values[i_ip].strip() or None
        if ip is not None and ip not in known_ips:
            _check_ip(ip)
            if len(known_ips) < _IP_CACHE:
                known_ips.add(ip)
        result = (values[i_result].strip() or "ok") if i_result is not None else "ok"
        if result not in results:
            raise _choice(result, "result", SYSTEM_RESULTS)
        handler_id, key = resolve(user) or (None, "u:" + user)
        return (
            batch_id, line, "system", occurred, epoch, day, minute, business, user, handler_id,
            key, system, action, records, ip, None, None, None, result,
        )  # fmt: skip

    return parse


def entry_parser(
    positions: Mapping[str, int | None], calendar: LocalCalendar, people: People, batch_id: int
) -> Parser:
    """A parser of entry/exit lines into event rows."""
    at, i_person, i_area, i_door, i_direction = (
        _required(positions, f) for f in FIELDS["entry"][:5]
    )
    i_result = positions["result"]
    columns, resolve = calendar.columns, people.get
    directions, results = frozenset(ENTRY_DIRECTIONS), frozenset(ENTRY_RESULTS)

    def parse(values: list[str], line: int) -> Row:
        occurred, epoch, day, minute, business = columns(values[at])
        person = values[i_person].strip()
        area = values[i_area].strip()
        if not 0 < len(person) <= NAME_LENGTH:
            raise _name_problem(person, "person")
        if not 0 < len(area) <= NAME_LENGTH:
            raise _name_problem(area, "area")
        door = values[i_door].strip() or None
        if door is not None and len(door) > NAME_LENGTH:
            raise RowProblem("door", _too_long())
        direction = values[i_direction].strip()
        if direction not in directions:
            raise _choice(direction, "direction", ENTRY_DIRECTIONS)
        result = (values[i_result].strip() or "granted") if i_result is not None else "granted"
        if result not in results:
            raise _choice(result, "result", ENTRY_RESULTS)
        handler_id, key = resolve(person) or (None, "u:" + person)
        return (
            batch_id, line, "entry", occurred, epoch, day, minute, business, person, handler_id,
            key, None, None, None, None, area, door, direction, result,
        )  # fmt: skip

    return parse


PARSERS = {"system": system_parser, "entry": entry_parser}


def _required(positions: Mapping[str, int | None], field: str) -> int:
    position = positions[field]
    if position is None:  # the header check makes this unreachable
        raise ValueError(f"no column for the required field {field}")
    return position


def _check_ip(ip: str) -> None:
    if len(ip) > IP_LENGTH:
        raise RowProblem(
            "source_ip", Phrase(N_("is longer than %(limit)d characters"), limit=IP_LENGTH)
        )
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        problem = Phrase(N_("expected an IP address, found %(found)s"), found=repr(ip))
        raise RowProblem("source_ip", problem) from None


# --- sources ---------------------------------------------------------------------------------


@dataclass
class LogSource:
    """The lines of one log file as value lists, with where each field is found."""

    filename: str
    kind: str
    positions: dict[str, int | None]
    # The file's own name for each field (a --map may rename), for messages.
    names: dict[str, str]
    # The columns a rejects file repeats after line, column and problem.
    reject_header: list[str]
    lines: Iterator[Line]
    part: str = "column"
    # The text the lines are read from: its encoding is known once they have been read.
    text: TextLines | None = None

    @property
    def encoding(self) -> str | None:
        """The encoding the file was read in (UTF-8, UTF-8 with a BOM, or CP932)."""
        return self.text.encoding if self.text is not None else None


def open_log(stream: BinaryIO, filename: str, kind: str, mapping: Mapping[str, str]) -> LogSource:
    """Recognise CSV or JSON Lines from the first line and check the header (CSV)."""
    fields = FIELDS[kind]
    bad = [f for f in mapping.values() if f not in fields]
    if bad:
        raise AccessLogError(
            filename,
            Phrase(
                N_(
                    "--map names %(field)s, which is not a field of %(kind)s logs; "
                    "expected one of %(fields)s"
                ),
                field=repr(bad[0]),
                kind=kind,
                fields=", ".join(fields),
            ),
            code=Code.MAPPING,
            expected=", ".join(fields),
            found=bad[0],
        )
    text = text_lines(stream, filename, AccessLogError)
    decoded = iter(text)
    blank = []
    for first in decoded:
        if first.strip():
            break
        blank.append(first)
    else:
        raise AccessLogError(
            filename, Phrase(N_("is empty; expected a CSV header or JSON Lines")), code=Code.EMPTY
        )
    # Leading blank lines go through too, so that line numbers stay those of the file.
    lines = chain(blank, [first], decoded)
    if first.lstrip().startswith("{"):
        source = _json_lines(lines, filename, kind, mapping)
    else:
        source = _csv(lines, filename, kind, mapping)
    source.text = text
    return source


def _csv(lines: Iterator[str], filename: str, kind: str, mapping: Mapping[str, str]) -> LogSource:
    records = csv_records(lines, filename, AccessLogError)
    line, first = next(records, (1, []))
    header = read_header(
        filename, first, COLUMNS[kind], line=line, mapping=mapping, error=AccessLogError
    )
    # Optional fields the file leaves out have no position (the parsers use their defaults).
    return LogSource(
        filename,
        kind,
        header.positions,
        header.names,
        header.found,
        _csv_lines(records, header.found),
    )


def _csv_lines(records: Iterator[tuple[int, list[str]]], header: list[str]) -> Iterator[Line]:
    width = len(header)
    search = _CONTROL.search
    for line, values in records:
        if len(values) == width:
            # One search over the joined values; the column is looked for only on a hit.
            problem = _control_problem(values, header) if search("".join(values)) else None
            yield line, values, values, problem
        elif any(v.strip() for v in values):
            problem = RowProblem(
                None,
                Phrase(
                    N_("has %(found)s values; the header has %(expected)s"),
                    found=len(values),
                    expected=width,
                ),
                Code.WIDTH,
            )
            yield line, values, values, problem


def _json_lines(
    lines: Iterator[str], filename: str, kind: str, mapping: Mapping[str, str]
) -> LogSource:
    fields = FIELDS[kind]
    source_key = {f: f for f in fields} | {field: key for key, field in mapping.items()}
    positions: dict[str, int | None] = {f: i for i, f in enumerate(fields)}
    defaults = DEFAULTS[kind]

    long_numbers: list[str] = []
    parse = json_parser(long_numbers)

    def values(obj: Any, line: str) -> list[str]:
        if not isinstance(obj, dict):
            raise RowProblem(None, Phrase(N_("expected a JSON object")))
        if long_numbers:
            keys = [k for k, v in obj.items() if isinstance(v, LongNumber)]
            raise RowProblem(keys[0] if keys else None, long_number(long_numbers[0]))
        out = []
        for field in fields:
            value = obj.get(source_key[field])
            if value is None:
                value = defaults.get(field, "")
            elif isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            elif not isinstance(value, str):
                shown = json.dumps(value)[:40]
                raise RowProblem(field, Phrase(N_("expected text, found %(found)s"), found=shown))
            out.append(value)
        # Control characters come raw (allowed by strict=False) or escaped (a backslash).
        if "\\" in line or _CONTROL.search(line.rstrip("\r\n")):
            problem = _control_problem(out, list(fields))
            if problem is not None:
                raise problem
        return out

    def read() -> Iterator[Line]:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            long_numbers.clear()
            try:
                yield number, values(parse(line), line), line, None
            except json.JSONDecodeError as error:
                reason = Phrase(N_("is not valid JSON: %(reason)s"), reason=error.msg)
                problem = RowProblem(None, reason, Code.UNREADABLE)
                yield number, [], line, problem
            except RowProblem as problem:
                yield number, [], line, problem

    names = {field: source_key[field] for field in fields}
    return LogSource(filename, kind, positions, names, ["record"], read(), part="field")


# --- hostile input ---------------------------------------------------------------------------


def _control_problem(values: list[str], names: list[str]) -> RowProblem | None:
    """The first value holding a control character, named by its column or field."""
    for value, name in zip(values, names, strict=False):
        problem = control_character(value)
        if problem is not None:
            return RowProblem(name, problem, Code.CONTROL_CHARACTER)
    return None
