"""Benchmark: the audit package over N evidence files totalling 1 GiB (``--bytes`` for less).

Goals (issue 14): throughput (evidence bytes per second of the export) at least 0.5 x that of
`sha256sum` over the same evidence bytes, measured in the same run; the exporting process's RSS
grows by at most 64 MiB. The export runs in a fresh process (`write_package` on a migrated
SQLite database with the catalogue and the evidence), which measures its own time and RSS: the
peak (VmHWM, reset just before the export where the kernel allows) minus the RSS before. Both
sides run ``--rounds`` times, alternating, and the best time of each counts (the machine is
shared; the best run is the least disturbed one). Prints JSON lines; the last one is the verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHUNK = 1024 * 1024
NOW = datetime(2026, 11, 24, 3, tzinfo=UTC)


def _settings(work: Path):
    from article8.core.settings import Settings

    return Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{work}/bench.db",
            "ARTICLE8_INSTANCE_DIR": str(work / "instance"),
            "SECRET_KEY": "bench",
        }
    )


class _Generated:
    """``size`` bytes of a PDF-looking file, made on the fly (never whole in memory)."""

    def __init__(self, n: int, size: int, block: bytes) -> None:
        self.head = f"%PDF-1.7\n% bench file {n}\n".encode()
        self.left, self.block, self.sent = size, block, False

    def read(self, limit: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            self.left -= len(self.head)
            return self.head
        piece = self.block[: min(len(self.block), self.left, limit if limit > 0 else CHUNK)]
        self.left -= len(piece)
        return piece


def prepare(work: Path, total: int, files: int) -> list[Path]:
    """A migrated database with the catalogue and ``files`` evidence items of ``total`` bytes;
    the paths of their blobs."""
    from article8.controls.catalogue.files import load_catalogue
    from article8.controls.catalogue.services import sync_catalogue
    from article8.core import schema
    from article8.core.audit import SYSTEM
    from article8.core.db import Database, make_engine
    from article8.evidence import services
    from article8.evidence.blobstore import local_store

    settings = _settings(work)
    engine = make_engine(settings.database_url)
    schema.upgrade(engine)
    store = local_store(settings)
    block = os.urandom(CHUNK)  # random: nothing compresses, as with real PDFs and images
    paths = []
    with Database(engine).unit_of_work() as session:
        sync_catalogue(session, load_catalogue(), SYSTEM, now=NOW)
        for n in range(files):
            size = total // files + (1 if n < total % files else 0)
            # Each file its own bytes (the store keeps identical content once): a rotated block.
            shift = (n * 7919) % CHUNK
            item = services.add_evidence(
                session,
                store,
                SYSTEM,
                _Generated(n, size, block[shift:] + block[:shift]),  # type: ignore[arg-type]
                services.EvidenceInput(
                    filename=f"bench-{n}.pdf",
                    title=f"Bench evidence {n}",
                    collected_on=date(2026, 11, 1),
                    control_codes=["ORG-04"],
                ),
                max_bytes=total + CHUNK,
                now=NOW,
            )
            paths.append(store.path(item.sha256))
    engine.dispose()
    return paths


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def child(work: Path, out: Path) -> None:
    """One export, in this fresh process: its time and its RSS growth, as JSON."""
    from article8.core.audit import Actor
    from article8.core.db import Database
    from article8.evidence.blobstore import local_store
    from article8.reports.package import write_package
    from article8.reports.period import Period

    settings = _settings(work)
    database = Database.from_url(settings.database_url)
    store = local_store(settings)
    try:  # reset the peak (VmHWM) to the current RSS, so that the peak is the export's own
        Path("/proc/self/clear_refs").write_text("5")
        reset = True
    except OSError:
        reset = False
    before = _rss_kib("VmRSS")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with database.unit_of_work() as session:
        report = write_package(
            session,
            out,
            store=store,
            settings=settings,
            period=Period(date(2026, 4, 1), date(2026, 11, 30)),
            lang="ja",
            actor=Actor(None, "bench"),
            now=NOW,
        )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    peak = _rss_kib("VmHWM")
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
                "rss_before_kib": before,
                "rss_peak_kib": peak,
                "peak_reset": reset,
                "package_bytes": report.bytes,
                "evidence": len(report.evidence_ids),
            }
        )
    )


def export_once(work: Path, out: Path) -> dict:
    out.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(work), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def sha256sum_once(paths: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of `sha256sum` over the evidence blobs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(["sha256sum", *map(str, paths)], check=True, capture_output=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=1024**3, help="evidence bytes in all")
    parser.add_argument("--files", type=int, default=16, help="how many evidence files")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as name:
        work = Path(name)
        paths = prepare(work, args.bytes, args.files)
        evidence = sum(p.stat().st_size for p in paths)
        out = work / "package.zip"
        ours, theirs = [], []
        for _ in range(args.rounds):
            theirs.append(sha256sum_once(paths))
            ours.append(export_once(work, out))
            print(json.dumps({"bench": "package", "round": len(ours), **ours[-1]}))
        best = min(ours, key=lambda run: run["seconds"])
        baseline, baseline_cpu = min(theirs)
        mib = evidence / 1024**2
        ratio = (mib / best["seconds"]) / (mib / baseline)
        worst_growth = max((r["rss_peak_kib"] - r["rss_before_kib"]) / 1024 for r in ours)
        print(
            json.dumps(
                {
                    "bench": "package",
                    "bytes": evidence,
                    "files": len(paths),
                    "rounds": args.rounds,
                    "seconds": round(best["seconds"], 2),
                    "cpu_seconds": round(best["cpu_seconds"], 2),
                    "throughput_mib_s": round(mib / best["seconds"], 1),
                    "package_bytes": best["package_bytes"],
                    "baseline": "sha256sum over the same evidence bytes",
                    "baseline_seconds": round(baseline, 2),
                    "baseline_cpu_seconds": round(baseline_cpu, 2),
                    "baseline_mib_s": round(mib / baseline, 1),
                    "ratio": round(ratio, 2),
                    "rss_before_mib": round(best["rss_before_kib"] / 1024, 1),
                    "rss_growth_mib": round(worst_growth, 1),
                    "peak_reset": best["peak_reset"],
                    "goal": "ratio >= 0.5 and RSS growth <= 64 MiB",
                    "met": ratio >= 0.5 and worst_growth <= 64,
                }
            )
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        os.environ.setdefault("ARTICLE8_INSTANCE_DIR", tempfile.gettempdir())
        main()
