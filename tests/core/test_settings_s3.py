"""The S3 settings (issue 18): the local directory stays the default; bad values fail fast,
naming the variable."""

from __future__ import annotations

import pytest

from article8.core.errors import ConfigError
from article8.core.settings import S3Settings, Settings


def env(tmp_path, **extra: str) -> dict[str, str]:
    return {"ARTICLE8_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "k", **extra}


def test_evidence_stays_in_the_directory_unless_a_bucket_is_named(tmp_path):
    assert Settings.from_env(env(tmp_path)).s3 is None


def test_a_bucket_prefix_endpoint_and_lock_are_read(tmp_path):
    settings = Settings.from_env(
        env(
            tmp_path,
            EVIDENCE_STORE="s3://article8-evidence//tokyo/evidence/",
            S3_ENDPOINT_URL="https://minio.example.internal:9000",
            S3_OBJECT_LOCK_DAYS="2555",
            S3_OBJECT_LOCK_MODE="governance",
        )
    )
    assert settings.s3 == S3Settings(
        bucket="article8-evidence",
        prefix="tokyo/evidence",
        endpoint_url="https://minio.example.internal:9000",
        lock_days=2555,
        lock_mode="GOVERNANCE",
    )
    plain = Settings.from_env(env(tmp_path, EVIDENCE_STORE="s3://article8-evidence"))
    assert plain.s3 == S3Settings(bucket="article8-evidence")


@pytest.mark.parametrize(
    ("variables", "named", "expected"),
    [
        ({"EVIDENCE_STORE": "/var/lib/evidence"}, "EVIDENCE_STORE", "is not s3://bucket/prefix"),
        ({"EVIDENCE_STORE": "s3://Bad_Bucket"}, "EVIDENCE_STORE", "not a valid S3 bucket name"),
        ({"EVIDENCE_STORE": "s3://ok-bucket/a/../b"}, "EVIDENCE_STORE", "not a usable key prefix"),
        (
            {"EVIDENCE_STORE": "s3://ok-bucket", "S3_ENDPOINT_URL": "minio:9000"},
            "S3_ENDPOINT_URL",
            "is not an http(s):// address",
        ),
        ({"S3_OBJECT_LOCK_DAYS": "30"}, "S3_OBJECT_LOCK_DAYS", "needs EVIDENCE_STORE"),
        (
            {"EVIDENCE_STORE": "s3://ok-bucket", "S3_OBJECT_LOCK_DAYS": "-1"},
            "S3_OBJECT_LOCK_DAYS",
            "out of range",
        ),
        (
            {"EVIDENCE_STORE": "s3://ok-bucket", "S3_OBJECT_LOCK_MODE": "forever"},
            "S3_OBJECT_LOCK_MODE",
            "is neither COMPLIANCE nor GOVERNANCE",
        ),
    ],
)
def test_a_bad_s3_value_names_the_variable(tmp_path, variables, named, expected):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env(tmp_path, **variables))
    assert str(caught.value).startswith(f"{named}: ") and expected in str(caught.value)
