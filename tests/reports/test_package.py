"""The audit package: complete for hand-built data, and verify.py catches any change."""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from article8.core.models import AuditEvent
from article8.evidence.blobstore import LocalBlobStore
from article8.evidence.models import EvidenceItem
from article8.reports.package import PackageError
from article8.reports.package.contents import extension, slug
from article8.reports.package.readme import verify_script
from article8.reports.period import Period
from tests.support.package import (
    NOVEMBER,
    build_vault,
    export,
    manifest_of,
    read_member,
    run_verify,
    text_member,
    unzip,
)


@pytest.fixture
def store(tmp_path):
    return LocalBlobStore(tmp_path / "evidence")


@pytest.fixture
def vault(session, store, clock):
    return build_vault(session, store, clock)


@pytest.fixture
def package(session, settings, store, vault, tmp_path):
    out = tmp_path / "package.zip"
    report = export(session, settings, store, out)
    session.commit()
    return out, report


def test_the_package_holds_every_part_and_the_evidence_of_the_period(package, vault, session):
    out, report = package
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
    evidence = sorted(name for name in names if name.startswith("evidence/"))
    carried = vault.carried
    assert evidence == sorted(
        [
            f"evidence/{carried['replacement']}-Entry-log-v2.pdf",
            f"evidence/{carried['withdrawn_later']}-Withdrawn-in-November.pdf",
            f"evidence/{carried['expired_linked']}-Expired-linked.pdf",
            f"evidence/{carried['japanese']}-個人情報保護方針.pdf",
            f"evidence/{carried['hostile']}-ABC-report-script.pdf",
        ]
    )
    assert {"catalog.json", "assessment-results.json"} <= {
        name.removeprefix("oscal/") for name in names if name.startswith("oscal/")
    }
    others = {name for name in names if not name.startswith(("evidence/", "oscal/"))}
    assert others == {
        "README.txt",
        "verify.py",
        "audit-trail.jsonl",
        "workbook.xlsx",
        "manifest.csv",
    }
    assert names[-1] == "manifest.csv" and report.files == len(names)
    assert sorted(report.evidence_ids) == sorted(carried.values())


@pytest.mark.skipif(shutil.which("unzip") is None, reason="Info-ZIP unzip is not installed")
def test_an_independent_unzip_reads_the_package(package):
    out, _report = package
    tested = subprocess.run(["unzip", "-t", str(out)], capture_output=True, text=True)
    assert tested.returncode == 0 and "No errors detected" in tested.stdout, tested.stdout
    listing = subprocess.run(["zipinfo", str(out)], capture_output=True, text=True).stdout
    assert "-rwxr-xr-x" in next(line for line in listing.splitlines() if "verify.py" in line)


def test_the_manifest_lists_every_file_with_its_hash_size_evidence_and_links(
    package, vault, store, tmp_path
):
    out, _report = package
    folder = unzip(out, tmp_path / "unzipped")
    rows = manifest_of(folder)
    assert list(rows[0]) == ["path", "sha256", "bytes", "evidence_id", "controls", "inspection"]
    listed = {row["path"]: row for row in rows}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
        "manifest.csv"
    }
    assert set(listed) == on_disk
    for name, row in listed.items():
        content = (folder / name).read_bytes()
        assert row["sha256"] == hashlib.sha256(content).hexdigest(), name
        assert int(row["bytes"]) == len(content), name
    by_id = {int(row["evidence_id"]): row for row in rows if row["evidence_id"]}
    assert set(by_id) == set(vault.carried.values())
    hostile = by_id[vault.carried["hostile"]]
    assert hostile["controls"] == "HB-01 HB-02" and hostile["inspection"] == ""
    assert by_id[vault.carried["expired_linked"]]["inspection"] == str(vault.inspection_id)
    # The bytes are the stored evidence, byte for byte (the store's address is their SHA-256).
    for row in by_id.values():
        assert store.hash_of(row["sha256"]) == row["sha256"]


def test_the_audit_trail_holds_the_period_and_the_link_before_it(package, session, settings):
    out, report = package
    lines = [json.loads(line) for line in text_member(out, "audit-trail.jsonl").splitlines()]
    tz = settings.timezone
    in_period = session.scalars(
        select(AuditEvent.seq)
        .where(
            AuditEvent.occurred_at >= NOVEMBER.starts_at(tz),
            AuditEvent.occurred_at < NOVEMBER.ends_at(tz),
        )
        .order_by(AuditEvent.seq)
    ).all()
    assert [line["seq"] for line in lines] == list(range(in_period[0] - 1, lines[-1]["seq"] + 1))
    before = session.get(AuditEvent, lines[0]["seq"])
    assert before.occurred_at < NOVEMBER.starts_at(tz)  # an October event: the link before
    assert (report.first_seq, report.last_seq) == (lines[0]["seq"], lines[-1]["seq"])
    stored = session.get(AuditEvent, lines[-1]["seq"])
    assert lines[-1]["hash"] == stored.hash and lines[-1]["details"] == stored.details
    assert set(lines[0]) == {
        "seq",
        "occurred_at",
        "actor_id",
        "actor",
        "action",
        "object_type",
        "object_id",
        "details",
        "client_addr",
        "prev_hash",
        "hash",
    }


def test_the_workbook_oscal_and_readme_are_readable(package, tmp_path, settings):
    out, report = package
    workbook = tmp_path / "workbook.xlsx"
    workbook.write_bytes(read_member(out, "workbook.xlsx"))
    assert hashlib.sha256(workbook.read_bytes()).hexdigest() == report.workbook_sha256
    book = openpyxl.load_workbook(workbook, read_only=True)
    assert "Evidence" in book.sheetnames
    book.close()
    catalog = json.loads(read_member(out, "oscal/catalog.json"))
    assert "catalog" in catalog
    readme = text_member(out, "README.txt")
    assert "2026-11-01 – 2026-11-30" in readme and settings.organisation in readme
    assert "python3 verify.py" in readme and "manifest.csv" in readme


def test_its_sha256_is_recorded_in_the_audit_trail(package, session):
    out, report = package
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export.package")).one()
    details = json.loads(event.details)
    assert details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() == report.sha256
    assert details["bytes"] == out.stat().st_size
    assert (
        details["manifest_sha256"] == hashlib.sha256(read_member(out, "manifest.csv")).hexdigest()
    )
    assert (details["from"], details["to"], details["lang"]) == ("2026-11-01", "2026-11-30", "en")
    assert sorted(details["evidence"]) == sorted(report.evidence_ids)


def test_verify_passes_on_the_package_as_made(package, tmp_path):
    out, report = package
    result = run_verify(unzip(out, tmp_path / "as-made"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"sequences {report.first_seq} to {report.last_seq}" in result.stdout
    assert result.stdout.rstrip().endswith("Verification passed.")


def test_verify_names_an_evidence_file_changed_by_one_byte(package, vault, tmp_path):
    out, _report = package
    folder = unzip(out, tmp_path / "tampered")
    target = next((folder / "evidence").glob(f"{vault.carried['japanese']}-*"))
    content = bytearray(target.read_bytes())
    content[10] ^= 0x01
    target.write_bytes(bytes(content))
    result = run_verify(folder)
    assert result.returncode == 1
    name = target.relative_to(folder).as_posix()
    assert f"NG: {name}: its SHA-256 does not match the manifest." in result.stdout


def test_verify_names_a_changed_manifest_line(package, tmp_path):
    out, _report = package
    folder = unzip(out, tmp_path / "manifest")
    manifest = folder / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(n for n, line in enumerate(lines) if line.startswith("evidence/"))
    path, digest, rest = lines[n].split(",", 2)
    lines[n] = ",".join([path, digest[:-1] + ("0" if digest[-1] != "0" else "1"), rest])
    manifest.write_text("".join(lines), encoding="utf-8", newline="")
    result = run_verify(folder)
    assert result.returncode == 1
    assert f"NG: {path}: its SHA-256 does not match the manifest." in result.stdout


def test_verify_names_a_malformed_manifest_line_and_an_unlisted_file(package, tmp_path):
    out, _report = package
    folder = unzip(out, tmp_path / "malformed")
    manifest = folder / "manifest.csv"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = "../outside.txt," + lines[2].split(",", 1)[1]
    manifest.write_text("".join(lines), encoding="utf-8", newline="")
    result = run_verify(folder)
    assert result.returncode == 1 and "NG: manifest.csv line 3:" in result.stdout
    folder = unzip(out, tmp_path / "planted")
    (folder / "evidence" / "99-planted.pdf").write_bytes(b"%PDF-1.7\n")
    result = run_verify(folder)
    assert result.returncode == 1
    assert "NG: evidence/99-planted.pdf: the file is not in the manifest." in result.stdout


@pytest.mark.parametrize("change", ["details", "hash", "drop"])
def test_verify_names_the_sequence_of_a_changed_audit_event(package, tmp_path, change):
    out, _report = package
    folder = unzip(out, tmp_path / f"trail-{change}")
    trail = folder / "audit-trail.jsonl"
    events = [json.loads(line) for line in trail.read_text(encoding="utf-8").splitlines()]
    victim = events[2]
    if change == "details":
        victim["details"] = victim["details"].replace("}", ',"x":1}', 1)
        expected = f"NG: audit trail sequence {victim['seq']}: its hash does not match"
    elif change == "hash":
        victim["hash"] = "f" * 64
        expected = f"NG: audit trail sequence {victim['seq']}: its hash does not match"
    else:
        events.remove(victim)
        expected = f"NG: audit trail sequence {victim['seq'] + 1}: expected sequence"
    trail.write_text(
        "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8"
    )
    result = run_verify(folder)
    assert result.returncode == 1
    assert expected in result.stdout, result.stdout


def test_verify_runs_on_python_3_9_and_the_standard_library_alone():
    source = verify_script(lambda text, **values: text % values if values else text)
    tree = ast.parse(source, feature_version=(3, 9))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
    # Nothing newer than 3.9 from the library either (the grammar check does not see calls).
    for newer in (
        "file_digest",
        "strict=",
        "tomllib",
        "ExceptionGroup",
        "from datetime import UTC",
    ):
        assert newer not in source, newer


def test_a_missing_evidence_file_refuses_the_package_and_leaves_no_file(
    session, settings, store, vault, tmp_path
):
    item = session.get(EvidenceItem, vault.carried["hostile"])
    store.path(item.sha256).unlink()
    out = tmp_path / "refused.zip"
    with pytest.raises(PackageError, match=f"Evidence {item.id}: its file is missing"):
        export(session, settings, store, out)
    assert list(tmp_path.glob("refused.zip*")) == []
    assert list(tmp_path.glob(".refused.zip*")) == []


def test_a_changed_evidence_file_refuses_the_package(session, settings, store, vault, tmp_path):
    item = session.get(EvidenceItem, vault.carried["replacement"])
    path = store.path(item.sha256)
    path.chmod(0o640)
    content = bytearray(path.read_bytes())
    content[-2] ^= 0x01
    path.write_bytes(bytes(content))
    out = tmp_path / "refused.zip"
    with pytest.raises(PackageError, match=f"Evidence {item.id}: the stored file no longer"):
        export(session, settings, store, out)
    assert not out.exists()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("ＡＢＣ　報告書", "ABC-報告書"),
        ("個人情報保護方針", "個人情報保護方針"),
        ("入退室記録（2026年11月）.pdf", "入退室記録-2026年11月-pdf"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("—/…", "evidence"),
        ("C:\\Windows\\system32", "C-Windows-system32"),
        ("..", "evidence"),
        ("a" * 300, "a" * 60),
        ("report\x00\n.pdf", "report-pdf"),
        ("a_b", "a-b"),
    ],
)
def test_titles_become_short_safe_names(title, expected):
    assert slug(title) == expected


def test_only_accepted_extensions_survive():
    assert extension("scan.PDF") == ".pdf"
    assert extension("archive.tar.gz") == ".bin"
    assert extension("..\\..\\evil.exe") == ".bin"
    assert extension("noextension") == ".bin"


# --- the Japanese package (needs the Japanese catalogue) ---------------------------------------


def test_the_japanese_package_speaks_to_a_ppc_inspector(session, settings, store, vault, tmp_path):
    out = tmp_path / "ja.zip"
    export(session, settings, store, out, lang="ja")
    readme = text_member(out, "README.txt")
    assert readme.startswith("article8 監査パッケージ")
    for words in ("対象期間", "証跡", "監査ログ", "監査用ブック", "python3 verify.py"):
        assert words in readme, words
    assert "監査証跡" not in readme and "エビデンス" not in readme  # the glossary's "not"s
    result = run_verify(unzip(out, tmp_path / "ja"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.rstrip().endswith("検証に成功しました。")


def test_a_period_without_events_or_evidence_still_verifies(session, settings, store, tmp_path):
    out = tmp_path / "empty.zip"
    january = Period(date(2020, 1, 1), date(2020, 1, 31))
    report = export(session, settings, store, out, period=january)
    assert report.evidence_ids == [] and report.first_seq is None
    assert text_member(out, "audit-trail.jsonl") == ""
    result = run_verify(unzip(out, tmp_path / "empty"))
    assert result.returncode == 0, result.stdout
    assert "OK: the audit trail holds no event for this period." in result.stdout


def test_identity_documents_never_travel_in_a_package(session, settings, store, vault, tmp_path):
    # An identity document of a request from an individual (issue 16) is restricted evidence:
    # only the responsible person and administrators see it, and a package goes to auditors.
    identity = session.get(EvidenceItem, vault.carried["replacement"])
    identity.restricted = True
    session.commit()
    out = tmp_path / "restricted.zip"
    report = export(session, settings, store, out)
    assert identity.id not in report.evidence_ids
    paths = [row["path"] for row in manifest_of(unzip(out, tmp_path / "restricted"))]
    assert not [p for p in paths if p.startswith(f"evidence/{identity.id}-")]
    assert set(vault.carried.values()) - {identity.id} <= set(report.evidence_ids)
