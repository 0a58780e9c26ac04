"""The set-based import of a clean system log on PostgreSQL: COPY, then one INSERT … SELECT.

Parsing a million lines in Python costs many times what PostgreSQL's COPY does, so a system log
in CSV is first copied as it is into a temporary table of text columns, and one INSERT … SELECT
converts every value, resolves the names through the register and computes the local-calendar
columns. The statement accepts only what it can convert exactly as the line-by-line parser would
(logformat, localtime), and only the plain forms logs are written in; a value it does not accept
becomes NULL in a NOT NULL column, so one bad line fails the statement. Then everything this
path did is rolled back to its savepoint and the file goes through the line-by-line parser,
which stores it, refuses it with every bad line named (line, column, in the user's language) or
skips the bad lines (--skip-invalid): those guarantees live in one place. A file that is not
UTF-8, has blank lines, JSON Lines, or an entry log takes that path from the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, BinaryIO, cast

import psycopg
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from article8.access import partitions
from article8.access.localtime import LocalCalendar
from article8.access.logformat import MAX_RECORDS, LogSource
from article8.access.models import NAME_LENGTH, SYSTEM_ACTIONS, SYSTEM_RESULTS
from article8.core.calendar import is_business_day
from article8.core.tabular import Encoding

_BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 20
# What Python's str.strip() removes beyond [[:space:]]: such a value is left to the parser.
_SPACE = r"[[:space:]\u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]"
# The forms of a timestamp accepted here: 2026-11-24T10:00:00+09:00, with a space for the T,
# without seconds, with up to six digits of fraction, with Z or without an offset (local time).
# The query also checks hours < 24 and seconds < 60 (PostgreSQL would read 24:00 and :60 as the
# next ones); an impossible date fails the cast, and with it this path.
_STAMP = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?$"
_OFFSET = r"(Z|[+-][0-9]{2}:[0-9]{2})$"
_CONTROL = r"[\u0001-\u001f\u007f-\u009f]"
_REQUIRED = ("timestamp", "user", "system", "action", "source_ip")


@dataclass(frozen=True)
class Staged:
    """What the set-based load stored: how many events, on which local dates."""

    rows: int
    dates: set[date]
    encoding: str


def load_staged(
    session: Session,
    stream: BinaryIO,
    source: LogSource,
    *,
    batch_id: int,
    calendar: LocalCalendar,
    people: dict[str, tuple[int, str]],
) -> Staged | None:
    """Store a clean system log through COPY and one INSERT … SELECT; None when it is not.

    None means nothing was stored (this path rolled back to its savepoint): the caller reads
    the file line by line instead.
    """
    connection = session.connection()
    if not _eligible(connection, stream, source):
        return None
    stream.seek(0)
    bom = stream.read(len(_BOM)) == _BOM
    stream.seek(0)
    # A savepoint of its own, in SQL: the session's ORM state is not touched in between, and a
    # failed COPY leaves the connection in a state only ROLLBACK TO SAVEPOINT clears.
    connection.exec_driver_sql("SAVEPOINT access_staging")
    try:
        stored = _load(connection, stream, source, batch_id, calendar, people)
    except (DBAPIError, psycopg.Error, ValueError):
        # A value this path does not accept, or one COPY cannot read: the parser decides.
        stored = None
    if stored is None:
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT access_staging")
        connection.exec_driver_sql("RELEASE SAVEPOINT access_staging")
        return None
    connection.exec_driver_sql("RELEASE SAVEPOINT access_staging")
    rows, dates = stored
    return Staged(rows, dates, Encoding.UTF8_BOM if bom else Encoding.UTF8)


def _eligible(connection: Connection, stream: BinaryIO, source: LogSource) -> bool:
    if connection.dialect.name != "postgresql" or source.kind != "system":
        return False
    if source.part != "column" or any(source.positions[f] is None for f in _REQUIRED):
        return False
    # COPY skips exactly one header line: the header must be the first line of the file.
    stream.seek(0)
    first = stream.read(_BLOCK).removeprefix(_BOM)
    return bool(first[:1].strip())


def _load(
    connection: Connection,
    stream: BinaryIO,
    source: LogSource,
    batch_id: int,
    calendar: LocalCalendar,
    people: dict[str, tuple[int, str]],
) -> tuple[int, set[date]] | None:
    width = len(source.reject_header)
    columns = [f"c{i}" for i in range(width)]
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE access_staging (n bigserial, "
        + ", ".join(f"{c} text" for c in columns)
        + ") ON COMMIT DROP"
    )
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE access_people "
        "(name text PRIMARY KEY, handler_id integer, person_key text) ON COMMIT DROP"
    )
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE access_day (day date PRIMARY KEY, business boolean) ON COMMIT DROP"
    )
    driver: Any = connection.connection.driver_connection
    copy = (
        f"COPY access_staging ({', '.join(columns)}) FROM STDIN "
        "(FORMAT csv, HEADER true, ENCODING 'UTF8')"
    )
    newlines = returns = 0
    tail = b""
    with driver.cursor() as cursor:
        with cursor.copy(copy) as out:
            while block := stream.read(_BLOCK):
                out.write(block)
                newlines += block.count(b"\n")
                returns += block.count(b"\r")
                tail = block[-1:]
        with cursor.copy("COPY access_people (name, handler_id, person_key) FROM STDIN") as out:
            for name, (handler_id, key) in people.items():
                out.write_row((name, handler_id, key))
    # Every line but the header must be a row: COPY would stop early at a line "\." (its end
    # marker), and the parser, not this path, deals with blank lines.
    lines = (newlines or returns) + (tail not in (b"\n", b"\r"))
    position = {f: source.positions[f] for f in source.positions}
    copied, first, last, fine = connection.exec_driver_sql(
        _summary(position), _parameters(batch_id, calendar)
    ).one()
    if copied != lines - 1 or first is None or not fine:
        return None
    # The local dates are within a day of the dates written (offsets reach ±24 hours), and
    # within the accepted time range (a line outside it is refused anyway).
    day = timedelta(days=1)
    start = max(date.fromisoformat(str(first)), calendar.first.date() + day) - day
    end = min(date.fromisoformat(str(last)), calendar.last.astimezone(calendar.tz).date() - day)
    end += day
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if not days:
        return None
    day_copy = "COPY access_day (day, business) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(day_copy) as out:
        for each in days:
            out.write_row((each, is_business_day(each)))
    # Without statistics on the temporary tables the planner may look every name up by scanning.
    connection.exec_driver_sql("ANALYZE access_people, access_day")
    partitioned = partitions.is_partitioned(connection)
    if partitioned:
        wanted = {each.replace(day=1) for each in days} - partitions.months(connection)
        partitions.create(connection, wanted)
    inserted = connection.exec_driver_sql(
        _insert(position, columns), _parameters(batch_id, calendar)
    ).rowcount
    counted = connection.exec_driver_sql(
        "SELECT local_date, count(*) FROM access_event WHERE batch_id = %(batch)s "
        "GROUP BY local_date",
        {"batch": batch_id},
    ).all()
    dates = {cast(date, each) for each, _ in counted}
    if partitioned:
        # Only months that hold events keep a partition made for this file.
        empty = {each.replace(day=1) for each in days} - {d.replace(day=1) for d in dates}
        for month in empty & wanted:
            partitions.drop(connection, month)
    connection.exec_driver_sql("DROP TABLE access_staging, access_people, access_day")
    return inserted, dates


def _parameters(batch_id: int, calendar: LocalCalendar) -> dict[str, Any]:
    return {
        "batch": batch_id,
        "tz": calendar.tz.key,
        "earliest": calendar.earliest,
        "latest": calendar.latest,
        "actions": list(SYSTEM_ACTIONS),
        "results": list(SYSTEM_RESULTS),
        "max_records": MAX_RECORDS,
        "name_length": NAME_LENGTH,
        "stamp": _STAMP,
        "offset": _OFFSET,
        "edge": f"^{_SPACE}|{_SPACE}$",
        "control": _CONTROL,
    }


def _value(position: dict[str, int | None], field: str) -> str:
    at = position[field]
    return "''" if at is None else f"coalesce(c{at}, '')"


def _summary(position: dict[str, int | None]) -> str:
    """The lines, the first and last dates written, and whether every name and address is fine.

    A log repeats its people, systems and addresses: they are checked once per distinct
    combination (a few thousand in a million lines) rather than on every line.
    """
    user, system, ip = (_value(position, f) for f in ("user", "system", "source_ip"))
    stamp = _value(position, "timestamp")
    return f"""
SELECT sum(lines), min(first), max(last), bool_and(fine)
FROM (
    SELECT count(*) AS lines, min(left(ts, 10)) AS first, max(left(ts, 10)) AS last,
           char_length(u) BETWEEN 1 AND %(name_length)s AND u !~ %(edge)s
               AND char_length(s) BETWEEN 1 AND %(name_length)s AND s !~ %(edge)s
               AND NOT (u || s || ip) ~ %(control)s
               -- inet's own spelling of the address: IPv4 without leading zeros, no mask
               AND (ip = '' OR host(ip::inet) = ip) AS fine
    FROM (SELECT {user} AS u, {system} AS s, {ip} AS ip, {stamp} AS ts FROM access_staging) raw
    GROUP BY u, s, ip
) combinations
"""  # noqa: S608 - column names are made here, every value is a parameter


def _insert(position: dict[str, int | None], columns: list[str]) -> str:
    def value(field: str) -> str:
        return _value(position, field)

    used = {f"c{at}" for at in position.values() if at is not None}
    # Columns the log has and article8 does not store are still checked for control characters.
    others = [f"coalesce({c}, '') ~ %(control)s" for c in columns if c not in used]
    other_controls = " OR ".join(others) or "false"
    # Each level is a subquery with OFFSET 0, which PostgreSQL does not flatten: every value is
    # computed once per row, not once per use. A value this path does not accept becomes NULL
    # in a NOT NULL column (kind, occurred_at, business_day), which fails the statement.
    return f"""
INSERT INTO access_event (
    batch_id, line, kind, occurred_at, epoch, local_date, local_minute, business_day, person,
    handler_id, person_key, system, action, records, source_ip, area, door, direction, result
)
SELECT %(batch)s, n + 1,
       CASE WHEN fine AND records IS NOT NULL AND epoch BETWEEN %(earliest)s AND %(latest)s
            THEN 'system' END,
       at, epoch, local_time::date,
       (extract(hour FROM local_time) * 60 + extract(minute FROM local_time))::smallint,
       d.business, u, p.handler_id, coalesce(p.person_key, 'u:' || u), s, a, records,
       nullif(ip, ''), NULL, NULL, NULL, result
FROM (
    SELECT converted.*, at AT TIME ZONE %(tz)s AS local_time,
           floor(extract(epoch FROM at))::bigint AS epoch
    FROM (
        SELECT n, u, s, a, ip,
               CASE WHEN ts ~ %(stamp)s AND substr(ts, 12, 2) < '24' AND substr(ts, 18, 1) < '6'
                    THEN CASE WHEN ts ~ %(offset)s THEN ts::timestamptz
                              ELSE ts::timestamp AT TIME ZONE %(tz)s END
               END AS at,
               CASE WHEN r = '' THEN 0
                    WHEN r ~ '^[0-9]{{1,10}}$' THEN
                        CASE WHEN r::bigint <= %(max_records)s THEN r::integer END
               END AS records,
               CASE WHEN res = '' THEN 'ok' WHEN res = ANY(%(results)s) THEN res END AS result,
               -- names and addresses were checked by the summary (_summary)
               NOT odd AND a = ANY(%(actions)s) AS fine
        FROM (
            SELECT n, {value("timestamp")} AS ts, {value("user")} AS u,
                   {value("system")} AS s, {value("action")} AS a, {value("records")} AS r,
                   {value("source_ip")} AS ip, {value("result")} AS res,
                   {other_controls} AS odd
            FROM access_staging
        ) raw
        OFFSET 0
    ) converted
    OFFSET 0
) local
LEFT JOIN access_day d ON d.day = local_time::date
LEFT JOIN access_people p ON p.name = u
"""  # noqa: S608 - column names are made here, every value is a parameter
