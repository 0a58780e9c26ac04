"""Benchmark: import 1,000,000 system-access events, rules included, against a bare bulk load.

Generates (deterministically) a register of 200 people with login aliases and a month of system
access events as CSV (ten million lines spread over several months with --rows 10000000), with a
few planted anomalies (unknown users, an unauthorised system, a leaver, off-hours work, bulk
exports, failed-login bursts). The register is imported in this process; the log is imported by
`article8 access import FILE --kind system` in a subprocess, the exact command path (rules
included), timed by wall clock, its peak RSS read from getrusage. Then, in this process, the rules
run again over the imported dates (timed alone), and `article8 access anomalies` for one month.

The baseline, measured in the same run:
- SQLite: Python's sqlite3 reads the same CSV with csv.reader and inserts every line with one
  executemany into a plain table of as many columns as access_event gets, in one transaction,
  with the same journal mode and synchronous setting, values parsed (the timestamp to epoch
  seconds, records to an integer);
- PostgreSQL (--database-url): a plain ``COPY … FROM STDIN (FORMAT csv)`` of the same file into
  an unindexed table of text columns. Each run works in a schema of its own, dropped afterwards.

Usage: python bench/ingest.py [--rows N] [--database-url URL] [--keep DIR].
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from article8.access import queries
from article8.access.ingest import INSERT_COLUMNS
from article8.access.register_import import import_register
from article8.access.rules import RuleSettings, run_rules
from article8.core import schema
from article8.core.audit import Actor
from article8.core.calendar import is_business_day
from article8.core.db import Database, make_engine

TOKYO = ZoneInfo("Asia/Tokyo")
PEOPLE = 200
SYSTEMS = ("crm", "hr", "payroll", "ec-admin")
LAST_DAY = date(2026, 11, 27)
# A million lines: 2026-11-02 … 2026-11-27 (holidays on 11-03 and 11-23, four weekends); larger
# logs reach back by a month for every 2.5 million lines, so that they span several partitions.
DAYS = 26
LINES_PER_MONTH = 2_500_000
ACTIONS = (
    ("view", 55),
    ("search", 22),
    ("login", 10),
    ("update", 6),
    ("export", 3),
    ("login_failed", 3),
    ("delete", 0.05),
)
GOAL_RATIO = {"sqlite": 2.5, "postgresql": 3.0}
GOAL_RSS_MB = 300
GOAL_RULES_SECONDS = 60
GOAL_ANOMALIES_SECONDS = 2


def span(rows: int) -> tuple[date, int]:
    """The first day and the number of days a log of ``rows`` lines covers."""
    days = DAYS if rows <= LINES_PER_MONTH else round(rows / LINES_PER_MONTH * 30)
    return LAST_DAY - timedelta(days=days - 1), days


def generate(directory: Path, rows: int, seed: int = 8) -> tuple[Path, Path, Path]:
    """Write people.csv, authorisations.csv and access.csv; return their paths."""
    rng = random.Random(seed)
    people, grants, access = (directory / n for n in ("people.csv", "auth.csv", "access.csv"))
    systems_of: dict[int, list[str]] = {}
    with people.open("w", newline="") as p, grants.open("w", newline="") as g:
        pw, gw = csv.writer(p), csv.writer(g)
        pw.writerow(
            ["employee_id", "name", "department", "employed_from", "employed_until", "aliases"]
        )
        gw.writerow(["employee_id", "kind", "target", "actions", "valid_from", "valid_until"])
        for n in range(1, PEOPLE + 1):
            # Person 7 left on 2026-11-13 but their account still works.
            until = "2026-11-13" if n == 7 else ""
            pw.writerow([f"E{n:04d}", f"Person {n}", f"Dept {n % 9}", "2018-04-01", until,
                         f"user{n:03d};B{n:05d}"])  # fmt: skip
            systems_of[n] = rng.sample(SYSTEMS, rng.choice((1, 2, 2, 3)))
            for system in systems_of[n]:
                actions = (
                    "*" if rng.random() < 0.5 else "login;login_failed;view;search;update;export"
                )
                gw.writerow([f"E{n:04d}", "system", system, actions, "2018-04-01", ""])
    names = [f"user{n:03d}" for n in range(1, PEOPLE + 1)]
    first_day, days = span(rows)
    weights = [w for _, w in ACTIONS]
    actions = [a for a, _ in ACTIONS]
    # Weekends and public holidays see a few percent of a business day's traffic.
    weights_by_day = [
        1.0 if is_business_day(first_day + timedelta(days=i)) else 0.03 for i in range(days)
    ]
    total_weight = sum(weights_by_day)
    with access.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["timestamp", "user", "system", "action", "records", "source_ip", "result"])
        written = 0
        for day_index in range(days):
            day = first_day + timedelta(days=day_index)
            share = round(rows * weights_by_day[day_index] / total_weight)
            count = share if day_index < days - 1 else rows - written
            start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=TOKYO)
            day_rows = []
            # On weekends and holidays only the ten people on call work (off hours: flagged).
            working = PEOPLE if weights_by_day[day_index] == 1.0 else 10
            for _ in range(count):
                n = rng.randrange(1, working + 1)
                user = names[n - 1]
                offset = rng.randrange(0, 12 * 3600)
                if rng.random() < 0.0005:
                    offset = rng.randrange(-8 * 3600, 16 * 3600)  # off hours, now and then
                system = rng.choice(systems_of[n])
                if rng.random() < 0.00005:
                    system = rng.choice(SYSTEMS)  # maybe not authorised
                if rng.random() < 0.00003:
                    user = f"contractor{rng.randrange(5)}"  # not in the register
                action = rng.choices(actions, weights)[0]
                records = 0
                if action in ("view", "search"):
                    records = rng.randrange(1, 60)
                elif action == "export":
                    records = 1500 if rng.random() < 0.002 else rng.randrange(1, 400)
                result = "denied" if rng.random() < 0.01 else "ok"
                ip = f"10.{n % 8}.{n % 250}.{rng.randrange(1, 5)}"
                day_rows.append((offset, user, system, action, records, ip, result))
            if day_index % 5 == 2:  # a failed-login burst
                for k in range(6):
                    burst = (
                        3600 + 30 * k,
                        "user042",
                        "crm",
                        "login_failed",
                        0,
                        "10.9.9.9",
                        "denied",
                    )
                    day_rows.append(burst)
            day_rows.sort()
            for offset, user, system, action, records, ip, result in day_rows[:count]:
                stamp = (start + timedelta(seconds=offset)).isoformat()
                writer.writerow([stamp, user, system, action, records, ip, result])
            written += count
    return people, grants, access


def article8_command() -> list[str]:
    """The installed console script, else the module."""
    script = Path(sys.executable).with_name("article8")
    return [str(script)] if script.exists() else [sys.executable, "-m", "article8.cli"]


def run_article8(args: list[str], url: str, instance: Path) -> tuple[float, str]:
    """Run `article8 ARGS` in a child; return wall seconds and its output."""
    env = {**os.environ, "DATABASE_URL": url, "ARTICLE8_INSTANCE_DIR": str(instance)}
    started = time.perf_counter()
    result = subprocess.run(
        [*article8_command(), *args], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"article8 {args[0]} {args[1]} failed: {result.stderr.strip()}")
    return seconds, result.stdout.strip()


def sqlite_baseline(access: Path, path: Path) -> float:
    """Bare sqlite3: the same lines, parsed, into a plain table with one executemany."""
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f"c{i} TEXT" for i in range(len(INSERT_COLUMNS)))
    conn.execute(f"CREATE TABLE plain (id INTEGER PRIMARY KEY, {columns})")
    padding = (None,) * (len(INSERT_COLUMNS) - 9)
    fromiso = datetime.fromisoformat

    def rows():
        with access.open(newline="") as f:
            reader = csv.reader(f)
            next(reader)
            for line, (ts, user, system, action, records, ip, result) in enumerate(reader, 2):
                epoch = int(fromiso(ts).timestamp())
                yield (line, ts, epoch, user, system, action, int(records), ip, result, *padding)

    markers = ", ".join("?" * len(INSERT_COLUMNS))
    conn.execute("BEGIN")
    conn.executemany(f"INSERT INTO plain VALUES (NULL, {markers})", rows())
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def postgresql_baseline(access: Path, url: str) -> float:
    """A plain COPY of the same CSV into an unindexed table of text columns, in one transaction."""
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        with engine.begin() as conn:
            conn.exec_driver_sql(
                'CREATE TABLE plain (timestamp text, "user" text, system text, action text, '
                "records text, source_ip text, result text)"
            )
            driver = conn.connection.driver_connection
            copy = "COPY plain FROM STDIN (FORMAT csv, HEADER true)"
            with driver.cursor() as cursor, cursor.copy(copy) as out, access.open("rb") as f:
                while block := f.read(1 << 20):
                    out.write(block)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def own_schema(url: str) -> tuple[str, str]:
    """A new schema on the server of ``url``; return its name and a URL that works inside it."""
    name = f"bench_ingest_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    inside = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    return name, inside.render_as_string(hide_password=False)


def drop_schema(url: str, name: str) -> None:
    """Drop the bench's schema."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


def import_register_files(url: str, files: tuple[Path, Path]) -> None:
    """Migrate the database and import the register (people, then authorisations)."""
    engine = make_engine(url)
    schema.upgrade(engine)
    database = Database(engine)
    for register_file in files:
        with database.unit_of_work() as session, register_file.open("rb") as stream:
            import_register(
                session,
                stream,
                filename=register_file.name,
                actor=Actor(None, "bench"),
                now=datetime.now(UTC),
            )
    engine.dispose()


def rules_again(url: str, first: date, last: date) -> float:
    """Run the rules over the imported dates once more, in this process; return the seconds."""
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        with Database(engine).unit_of_work() as session:
            run_rules(session, RuleSettings(TOKYO), dates=(first, last), now=datetime.now(UTC))
        return time.perf_counter() - started
    finally:
        engine.dispose()


def anomalies_query(url: str, first: date, last: date) -> float:
    """The query behind `access anomalies` for those dates, in this process; return the seconds."""
    engine = make_engine(url)
    try:
        with Database(engine).session() as session:
            started = time.perf_counter()
            queries.anomalies(session, queries.AnomalyFilter(date_from=first, date_to=last))
            return time.perf_counter() - started
    finally:
        engine.dispose()


def main() -> None:
    """Generate, import, compare, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default=None, help="A PostgreSQL server (default: a SQLite file)."
    )
    parser.add_argument("--keep", type=Path, default=None, help="Work in DIR and keep it.")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="article8-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    created: str | None = None
    try:
        files = tuple(directory / n for n in ("people.csv", "auth.csv", "access.csv"))
        if args.keep is not None and all(f.exists() for f in files):
            people, grants, access = files  # a rerun on the files an earlier run kept
        else:
            people, grants, access = generate(directory, args.rows)
        size_mb = access.stat().st_size / 1e6
        print(f"generated {args.rows} lines ({size_mb:.0f} MB) in {directory}", file=sys.stderr)
        if args.database_url:
            created, url = own_schema(args.database_url)
            backend = "postgresql"
        else:
            url = f"sqlite:///{directory / 'bench.db'}"
            backend = "sqlite"
        import_register_files(url, (people, grants))
        if backend == "postgresql":
            base = postgresql_baseline(access, url)
            base_name = "COPY csv into an unindexed text table"
        else:
            base = sqlite_baseline(access, directory / "baseline.db")
            base_name = "sqlite3 executemany"
        print(f"baseline ({base_name}): {base:.2f} s", file=sys.stderr)
        instance = directory / "instance"
        command = ["access", "import", str(access), "--kind", "system"]
        seconds, output = run_article8(command, url, instance)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(output, file=sys.stderr)
        first_day, days = span(args.rows)
        rules = rules_again(url, first_day, LAST_DAY)
        month = ["--from", LAST_DAY.replace(day=1).isoformat(), "--to", LAST_DAY.isoformat()]
        anomalies, listed = run_article8(["access", "anomalies", *month], url, instance)
        # What of that is the command starting (Python, the application, its settings).
        startup, _ = run_article8(["access", "anomalies", "--from", "2000-01-01", "--to",
                                   "2000-01-01"], url, instance)  # fmt: skip
        query = anomalies_query(url, LAST_DAY.replace(day=1), LAST_DAY)
        print(
            f"rules again: {rules:.2f} s; anomalies of one month: {anomalies:.2f} s "
            f"({len(json.loads(listed))} listed)",
            file=sys.stderr,
        )
        ratio = seconds / base
        goal = GOAL_RATIO[backend]
        met = ratio <= goal and peak_mb <= GOAL_RSS_MB
        goals = f"ratio <= {goal} and peak RSS <= {GOAL_RSS_MB} MB"
        if args.rows >= 10_000_000:
            goals += (
                f"; rules <= {GOAL_RULES_SECONDS} s; anomalies of a month <= "
                f"{GOAL_ANOMALIES_SECONDS} s"
            )
            met = met and rules <= GOAL_RULES_SECONDS and anomalies <= GOAL_ANOMALIES_SECONDS
        print(
            json.dumps(
                {
                    "bench": "ingest",
                    "backend": backend,
                    "rows": args.rows,
                    "days": days,
                    "seconds": round(seconds, 2),
                    "rules_seconds": round(rules, 2),
                    "anomalies_month_seconds": round(anomalies, 2),
                    "anomalies_empty_command_seconds": round(startup, 2),
                    "anomalies_month_query_seconds": round(query, 3),
                    "baseline": base_name,
                    "baseline_seconds": round(base, 2),
                    "ratio": round(ratio, 2),
                    "peak_rss_mb": round(peak_mb, 1),
                    "goal": goals,
                    "met": met,
                }
            )
        )
    finally:
        if created is not None:
            drop_schema(args.database_url, created)
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
