"""The audit package reads evidence from an S3 bucket (issue 18) through the same streaming
BlobStore API: a real S3 API server (moto's, on loopback), the files in the ZIP byte for byte,
and verify.py passes on the result."""

from __future__ import annotations

import hashlib

import pytest

from article8.evidence.blobstore import evidence_store
from article8.evidence.s3store import S3BlobStore
from tests.support.package import build_vault, export, manifest_of, run_verify, unzip


@pytest.fixture
def settings_env(s3_server, s3_bucket) -> dict[str, str]:
    return {
        "EVIDENCE_STORE": f"s3://{s3_bucket}/article8/evidence",
        "S3_ENDPOINT_URL": s3_server.endpoint_url,
        "S3_OBJECT_LOCK_DAYS": "30",
    }


def test_a_package_from_a_bucket_carries_every_file_and_verifies(
    session, settings, clock, tmp_path
):
    store = evidence_store(settings)
    assert isinstance(store, S3BlobStore)
    vault = build_vault(session, store, clock)
    session.commit()
    out = tmp_path / "package.zip"
    report = export(session, settings, store, out)
    session.commit()

    folder = unzip(out, tmp_path / "unzipped")
    evidence_rows = [row for row in manifest_of(folder) if row["path"].startswith("evidence/")]
    assert evidence_rows and len(evidence_rows) == len(report.evidence_ids)
    for row in evidence_rows:
        data = (folder / row["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        with store.open(row["sha256"]) as stored:
            assert stored.read() == data
    assert set(vault.carried.values()) <= set(report.evidence_ids)
    assert not set(vault.left_out.values()) & set(report.evidence_ids)
    result = run_verify(folder)
    assert result.returncode == 0, result.stdout
