"""Every entry point stores evidence through the configured store (a bucket when EVIDENCE_STORE
names one): only article8.evidence.blobstore itself may pick the local directory."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "article8"


def test_no_entry_point_bypasses_the_configured_store():
    called = re.compile(r"\blocal_store\(")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "blobstore.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if called.search(line)
    ]
    assert not offenders, f"use evidence_store(settings) instead: {offenders}"
