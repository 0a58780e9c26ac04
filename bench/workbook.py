"""Benchmark: the audit workbook with 100,000 (and 500,000) audit-trail rows.

Goals (issue 7): wall time <= 1.3 x a bare openpyxl write-only workbook holding the same cell
values, measured in the same run; peak RSS <= 150 MB; RSS at 500k rows <= 1.2 x RSS at 100k.
Each measurement runs in a fresh subprocess so that peak RSS is its own. Prints JSON lines; the
last one is the verdict.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def populate(url: str, rows: int) -> None:
    """A migrated database with the catalogue and ``rows`` chained audit events."""
    from sqlalchemy import insert

    from article8.controls.catalogue.files import load_catalogue
    from article8.controls.catalogue.services import sync_catalogue
    from article8.core import schema
    from article8.core.audit import GENESIS_HASH, SYSTEM, canonical_json, event_hash
    from article8.core.db import Database, make_engine
    from article8.core.models import AuditEvent

    engine = make_engine(url)
    schema.upgrade(engine)
    database = Database(engine)
    start = datetime(2026, 4, 1, tzinfo=UTC)
    with database.unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), SYSTEM, now=start)
        head = session.query(AuditEvent).order_by(AuditEvent.seq.desc()).first()
        seq, prev = head.seq, head.hash
    batch: list[dict] = []
    with engine.begin() as conn:
        for n in range(rows):
            event = AuditEvent(
                seq=seq + 1,
                occurred_at=start + timedelta(seconds=30 * n),
                actor_id=None,
                actor_label=f"user{n % 50}@example.com",
                action=("evidence.view", "auth.login", "inspection.submit")[n % 3],
                object_type="evidence",
                object_id=str(n % 997),
                details=canonical_json({"n": n, "note": "=1+1" if n % 100 == 0 else "ok"}),
                client_addr="192.0.2.10",
                prev_hash=prev,
            )
            event.hash = event_hash(event)
            seq, prev = event.seq, event.hash
            batch.append(
                {
                    c: getattr(event, c)
                    for c in (
                        "seq",
                        "occurred_at",
                        "actor_id",
                        "actor_label",
                        "action",
                        "object_type",
                        "object_id",
                        "details",
                        "client_addr",
                        "prev_hash",
                        "hash",
                    )
                }
            )
            if len(batch) == 10_000:
                conn.execute(insert(AuditEvent), batch)
                batch = []
        if batch:
            conn.execute(insert(AuditEvent), batch)
    engine.dispose()
    assert GENESIS_HASH


def run_ours(url: str, out: str) -> None:
    from article8.core.audit import Actor
    from article8.core.db import Database
    from article8.core.settings import Settings
    from article8.reports.workbook import Period, write_workbook

    settings = Settings.from_env(
        {"DATABASE_URL": url, "ARTICLE8_INSTANCE_DIR": str(Path(out).parent), "SECRET_KEY": "bench"}
    )
    database = Database.from_url(url)
    with database.unit_of_work() as session:
        write_workbook(
            session,
            Path(out),
            settings=settings,
            lang="en",
            actor=Actor(None, "bench"),
            period=Period(date(2026, 4, 1), date(2027, 12, 31)),
            now=datetime(2027, 12, 31, tzinfo=UTC),
        )


def run_bare(url: str, out: str) -> None:
    from openpyxl import Workbook
    from sqlalchemy import select

    from article8.core.db import make_engine
    from article8.core.models import AuditEvent

    engine = make_engine(url)
    book = Workbook(write_only=True)
    ws = book.create_sheet("Audit trail")
    ws.append(
        [
            "Sequence",
            "Time",
            "Time (UTC, as hashed)",
            "Actor id",
            "Actor",
            "Action",
            "Object",
            "Object id",
            "Details",
            "Client address",
            "Previous hash",
            "Hash",
        ]
    )
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=5000).execute(
            select(
                AuditEvent.seq,
                AuditEvent.occurred_at,
                AuditEvent.actor_id,
                AuditEvent.actor_label,
                AuditEvent.action,
                AuditEvent.object_type,
                AuditEvent.object_id,
                AuditEvent.details,
                AuditEvent.client_addr,
                AuditEvent.prev_hash,
                AuditEvent.hash,
            ).order_by(AuditEvent.seq)
        )
        for row in result:
            ws.append(
                [
                    row.seq,
                    row.occurred_at.replace(tzinfo=None),
                    row.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    None if row.actor_id is None else str(row.actor_id),
                    row.actor_label,
                    row.action,
                    row.object_type,
                    row.object_id,
                    row.details,
                    row.client_addr,
                    row.prev_hash,
                    row.hash,
                ]
            )
    book.save(out)


def measure(mode: str, url: str, out: str) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, mode, url, out], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    child = json.loads(result.stdout.strip().splitlines()[-1])
    return {"seconds": round(seconds, 2), "peak_rss_mb": child["peak_rss_mb"]}


def child(mode: str, url: str, out: str) -> None:
    (run_ours if mode == "ours" else run_bare)(url, out)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": round(peak_mb, 1)}))


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for rows in (100_000, 500_000):
            url = f"sqlite:///{work}/bench-{rows}.db"
            populate(url, rows)
            ours = measure("ours", url, f"{work}/ours-{rows}.xlsx")
            bare = measure("bare", url, f"{work}/bare-{rows}.xlsx")
            results[rows] = (ours, bare)
            print(
                json.dumps(
                    {
                        "bench": "workbook",
                        "rows": rows,
                        "seconds": ours["seconds"],
                        "peak_rss_mb": ours["peak_rss_mb"],
                        "baseline": "bare openpyxl write-only",
                        "baseline_seconds": bare["seconds"],
                        "ratio": round(ours["seconds"] / bare["seconds"], 2),
                    }
                )
            )
    (ours100, bare100), (ours500, _bare500) = results[100_000], results[500_000]
    ratio = ours100["seconds"] / bare100["seconds"]
    growth = ours500["peak_rss_mb"] / ours100["peak_rss_mb"]
    met = ratio <= 1.3 and ours100["peak_rss_mb"] <= 150 and growth <= 1.2
    print(
        json.dumps(
            {
                "bench": "workbook",
                "rows": 100_000,
                "seconds": ours100["seconds"],
                "baseline": "bare openpyxl write-only, same cell values",
                "baseline_seconds": bare100["seconds"],
                "ratio": round(ratio, 2),
                "peak_rss_mb": ours100["peak_rss_mb"],
                "peak_rss_mb_500k": ours500["peak_rss_mb"],
                "rss_growth_500k_vs_100k": round(growth, 2),
                "goal": "ratio <= 1.3, peak RSS <= 150 MB, RSS(500k) <= 1.2 x RSS(100k)",
                "met": met,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 4:
        child(*sys.argv[1:])
    else:
        os.environ.setdefault("ARTICLE8_INSTANCE_DIR", tempfile.gettempdir())
        main()
