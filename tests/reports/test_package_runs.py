"""The audit package as processes make it: `article8 export package`, and an export killed
midway (SIGKILL while evidence streams) that leaves no file under its name."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import zipfile

import pytest
from sqlalchemy import select

from article8.core.db import Database
from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from tests.cli_runner import article8
from tests.conftest import FakeClock, settings_for
from tests.support.package import build_vault, export, run_verify, unzip
from tests.support.processes import Lines

# --- a killed export -------------------------------------------------------------------------

_KILLABLE_EXPORT = """
import sys
from datetime import date, datetime, UTC
from pathlib import Path
from article8.core.audit import Actor
from article8.core.db import Database
from article8.core.settings import Settings
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.models import EvidenceItem
from article8.reports.package import write_package
from article8.reports.period import Period

url, instance, evidence, out = sys.argv[1:5]
settings = Settings.from_env(
    {"DATABASE_URL": url, "ARTICLE8_INSTANCE_DIR": instance, "SECRET_KEY": "kill"}
)

def stop_midway(done, total):
    # The first evidence chunk is in the ZIP: say so, then wait to be killed.
    print("writing evidence", done, total, flush=True)
    sys.stdin.read()

with Database.from_url(url).unit_of_work() as session:
    write_package(
        session, Path(out), store=LocalBlobStore(Path(evidence)), settings=settings,
        period=Period(date(2026, 11, 1), date(2026, 11, 30)), lang="en",
        actor=Actor(None, "kill-test"), now=datetime(2026, 11, 24, 3, tzinfo=UTC),
        progress=stop_midway,
    )
print("finished", flush=True)
"""


def test_a_killed_export_leaves_no_file_under_its_name(fresh_database_url, tmp_path):
    database = Database.from_url(fresh_database_url)
    store = LocalBlobStore(tmp_path / "evidence")
    with database.session() as session:
        build_vault(session, store, FakeClock())
    database.bind.dispose()
    out = tmp_path / "out" / "package.zip"
    out.parent.mkdir()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILLABLE_EXPORT,
            fresh_database_url,
            str(tmp_path / "instance"),
            str(store.root),
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    said = Lines(child.stdout)
    try:
        said.wait_for("writing evidence")
        # Mid-export: a temporary file beside the target holds the ZIP so far.
        assert [p.name for p in out.parent.iterdir() if p.name.startswith(".package.zip.")]
        assert not out.exists()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        said.thread.join(timeout=60)
        child.stdin.close()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, "".join(said.seen)
    assert not out.exists()
    # Nothing was recorded either: the export's transaction died with it.
    database = Database.from_url(fresh_database_url)
    with database.session() as session:
        recorded = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export.package")
        ).all()
    database.bind.dispose()
    assert recorded == []
    settings = settings_for(fresh_database_url, tmp_path / "instance")
    database = Database.from_url(fresh_database_url)
    with database.unit_of_work() as session:
        export(session, settings, store, out)
    database.bind.dispose()
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None


# --- the command -----------------------------------------------------------------------------


def _committed_vault(url: str, evidence_dir) -> None:
    database = Database.from_url(url)
    with database.session() as session:
        build_vault(session, LocalBlobStore(evidence_dir), FakeClock())
    database.bind.dispose()


def test_the_command_writes_the_package_and_says_what_it_holds(fresh_database_url, tmp_path):
    _committed_vault(fresh_database_url, tmp_path / "instance" / "evidence")
    out = tmp_path / "package.zip"
    done = article8(
        fresh_database_url,
        tmp_path,
        "export",
        "package",
        "--out",
        str(out),
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--lang",
        "en",
    )
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert said["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (said["evidence"], said["bytes"]) == (5, out.stat().st_size)
    result = run_verify(unzip(out, tmp_path / "unzipped"))
    assert result.returncode == 0, result.stdout
    assert article8(fresh_database_url, tmp_path, "audit", "verify").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--out", "{tmp}/missing/package.zip"), "--out: the folder"),
        (("--out", "{tmp}/p.zip", "--from", "2026-11-30", "--to", "2026-11-01"), "--to is before"),
        (("--out", "{tmp}/p.zip", "--from", "30/11/2026"), "--from: '30/11/2026' is not a date"),
    ],
)
def test_the_command_refuses_bad_options_and_writes_nothing(
    fresh_database_url, tmp_path, args, message
):
    args = tuple(arg.format(tmp=tmp_path) for arg in args)
    done = article8(fresh_database_url, tmp_path, "export", "package", *args)
    assert done.returncode == 2 and message in done.stderr
    assert list(tmp_path.glob("*.zip")) == []
