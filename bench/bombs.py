"""Benchmark: spreadsheet and log bombs are refused fast and without inflating them (issue 11).

Generates each bomb (streamed to disk: a 2 GiB workbook is 9 MB, a 1 GiB line is a sparse
file) and has the real reader refuse it in a process of its own, timing the read and taking
the growth of the process's peak resident memory (VmHWM) across it. The readers are the ones
the imports use: the register import (XLSX), the catalogue's XLSX reader and the access-log
reader. Goal: every bomb refused within 2 s and with under 100 MB of extra memory.

Usage: python bench/bombs.py [--keep DIR]. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import bombs  # noqa: E402

GOAL_SECONDS = 2.0
GOAL_MIB = 100


def cases(directory: Path) -> list[tuple[str, str, Path]]:
    """(name, reader, file) of every bomb, generated into ``directory``."""
    unpacked = bombs.unpacked_bomb(directory / "2gib.xlsx")
    declared = bombs.declared_rows_bomb(directory / "declared.xlsx")
    return [
        ("xlsx unpacking to 2 GiB (register)", "register", unpacked),
        ("xlsx unpacking to 2 GiB (catalogue)", "catalogue", unpacked),
        ("xlsx of 64 MiB of empty rows", "register", bombs.empty_rows_bomb(directory / "e.xlsx")),
        ("xlsx declaring 2,000,000 rows", "register", declared),
        ("zip of 5,000 parts", "register", bombs.many_parts(directory / "parts.xlsx")),
        ("xlsx with a billion laughs", "register", bombs.entity_bomb(directory / "laughs.xlsx")),
        ("log line of 1 GiB", "log", bombs.endless_line(directory / "endless.jsonl")),
        (
            "JSON nested 400,000 deep",
            "log",
            bombs.json_log_line(directory / "deep.jsonl", "user", "[" * 400_000 + "]" * 400_000),
        ),
        (
            "JSON number of 900,000 digits",
            "log",
            bombs.json_log_line(directory / "number.jsonl", "records", "9" * 900_000),
        ),
    ]


def main() -> None:
    """Run every bomb and print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="generate the bombs here and keep them")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="article8-bombs-"))
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        results = []
        for name, reader, path in cases(directory):
            outcome = bombs.refuse_in_subprocess(reader, path)
            results.append(
                {
                    "bomb": name,
                    "file_bytes": path.stat().st_size,
                    "refused": outcome["message"] is not None,
                    "message": outcome["message"],
                    "seconds": round(outcome["seconds"], 3),
                    "extra_rss_mib": round(outcome["grown_mib"], 1),
                }
            )
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)
    met = all(
        r["refused"] and r["seconds"] < GOAL_SECONDS and r["extra_rss_mib"] < GOAL_MIB
        for r in results
    )
    print(
        json.dumps(
            {
                "bench": "bombs",
                "bombs": results,
                "max_seconds": max(r["seconds"] for r in results),
                "max_extra_rss_mib": max(r["extra_rss_mib"] for r in results),
                "wall_seconds": round(time.perf_counter() - started, 1),
                "goal": f"refused within {GOAL_SECONDS:g} s and < {GOAL_MIB} MB extra RSS",
                "met": met,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
