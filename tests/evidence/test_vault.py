"""The evidence vault: content-addressed, write-once, crash-safe, and strict about file types."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from article8.core.db import make_engine
from article8.core.errors import ValidationError
from article8.evidence import services
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.errors import EvidenceTooLarge
from article8.evidence.models import EvidenceItem
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR, TEST_ARGON2

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "evidence")


@pytest.fixture
def catalogue(synced_catalogue):
    """The shipped catalogue, synced."""


def upload(session, store, clock, content: bytes, name: str = "policy.pdf", **fields):
    max_bytes = fields.pop("max_bytes", 5 * MB)
    data = services.EvidenceInput(
        filename=name,
        title=fields.pop("title", "Policy"),
        collected_on=fields.pop("collected_on", date(2026, 11, 1)),
        control_codes=fields.pop("controls", ["BP-01"]),
        **fields,
    )
    return services.add_evidence(
        session, store, SYSTEM_ACTOR, io.BytesIO(content), data, max_bytes=max_bytes, now=clock()
    )


def objects(store) -> list[Path]:
    return sorted(p for p in store.objects.rglob("*") if p.is_file())


def test_identical_content_is_stored_once(session, store, clock, catalogue):
    first = upload(session, store, clock, PDF, controls=["BP-01"])
    second = upload(session, store, clock, PDF, name="copy.pdf", controls=["BP-02"])
    assert first.sha256 == second.sha256 and first.id != second.id
    assert objects(store) == [store.path(first.sha256)]
    assert store.path(first.sha256).read_bytes() == PDF
    assert oct(store.path(first.sha256).stat().st_mode & 0o777) == "0o440"


def test_a_new_version_supersedes_the_old_and_keeps_its_history(session, store, clock, catalogue):
    first = upload(session, store, clock, PDF)
    second = upload(session, store, clock, PDF + b"% v2\n", replaces_id=first.id)
    assert (first.status, second.status) == ("superseded", "current")
    assert (second.series_id, second.version) == (first.id, 2)
    with pytest.raises(ValidationError, match="Only the current version"):
        upload(session, store, clock, PDF, replaces_id=first.id)


def test_withdrawn_evidence_stays_with_its_reason(session, store, clock, catalogue):
    item = upload(session, store, clock, PDF)
    with pytest.raises(ValidationError, match="reason"):
        services.withdraw(session, SYSTEM_ACTOR, item, "  ", now=clock())
    services.withdraw(session, SYSTEM_ACTOR, item, "Uploaded to the wrong control", now=clock())
    assert session.get(EvidenceItem, item.id).status == "withdrawn"
    assert store.exists(item.sha256)  # bytes are never deleted


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script>", "expected PDF"),
        ("report.pdf", b"", "The file is empty"),
        ("photo.png", b"\xff\xd8\xff\xe0JFIF", "expected PNG"),
        ("notes.txt", b"<html><body>hi</body></html>", "expected TXT"),
        ("data.json", b"\x00\x01\x02binary", "expected JSON"),
        ("run.exe", b"MZ\x90\x00", "not accepted"),
        ("report.pdf.exe", PDF, "not accepted"),
        ("sheet.xlsx", b"PK\x03\x04garbage", "expected XLSX"),
        ("mail.eml", b"just some words", "expected EML"),
    ],
)
def test_files_whose_content_does_not_match_are_rejected_and_nothing_is_kept(
    session, store, clock, catalogue, name, content, message
):
    with pytest.raises(ValidationError, match=message):
        upload(session, store, clock, content, name=name)
    assert objects(store) == [] and store.incomplete() == []
    assert session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("roster.csv", "社員番号,氏名\n1,山田\n".encode()),
        ("roster_sjis.csv", "社員番号,氏名\n1,山田\n".encode("cp932")),
        ("access.log", b"2026-11-24T10:00:00+09:00 login ok\n"),
        ("export.json", b' {"a": 1}'),
        ("notice.eml", b"From: a@example.com\r\nSubject: x\r\n\r\nbody"),
        ("bundle.zip", _zip({"a.txt": b"x"})),
        ("book.xlsx", _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})),
        ("memo.docx", _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"})),
    ],
)
def test_allowed_types_are_accepted(session, store, clock, catalogue, name, content):
    item = upload(session, store, clock, content, name=name)
    assert item.size == len(content)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\windows\\system.ini.pdf",
        "evil\x00name.pdf",
        "a" * 5000 + ".pdf",
        "/absolute/path.pdf",
        "\u202eflipped.pdf",
        "規程　最新版.pdf",
    ],
)
def test_hostile_file_names_are_harmless(session, store, clock, catalogue, name, tmp_path):
    item = upload(session, store, clock, PDF, name=name)
    assert "/" not in item.original_name and "\\" not in item.original_name
    assert "\x00" not in item.original_name and "\u202e" not in item.original_name
    assert len(item.original_name) <= 200 and item.original_name.endswith(".pdf")
    assert objects(store) == [store.path(item.sha256)]
    assert not (tmp_path.parent / "etc").exists()


def test_an_oversize_upload_is_refused_and_leaves_nothing(session, store, clock, catalogue):
    with pytest.raises(EvidenceTooLarge) as caught:
        upload(session, store, clock, PDF + b"x" * (2 * MB), max_bytes=MB)
    assert caught.value.status_code == 413 and "1 MB" in str(caught.value)
    assert objects(store) == [] and store.incomplete() == []


def test_unknown_controls_and_backwards_dates_are_refused(session, store, clock, catalogue):
    with pytest.raises(ValidationError, match="No control with code NOPE-01"):
        upload(session, store, clock, PDF, controls=["NOPE-01"])
    with pytest.raises(ValidationError, match="before the collection date"):
        upload(session, store, clock, PDF, valid_until=date(2026, 10, 1))


CRASH = textwrap.dedent("""
    import io, os, sys
    from datetime import date, datetime, UTC
    from article8.core.audit import Actor
    from article8.core.db import Database
    from article8.core.settings import Settings
    from article8.evidence import services
    from article8.evidence.blobstore import local_store

    settings = Settings.from_env()
    where = sys.argv[1]

    class Dying(io.BytesIO):
        def read(self, size=-1):
            chunk = super().read(64 * 1024)
            if where == "during-blob" and self.tell() > 200_000:
                os._exit(17)
            return chunk

    database = Database.from_url(settings.database_url)
    session = database.session()
    data = services.EvidenceInput(filename="big.pdf", title="t", collected_on=date(2026, 11, 1),
                                  control_codes=["BP-01"])
    services.add_evidence(session, local_store(settings), Actor(None, "crash"),
                          Dying(b"%PDF-1.7\\n" + b"x" * 1_000_000), data, max_bytes=10**8,
                          now=datetime.now(UTC))
    if where == "between-blob-and-row":
        os._exit(17)  # the row was flushed but never committed
    session.commit()
""")


@pytest.mark.parametrize("where", ["during-blob", "between-blob-and-row"])
def test_a_crash_leaves_a_consistent_store_that_verify_explains(
    fresh_database_url, tmp_path, where
):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    env = {
        **os.environ,
        **TEST_ARGON2,
        "DATABASE_URL": fresh_database_url,
        "ARTICLE8_INSTANCE_DIR": str(tmp_path / "instance"),
    }
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, where], env=env, check=False, capture_output=True, timeout=120
    )
    assert crashed.returncode == 17, crashed.stderr
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(EvidenceItem)) == 0
    finally:
        engine.dispose()
    report = article8(fresh_database_url, tmp_path, "evidence", "verify", "--format", "json")
    assert report.returncode == 0, report.stderr  # nothing missing, nothing corrupt
    found = json.loads(report.stdout)
    if where == "during-blob":
        assert found["orphans"] == [] and len(found["incomplete"]) == 1
    else:
        assert len(found["orphans"]) == 1 and found["incomplete"] == []
    # Moments old: the default grace period (an hour) leaves both alone.
    young = article8(
        fresh_database_url, tmp_path, "evidence", "verify", "--sweep", "--format", "json"
    )
    assert young.returncode == 0, young.stderr
    assert json.loads(young.stdout)["moved"] == [] and json.loads(young.stdout)["discarded"] == []
    assert json.loads(young.stdout)["orphans"] == found["orphans"]
    swept = article8(
        fresh_database_url,
        tmp_path,
        "evidence",
        "verify",
        "--sweep",
        env={"ARTICLE8_SWEEP_GRACE_MINUTES": "0"},
    )
    assert swept.returncode == 0, swept.stderr
    again = json.loads(
        article8(fresh_database_url, tmp_path, "evidence", "verify", "--format", "json").stdout
    )
    assert again["orphans"] == [] and again["incomplete"] == []


def test_a_corrupted_blob_fails_verify_naming_the_item(fresh_database_url, tmp_path):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(PDF)
    added = article8(
        fresh_database_url,
        tmp_path,
        "evidence",
        "add",
        str(pdf),
        "--control",
        "BP-01",
        "--title",
        "基本方針",
    )
    assert added.returncode == 0, added.stderr
    item = json.loads(added.stdout)
    blob = LocalBlobStore(tmp_path / "instance" / "evidence").path(item["sha256"])
    blob.chmod(0o640)
    blob.write_bytes(PDF + b"tampered")
    result = article8(fresh_database_url, tmp_path, "evidence", "verify")
    assert result.returncode == 1
    assert f"evidence {item['id']}: blob {item['sha256']} does not match its hash" in result.stderr
    blob.unlink()
    missing = article8(fresh_database_url, tmp_path, "evidence", "verify")
    assert missing.returncode == 1 and "is missing" in missing.stderr
