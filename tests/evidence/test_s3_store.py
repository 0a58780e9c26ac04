"""Evidence on S3 (issue 18): the same vault on a real S3 API server (moto's, on loopback):
uploads land at their content address with Object Lock, nothing is overwritten or deleted,
verify re-hashes and reports short retention, downloads stay in the audit trail."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from article8.core.settings import S3Settings
from article8.evidence import services
from article8.evidence.blobstore import BlobStore, StoredBlob, evidence_store
from article8.evidence.integrity import sweep_store, verify_store
from article8.evidence.s3store import PART, S3BlobStore
from tests.cli_runner import article8
from tests.conftest import SYSTEM_ACTOR, settings_for
from tests.databases import provisioned
from tests.support.evidence import MB, PDF, add_item, events

KEY = "article8/evidence"


@pytest.fixture
def s3_env(s3_server, s3_bucket) -> dict[str, str]:
    """The settings that put evidence in the test's bucket, locked for 30 days."""
    return {
        "EVIDENCE_STORE": f"s3://{s3_bucket}/{KEY}",
        "S3_ENDPOINT_URL": s3_server.endpoint_url,
        "S3_OBJECT_LOCK_DAYS": "30",
    }


@pytest.fixture
def settings_env(s3_env) -> dict[str, str]:
    """The app's settings name the bucket."""
    return s3_env


@pytest.fixture
def store(settings) -> BlobStore:
    """The store the app uses: the bucket."""
    return evidence_store(settings)


def _add(session, store, clock, content: bytes):
    data = services.EvidenceInput(
        filename="other.pdf",
        title="Other",
        collected_on=date(2026, 11, 1),
        control_codes=["ORG-04"],
    )
    item = services.add_evidence(
        session, store, SYSTEM_ACTOR, io.BytesIO(content), data, max_bytes=MB, now=clock()
    )
    session.commit()
    return item


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_evidence_store_names_the_bucket_when_configured(settings, store, s3_bucket):
    assert isinstance(store, S3BlobStore)
    assert settings.s3 == S3Settings(
        bucket=s3_bucket,
        prefix=KEY,
        endpoint_url=settings.s3.endpoint_url,
        lock_days=30,
        lock_mode="COMPLIANCE",
    )


def test_an_upload_lands_at_its_content_address_locked_and_reads_back(
    session, store, clock, s3_server, s3_bucket, synced_catalogue
):
    item = add_item(session, store, clock)
    key = f"{KEY}/objects/{item.sha256[:2]}/{item.sha256[2:4]}/{item.sha256}"
    head = s3_server.client().head_object(Bucket=s3_bucket, Key=key, ChecksumMode="ENABLED")
    # S3 keeps the SHA-256 it checked on arrival: it is the content address itself.
    assert base64.b64decode(head["ChecksumSHA256"]).hex() == item.sha256 == _sha(PDF)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=29)
    with store.open(item.sha256) as stored:
        assert stored.read() == PDF
    report = verify_store(session, store)
    assert report.ok and report.checked == 1 and report.orphans == []


def test_a_large_file_goes_up_in_parts_hashed_on_the_way(store, s3_server, s3_bucket):
    data = os.urandom(PART + 1234)  # two parts
    blob = store.put(io.BytesIO(data))
    assert blob.created and blob.size == len(data) and blob.sha256 == _sha(data)
    assert store.hash_of(blob.sha256) == blob.sha256
    key = store.key(blob.sha256)
    head = s3_server.client().head_object(Bucket=s3_bucket, Key=key)
    assert head["ContentLength"] == len(data) and head["ObjectLockMode"] == "COMPLIANCE"
    assert store.incomplete() == []  # the multipart upload was completed, not left open


def test_identical_content_is_never_written_again(store, s3_server, s3_bucket):
    first = store.put(io.BytesIO(PDF))
    second = store.put(io.BytesIO(PDF))
    assert (first.created, second.created) == (True, False)
    versions = s3_server.client().list_object_versions(Bucket=s3_bucket, Prefix=KEY)
    assert [v["Key"] for v in versions.get("Versions", [])] == [store.key(first.sha256)]


def test_writers_racing_with_the_same_new_file_store_it_once(serial_s3_server, tmp_path):
    # Four nodes at once: their HEADs may all find nothing; the conditional write (If-None-Match)
    # then lets exactly one complete, and the others count it as already stored. (On a server
    # whose conditional writes are atomic, as S3's and MinIO's are: see tests/support/s3.py.)
    s3_server = serial_s3_server
    s3_bucket = s3_server.new_bucket()
    store = evidence_store(
        settings_for(
            "sqlite:///unused.db",
            tmp_path,
            EVIDENCE_STORE=f"s3://{s3_bucket}/{KEY}",
            S3_ENDPOINT_URL=s3_server.endpoint_url,
            S3_OBJECT_LOCK_DAYS="1",
        )
    )
    data = os.urandom(PART + 1)  # in parts: a wide window between HEAD and completion
    start = threading.Barrier(4)
    results: list[StoredBlob] = []

    def write() -> None:
        start.wait()
        results.append(store.put(io.BytesIO(data)))

    writers = [threading.Thread(target=write) for _ in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert sorted(r.created for r in results) == [False, False, False, True]
    versions = s3_server.client().list_object_versions(Bucket=s3_bucket, Prefix=KEY)
    assert len(versions.get("Versions", [])) == 1
    assert store.hash_of(_sha(data)) == _sha(data) and store.incomplete() == []


def test_a_conditional_write_refuses_to_replace_a_stored_object(store, s3_server, s3_bucket):
    # What keeps two nodes racing to store the same file from overwriting: If-None-Match.
    blob = store.put(io.BytesIO(PDF))
    with pytest.raises(ClientError) as refused:
        s3_server.client().put_object(
            Bucket=s3_bucket, Key=store.key(blob.sha256), Body=b"other bytes", IfNoneMatch="*"
        )
    assert refused.value.response["Error"]["Code"] == "PreconditionFailed"
    assert store.hash_of(blob.sha256) == blob.sha256


def test_deleting_a_locked_object_through_the_s3_api_is_refused(store, s3_server, s3_bucket):
    blob = store.put(io.BytesIO(PDF))
    client = s3_server.client()
    key = store.key(blob.sha256)
    version = client.head_object(Bucket=s3_bucket, Key=key)["VersionId"]
    for extra in ({}, {"BypassGovernanceRetention": True}):  # compliance: not even with bypass
        with pytest.raises(ClientError) as refused:
            client.delete_object(Bucket=s3_bucket, Key=key, VersionId=version, **extra)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert store.hash_of(blob.sha256) == blob.sha256


def test_governance_mode_is_configurable(s3_server, s3_bucket, tmp_path, s3_env):
    settings = settings_for(
        "sqlite:///unused.db", tmp_path, **s3_env, S3_OBJECT_LOCK_MODE="governance"
    )
    store = evidence_store(settings)
    blob = store.put(io.BytesIO(PDF))
    head = s3_server.client().head_object(Bucket=s3_bucket, Key=store.key(blob.sha256))
    assert head["ObjectLockMode"] == "GOVERNANCE"


def test_verify_reports_objects_locked_for_less_than_configured(
    session, s3_server, s3_bucket, tmp_path, clock, synced_catalogue, s3_env
):
    briefly = evidence_store(
        settings_for("sqlite:///unused.db", tmp_path, **{**s3_env, "S3_OBJECT_LOCK_DAYS": "1"})
    )
    item = add_item(session, briefly, clock)
    unlocked_env = {k: v for k, v in s3_env.items() if k != "S3_OBJECT_LOCK_DAYS"}
    unlocked = evidence_store(settings_for("sqlite:///unused.db", tmp_path, **unlocked_env))
    other = _add(session, unlocked, clock, PDF + b"% another file\n")
    assert other.sha256 != item.sha256
    configured = evidence_store(settings_for("sqlite:///unused.db", tmp_path, **s3_env))
    report = verify_store(session, configured)
    assert not report.ok and not report.missing and not report.corrupt
    short = {item_id: (s.mode, s.until is None) for item_id, s in report.short_retention}
    assert short == {item.id: ("COMPLIANCE", False), other.id: (None, True)}
    # Measured against what is configured: one day is enough for a store configured for one.
    assert [i for i, _ in verify_store(session, briefly).short_retention] == [other.id]


def test_verify_re_hashes_and_finds_a_changed_object(
    session, s3_server, tmp_path, clock, synced_catalogue
):
    # A bucket without Object Lock, where someone with the keys replaced an object's bytes.
    bucket = s3_server.new_bucket(object_lock=False)
    settings = settings_for(
        "sqlite:///unused.db",
        tmp_path,
        EVIDENCE_STORE=f"s3://{bucket}",
        S3_ENDPOINT_URL=s3_server.endpoint_url,
    )
    store = evidence_store(settings)
    item = add_item(session, store, clock)
    s3_server.client().put_object(Bucket=bucket, Key=store.key(item.sha256), Body=b"%PDF-forged")
    report = verify_store(session, store)
    assert report.corrupt == [(item.id, item.sha256)]


def test_the_sweep_quarantines_unreferenced_objects_in_the_bucket(
    session, store, s3_server, s3_bucket
):
    blob = store.put(io.BytesIO(b"nobody refers to this\n"))
    later = datetime.now(UTC) + timedelta(days=1)
    report = sweep_store(session, store, grace=timedelta(minutes=1), now=later)
    session.rollback()
    assert report.moved == [blob.sha256]
    assert not store.exists(blob.sha256)
    orphan = s3_server.client().get_object(Bucket=s3_bucket, Key=store.orphan_key(blob.sha256))
    assert orphan["Body"].read() == b"nobody refers to this\n"
    assert store.restore_orphan(blob.sha256) is True and store.exists(blob.sha256)


def test_a_download_streams_from_the_bucket_and_is_in_the_audit_trail(
    client, login_as, session, store, clock, synced_catalogue
):
    item = add_item(session, store, clock)
    auditor = login_as("auditor")
    response = client.get(f"/evidence/{item.id}/download")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.get_data() == PDF
    (download,) = events(session, "evidence.download", item.id)
    assert download.actor_id == auditor.id and item.sha256 in download.details


def test_healthz_checks_the_bucket(client):
    answer = client.get("/healthz").get_json()
    assert answer["status"] == "ok" and answer["evidence_store"] == "ok"


def test_evidence_verify_on_the_command_line_names_short_retention(
    fresh_database_url, tmp_path, s3_env
):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(PDF)
    briefly = {**s3_env, "S3_OBJECT_LOCK_DAYS": "1"}
    added = article8(
        fresh_database_url,
        tmp_path,
        "evidence",
        "add",
        str(pdf),
        "--control",
        "ORG-04",
        env=briefly,
    )
    assert added.returncode == 0, added.stderr
    ok = article8(fresh_database_url, tmp_path, "evidence", "verify", env=briefly)
    assert ok.returncode == 0, ok.stderr
    short = article8(
        fresh_database_url, tmp_path, "evidence", "verify", "--format", "json", env=s3_env
    )
    assert short.returncode == 1
    assert "short of 30 days" in short.stderr and '"short_retention": [{"id": 1' in short.stdout


def test_backup_and_restore_carry_evidence_from_one_bucket_to_another(
    backend, fresh_database_url, tmp_path, s3_server, s3_env
):
    assert article8(fresh_database_url, tmp_path, "catalogue", "sync").returncode == 0
    pdf = tmp_path / "policy.pdf"
    pdf.write_bytes(PDF)
    added = article8(
        fresh_database_url, tmp_path, "evidence", "add", str(pdf), "--control", "ORG-04", env=s3_env
    )
    assert added.returncode == 0, added.stderr
    archive = tmp_path / "backup.tar"
    made = article8(
        fresh_database_url, tmp_path, "backup", "create", "--out", str(archive), env=s3_env
    )
    assert made.returncode == 0, made.stderr
    bucket = s3_server.new_bucket()
    target_env = {**s3_env, "EVIDENCE_STORE": f"s3://{bucket}/restored"}
    target = tmp_path / "target"
    target.mkdir()
    with provisioned(backend, target) as target_url:
        restored = article8(target_url, target, "backup", "restore", str(archive), env=target_env)
        assert restored.returncode == 0, restored.stderr
        assert '"blobs": 1' in restored.stdout
        verified = article8(target_url, target, "evidence", "verify", env=target_env)
        assert verified.returncode == 0, verified.stderr
    key = f"restored/objects/{_sha(PDF)[:2]}/{_sha(PDF)[2:4]}/{_sha(PDF)}"
    stored = s3_server.client().get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == PDF and stored["ObjectLockMode"] == "COMPLIANCE"
