"""Benchmark: GET /dashboard on a large data set, against GET /healthz through the same stack.

Goal (issue 7): median GET /dashboard <= 150 ms and at most 15 SQL statements per request.

Builds, in a temporary SQLite database: the catalogue plus one custom control (40 controls) with
five years of inspections and their audit events, findings and actions for the failed ones,
20,000 evidence items (sharing a few blobs), 1,000,000 access events, anomalies and incidents —
all inserted with Core executemany. Serves the real application with werkzeug in a thread,
signs in as a responsible person and times sequential requests. SQL statements are counted
in-process with a ``before_cursor_execute`` listener on the application's engine.

With --database-url URL (PostgreSQL) the same data set is built in a schema of its own on that
server (access events in their monthly partitions), dropped afterwards.

Usage: python bench/dashboard.py [--requests N] [--access-events N] [--database-url URL]
[--keep DIR].
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import http.cookiejar
import io
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Cheap Argon2 for the bench account (set before the settings are read).
os.environ.update(
    ARTICLE8_ARGON2_TIME_COST="1",
    ARTICLE8_ARGON2_MEMORY_KIB="8192",
    ARTICLE8_ARGON2_PARALLELISM="1",
)

from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from article8.access import partitions  # noqa: E402
from article8.access.models import AccessBatch, AccessEvent, Anomaly  # noqa: E402
from article8.controls.catalogue.files import load_catalogue  # noqa: E402
from article8.controls.catalogue.models import Control  # noqa: E402
from article8.controls.catalogue.services import sync_catalogue  # noqa: E402
from article8.controls.findings.models import CorrectiveAction, Finding  # noqa: E402
from article8.controls.incidents.models import Incident  # noqa: E402
from article8.controls.inspections.models import Inspection  # noqa: E402
from article8.core import schema  # noqa: E402
from article8.core.audit import SYSTEM  # noqa: E402
from article8.core.calendar import periods_between, window_for  # noqa: E402
from article8.core.db import Database, make_engine  # noqa: E402
from article8.core.models import AuditEvent  # noqa: E402
from article8.core.settings import Settings  # noqa: E402
from article8.core.users import PasswordPolicy, create_user  # noqa: E402
from article8.evidence.blobstore import local_store  # noqa: E402
from article8.evidence.models import EvidenceItem, evidence_control  # noqa: E402
from article8.web import create_app  # noqa: E402

GOAL_MS, GOAL_STATEMENTS = 150, 15
EMAIL, PASSWORD = "bench-responsible@example.com", "bench responsible password"
EVIDENCE, YEARS = 20_000, 5
RULES = ("off_hours", "bulk_export", "failed_login_burst", "restricted_area_entry")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class Trail:
    """Audit events collected while building, written in time order with consecutive seqs."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(self, when: datetime, action: str, object_type: str, object_id: int, **details: Any):
        body = json.dumps(details, sort_keys=True, separators=(",", ":"))
        self.events.append(
            {
                "occurred_at": when,
                "actor_id": None,
                "actor_label": "bench",
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "details": body,
            }
        )

    def rows(self, first_seq: int, prev_hash: str) -> list[dict[str, Any]]:
        # The chain's hashes are not recomputed: the bench never verifies it.
        self.events.sort(key=lambda e: e["occurred_at"])
        rows = []
        for seq, row in enumerate(self.events, first_seq):
            digest = hashlib.sha256(f"bench{seq}".encode()).hexdigest()
            rows.append({**row, "seq": seq, "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest
        return rows


def build(database: Database, settings: Settings, now: datetime, access_events: int) -> None:
    """The large data set."""
    rng = random.Random(7)
    tz = settings.timezone
    today = now.astimezone(tz).date()
    start = now - timedelta(days=365 * YEARS)
    trail = Trail()
    with database.unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), SYSTEM, now=start)
        create_user(
            session,
            SYSTEM,
            email=EMAIL,
            display_name="Bench Responsible",
            role="responsible",
            password=PASSWORD,
            policy=PasswordPolicy.from_settings(settings),
            now=now,
            locale="en",
        )
    with database.unit_of_work() as session:
        conn = session.connection()
        conn.execute(
            insert(Control),
            [
                {
                    "code": "CUS-01",
                    "category": "technical",
                    "title_en": "Custom control",
                    "title_ja": "独自の管理策",
                    "description_en": "",
                    "description_ja": "",
                    "frequency": "monthly",
                    "source": "custom",
                    "active": True,
                    "in_catalogue": True,
                    "evidence_expected": "[]",
                    "ppc_ref": "",
                    "article8_explicit": False,
                    "created_at": start,
                    "updated_at": start,
                }
            ],
        )
        controls = session.execute(select(Control.id, Control.frequency)).all()
        failed = _inspections(conn, controls, start, today, now, tz, rng, trail)
        _findings(conn, failed, today, now, rng, trail)
        _evidence(conn, settings, [c.id for c in controls], start, now, rng, trail)
        _access(conn, access_events, now, tz, rng, trail)
        _anomalies_and_incidents(conn, today, now, rng)
        head = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).one()
        conn.execute(insert(AuditEvent), trail.rows(head.seq + 1, head.hash))
        conn.exec_driver_sql("ANALYZE")


def _inspections(conn, controls, start, today, now, tz, rng, trail) -> list[tuple[int, int, date]]:
    rows, failed = [], []
    for control in controls:
        first = start.astimezone(tz).date()
        for period in periods_between(control.frequency, first, today):
            window = window_for(period)
            row: dict[str, Any] = {
                "control_id": control.id,
                "period_start": period.start,
                "period_end": period.end,
                "period_label": period.label,
                "opens_on": window.opens_on,
                "due_on": window.due_on,
                "result": None,
                "submitted_at": None,
                "reviewed_at": None,
            }
            roll = rng.random()
            if window.opens_on > today:
                row["status"] = "scheduled"
            elif window.due_on >= today - timedelta(days=30) and roll < 0.5:
                row["status"] = rng.choice(("open", "in_progress", "submitted"))
            elif roll < 0.05 and window.due_on < today - timedelta(days=30):
                row["status"] = "missed"
            else:
                row["status"] = "approved"
                row["result"] = "fail" if rng.random() < 0.07 else "pass"
            if row["status"] in ("submitted", "approved"):
                late = rng.random() < 0.1
                offset = rng.randint(1, 6) if late else -rng.randint(0, 10)
                submitted = datetime.combine(window.due_on + timedelta(days=offset), _ten(tz))
                row["submitted_at"] = min(submitted, now - timedelta(hours=2))
                if row["status"] == "approved":
                    row["reviewed_at"] = min(
                        submitted + timedelta(days=2), now - timedelta(hours=1)
                    )
                    row["result"] = row["result"] or "pass"
                else:
                    row["result"] = "pass"
            created = datetime.combine(window.opens_on - timedelta(days=14), _ten(tz))
            row["created_at"] = row["updated_at"] = max(created, start)
            rows.append(row)
    ids = conn.execute(insert(Inspection).returning(Inspection.id), rows).scalars().all()
    for inspection_id, row in zip(ids, rows, strict=True):
        created = row["created_at"]
        trail.add(created, "inspection.create", "inspection", inspection_id, status="open")
        opened = datetime.combine(row["opens_on"], _ten(row["created_at"].tzinfo))
        if row["status"] != "scheduled":
            trail.add(max(opened, created), "inspection.open", "inspection", inspection_id)
        if row["submitted_at"]:
            at = row["submitted_at"]
            trail.add(at - timedelta(hours=1), "inspection.start", "inspection", inspection_id)
            trail.add(at, "inspection.submit", "inspection", inspection_id, result=row["result"])
        if row["reviewed_at"]:
            trail.add(
                row["reviewed_at"],
                "inspection.approve",
                "inspection",
                inspection_id,
                result=row["result"],
            )
        if row["status"] == "missed":
            missed = datetime.combine(row["due_on"] + timedelta(days=31), _ten(created.tzinfo))
            trail.add(missed, "inspection.missed", "inspection", inspection_id)
        if row["result"] == "fail" and row["status"] == "approved":
            failed.append((inspection_id, row["control_id"], row["reviewed_at"]))
    return failed


def _ten(tz: Any) -> clock_time:
    """10:00 in ``tz``."""
    return clock_time(10, 0, tzinfo=tz)


def _findings(conn, failed, today, now, rng, trail) -> None:
    for inspection_id, control_id, reviewed in failed:
        recent = reviewed > now - timedelta(days=90)
        status = rng.choice(("open", "in_progress")) if recent else "verified"
        finding_id = conn.execute(
            insert(Finding).returning(Finding.id),
            {
                "control_id": control_id,
                "inspection_id": inspection_id,
                "source": "inspection",
                "severity": rng.choice(("low", "medium", "high")),
                "title": f"finding of {inspection_id}",
                "description": "",
                "status": status,
                "created_at": reviewed,
                "updated_at": reviewed,
            },
        ).scalar_one()
        trail.add(reviewed, "finding.open", "finding", finding_id)
        done = status == "verified"
        conn.execute(
            insert(CorrectiveAction),
            {
                "finding_id": finding_id,
                "description": "fix it",
                "owner_id": 1,
                "due_on": reviewed.date() + timedelta(days=30),
                "status": "verified" if done else "open",
                "resolved_at": reviewed + timedelta(days=20) if done else None,
                "created_at": reviewed,
                "updated_at": reviewed,
            },
        )


def _evidence(conn, settings, control_ids, start, now, rng, trail) -> None:
    store = local_store(settings)
    blobs = [store.put(io.BytesIO(b"%PDF-1.7\n" + bytes([n]) * 100)) for n in range(4)]
    span = (now - start).total_seconds()
    items, links = [], []
    item_id = 0
    while item_id < EVIDENCE:
        uploaded = start + timedelta(seconds=rng.random() * span)
        versions = 2 if rng.random() < 0.1 and item_id + 2 <= EVIDENCE else 1
        series = item_id + 1
        control = rng.choice(control_ids)
        for version in range(1, versions + 1):
            item_id += 1
            at = uploaded + timedelta(days=30 * (version - 1))
            collected = at.date()
            blob = rng.choice(blobs)
            items.append(
                {
                    "id": item_id,
                    "series_id": series,
                    "version": version,
                    "title": f"Evidence {item_id}",
                    "description": "",
                    "original_name": f"evidence-{item_id}.pdf",
                    "size": blob.size,
                    "media_type": "application/pdf",
                    "sha256": blob.sha256,
                    "uploaded_by_id": None,
                    "uploaded_by_label": "bench",
                    "uploaded_at": min(at, now - timedelta(minutes=5)),
                    "collected_on": collected,
                    "valid_until": collected + timedelta(days=365) if rng.random() < 0.8 else None,
                    "status": "superseded" if version < versions else "current",
                }
            )
            links.append({"evidence_id": item_id, "control_id": control})
            trail.add(items[-1]["uploaded_at"], "evidence.upload", "evidence", item_id)
    conn.execute(insert(EvidenceItem), items)
    conn.execute(insert(evidence_control), links)


def _access(conn, count, now, tz, rng, trail) -> None:
    batch_id = conn.execute(
        insert(AccessBatch).returning(AccessBatch.id),
        {
            "kind": "system",
            "filename": "bench.csv",
            "sha256": "0" * 64,
            "row_count": count,
            "rejected_count": 0,
            "imported_by_label": "bench",
            "imported_at": now - timedelta(hours=3),
        },
    ).scalar_one()
    trail.add(now - timedelta(hours=3), "access.import", "access_batch", batch_id, rows=count)
    first = (now - timedelta(days=30)).timestamp()
    if partitions.is_partitioned(conn):
        days = [(now - timedelta(days=d)).astimezone(tz).date() for d in range(32)]
        partitions.create(conn, {day.replace(day=1) for day in days})
    chunk = []
    for line in range(1, count + 1):
        epoch = int(first + line * (30 * 86400 / count))
        local = datetime.fromtimestamp(epoch, tz)
        person = f"user{rng.randrange(200):03d}"
        chunk.append(
            {
                "batch_id": batch_id,
                "line": line,
                "kind": "system",
                "occurred_at": local,
                "epoch": epoch,
                "local_date": local.date(),
                "local_minute": local.hour * 60 + local.minute,
                "business_day": local.weekday() < 5,
                "person": person,
                "handler_id": None,
                "person_key": f"u:{person}",
                "system": "crm",
                "action": "view",
                "records": 1,
                "source_ip": "10.0.0.1",
                "area": None,
                "door": None,
                "direction": None,
                "result": "ok",
            }
        )
        if len(chunk) == 20_000:
            conn.execute(insert(AccessEvent), chunk)
            chunk = []
    if chunk:
        conn.execute(insert(AccessEvent), chunk)


def _anomalies_and_incidents(conn, today, now, rng) -> None:
    anomalies = []
    for n in range(2000):
        day = today - timedelta(days=rng.randrange(90))
        seen = datetime.combine(day, _ten(UTC))
        new = n % 10 == 0
        anomalies.append(
            {
                "rule": rng.choice(RULES),
                "severity": "medium",
                "person_key": f"u:user{n:04d}",
                "handler_id": None,
                "local_date": day,
                "area": "",
                "event_count": 3,
                "first_seen": seen,
                "last_seen": seen,
                "status": "new" if new else "dismissed",
                "reason": None if new else "fine",
                "triaged_at": None if new else seen + timedelta(days=1),
                "run_token": "bench",
                "created_at": seen,
                "updated_at": seen,
            }
        )
    conn.execute(insert(Anomaly), anomalies)
    incidents = []
    for n in range(20):
        aware = now - timedelta(days=rng.randrange(400))
        closed = n >= 4
        incidents.append(
            {
                "title": f"Incident {n}",
                "description": "",
                "reported_at": aware,
                "aware_at": aware,
                "status": "closed" if closed else "investigating",
                "sensitive_data": n % 2 == 0,
                "financial_harm": False,
                "unlawful_purpose": False,
                "over_1000_people": False,
                "preliminary_due_on": aware.date() + timedelta(days=5),
                "final_due_on": aware.date() + timedelta(days=30),
                "preliminary_reported_on": aware.date() + timedelta(days=3),
                "final_reported_on": aware.date() + timedelta(days=25) if closed else None,
                "closed_at": aware + timedelta(days=40) if closed else None,
                "created_at": aware,
                "updated_at": aware,
            }
        )
    conn.execute(insert(Incident), incidents)


class Client:
    """A browser stand-in: cookies, CSRF token, sequential requests."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(self, path: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as response:
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status}")
        return (time.perf_counter() - started) * 1000, body

    def sign_in(self) -> None:
        _, page = self.get("/login")
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
        match = match or re.search(rb'name="csrf_token" value="([^"]+)"', page)
        if not match:
            raise RuntimeError("no CSRF token on /login")
        form = {"email": EMAIL, "password": PASSWORD, "csrf_token": match.group(1).decode()}
        data = urllib.parse.urlencode(form).encode()
        with self.opener.open(self.base + "/login", data=data, timeout=60) as response:
            if "/login" in response.url:
                raise RuntimeError("sign-in failed")


def timed(client: Client, path: str, n: int, counter: list[int]) -> tuple[list[float], list[int]]:
    times, statements = [], []
    for _ in range(n):
        counter[0] = 0
        elapsed, _ = client.get(path)
        times.append(elapsed)
        statements.append(counter[0])
    return times, statements


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    """Build, serve, measure, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--access-events", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url", default=None, help="A PostgreSQL server (default: a SQLite file)."
    )
    parser.add_argument("--keep", type=Path, default=None, help="Work in DIR and keep it.")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="article8-bench-dashboard-"))
    work.mkdir(parents=True, exist_ok=True)
    created = None
    try:
        if args.database_url:
            created, url = own_schema(args.database_url)
        else:
            url = f"sqlite:///{work / 'bench.db'}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ARTICLE8_INSTANCE_DIR": str(work / "instance"),
            "SECRET_KEY": "bench",
        }
        settings = Settings.from_env(env)
        engine = make_engine(url)
        schema.upgrade(engine)
        now = datetime.now(UTC)
        started = time.perf_counter()
        build(Database(engine), settings, now, args.access_events)
        engine.dispose()
        print(
            f"built the data set in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )

        app = create_app(settings)
        counter = [0]

        def count(*_args: Any) -> None:
            counter[0] += 1

        event.listen(app.extensions["article8.database"].bind, "before_cursor_execute", count)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            client = Client(f"http://127.0.0.1:{server.server_port}")
            client.sign_in()
            timed(client, "/dashboard", 3, counter)  # warm-up: templates, caches
            timed(client, "/healthz", 3, counter)
            times, statements = timed(client, "/dashboard", args.requests, counter)
            base_times, _ = timed(client, "/healthz", args.requests, counter)
            as_of = (now - timedelta(days=30)).astimezone(settings.timezone).date()
            past_times, past_statements = timed(
                client, f"/dashboard?as_of={as_of.isoformat()}", max(5, args.requests // 3), counter
            )
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
        median, base = statistics.median(times), statistics.median(base_times)
        most = max(statements)
        print(
            json.dumps(
                {
                    "bench": "dashboard",
                    "backend": make_url(url).get_backend_name(),
                    "access_events": args.access_events,
                    "median_ms": round(median, 1),
                    "p95_ms": round(p95(times), 1),
                    "statements": most,
                    "as_of_median_ms": round(statistics.median(past_times), 1),
                    "as_of_statements": max(past_statements),
                    "baseline": "GET /healthz",
                    "baseline_median_ms": round(base, 1),
                    "ratio": round(median / base, 2),
                    "goal": f"median <= {GOAL_MS} ms and <= {GOAL_STATEMENTS} statements",
                    "met": median <= GOAL_MS and most <= GOAL_STATEMENTS,
                }
            )
        )
    finally:
        if created is not None:
            admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{created}" CASCADE'))
            admin.dispose()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def own_schema(url: str) -> tuple[str, str]:
    """A new schema on the server of ``url``; return its name and a URL that works inside it."""
    name = f"bench_dashboard_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    inside = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    return name, inside.render_as_string(hide_password=False)


if __name__ == "__main__":
    main()
