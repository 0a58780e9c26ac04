#!/usr/bin/env python3
"""Check an article8 audit package: every file against manifest.csv, and the audit trail.

Run it in the folder the package was unzipped into: ``python3 verify.py``. It needs Python 3.9
or later and nothing else (the standard library only). It prints one line per check and exits
with status 0 when everything matches, 1 naming the first file or audit-trail sequence that
does not (2 when the folder is not an audit package).

This file is written into every package by article8; the exporter fills in MESSAGES in the
package's language. It must keep running on Python 3.9: no syntax or library newer than that.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from pathlib import Path

MANIFEST = "manifest.csv"
TRAIL = "audit-trail.jsonl"
COLUMNS = ["path", "sha256", "bytes", "evidence_id", "controls", "inspection"]
# Folders whose every file must be in the manifest: nothing may be slipped in beside the rest.
LISTED_FOLDERS = ("evidence", "oscal")
# What each event's hash covers (article8.core.audit.event_hash), then its two links.
HASHED = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "details",
    "client_addr",
)
GENESIS = "0" * 64
HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024

# The messages in the package's language (written by the exporter).
MESSAGES: dict[str, str] = {}


class Problem(Exception):
    """The package does not check out; the message names the file or sequence at fault."""


def say(key: str, **values: object) -> str:
    """The message ``key`` with its values filled in."""
    return MESSAGES[key] % values


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks (evidence may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        chunk = handle.read(CHUNK)
        while chunk:
            digest.update(chunk)
            chunk = handle.read(CHUNK)
    return digest.hexdigest()


def inside(name: str) -> bool:
    """Whether ``name`` is a relative path that stays inside the package folder."""
    parts = name.split("/")
    # No backslash or colon either: on Windows they would name another folder or a drive.
    odd = "\\" in name or ":" in name
    return bool(name) and not odd and not name.startswith("/") and ".." not in parts


def check_files(root: Path) -> int:
    """Every manifest line against its file; then no unlisted file in the listed folders."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise Problem(say("missing", path=MANIFEST))
    listed = set()
    with manifest.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        if next(reader, None) != COLUMNS:
            raise Problem(say("manifest_header", columns=",".join(COLUMNS)))
        for row in reader:
            line = reader.line_num
            if len(row) != len(COLUMNS):
                raise Problem(say("manifest_line", line=line))
            name, digest, size = row[0], row[1], row[2]
            if not inside(name) or not HEX64.match(digest) or not size.isdigit():
                raise Problem(say("manifest_line", line=line))
            path = root / name
            if not path.is_file():
                raise Problem(say("missing", path=name))
            found = path.stat().st_size
            if found != int(size):
                raise Problem(say("size", path=name, found=found, expected=int(size)))
            if sha256_of(path) != digest:
                raise Problem(say("hash", path=name))
            listed.add(name)
    for folder in LISTED_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_file() and name not in listed:
                raise Problem(say("unlisted", path=name))
    return len(listed)


def event_hash(event: dict[str, object]) -> str:
    """The hash article8 computes: SHA-256 of the canonical JSON of the hashed fields (keys
    sorted, no spaces, non-ASCII as is) followed by the previous hash."""
    body = json.dumps(
        {key: event[key] for key in HASHED},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    previous = str(event["prev_hash"])
    return hashlib.sha256(body.encode("utf-8") + previous.encode("ascii")).hexdigest()


def read_event(text: str, line: int) -> dict[str, object]:
    """One line of the audit trail as an event, or the problem naming the line."""
    try:
        event = json.loads(text)
    except ValueError:
        event = None
    keys = (*HASHED, "prev_hash", "hash")
    if (
        not isinstance(event, dict)
        or any(key not in event for key in keys)
        or not isinstance(event["seq"], int)
        or not isinstance(event["prev_hash"], str)
        or not HEX64.match(event["prev_hash"])
    ):
        raise Problem(say("trail_line", line=line, keys=", ".join(keys)))
    return event


def check_trail(root: Path) -> tuple[int, int, str] | None:
    """Recompute every event's hash and every link: the first and last sequence and the last
    hash, or None when the trail holds no event."""
    path = root / TRAIL
    if not path.is_file():
        raise Problem(say("missing", path=TRAIL))
    before: dict[str, object] | None = None
    first = 0
    with path.open(encoding="utf-8") as handle:
        for line, text in enumerate(handle, 1):
            if not text.strip():
                continue
            event = read_event(text, line)
            seq = int(str(event["seq"]))
            if before is None:
                first = seq
                if seq == 1 and event["prev_hash"] != GENESIS:
                    raise Problem(say("trail_link", seq=seq))
            else:
                expected = int(str(before["seq"])) + 1
                if seq != expected:
                    raise Problem(say("trail_gap", seq=seq, expected=expected))
                if event["prev_hash"] != before["hash"]:
                    raise Problem(say("trail_link", seq=seq))
            if event_hash(event) != event["hash"]:
                raise Problem(say("trail_hash", seq=seq))
            before = event
    if before is None:
        return None
    return first, int(str(before["seq"])), str(before["hash"])


def main(argv: list[str]) -> int:
    """Check the package in the folder of this script (or the one given); print; the status."""
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    if not MESSAGES:
        print("verify.py: no messages; use the copy inside an article8 audit package")
        return 2
    try:
        trail = check_trail(root)
        if trail is None:
            print(say("ok_no_events"))
        else:
            print(say("ok_trail", first=trail[0], last=trail[1], hash=trail[2]))
        print(say("ok_files", count=check_files(root)))
    except Problem as problem:
        print(problem)
        print(say("failed"))
        return 1
    print(say("passed"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
