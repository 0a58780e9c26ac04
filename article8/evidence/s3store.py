"""Evidence on an S3-compatible object store: the second :class:`BlobStore` (issue 18).

Keys mirror the local layout: ``<prefix>/objects/ab/cd/<sha256>``; the sweep's quarantine is
``<prefix>/orphans/<sha256>``. Every web node and the scheduler share the bucket.

A write spools the stream to a local temporary file while hashing it (memory stays at one
chunk), lets the content check read the complete file, and only then uploads — straight to the
content-addressed key, from the spool, in parts of :data:`PART` with each part's SHA-256 sent
for the server to check. Uploading to a temporary key and copying it afterwards was rejected:
the content check needs the whole file before anything is stored, and in a bucket with Object
Lock a temporary object (or its version, with the versioning Object Lock requires) cannot be
removed again until its retention ends. Knowing the address before the upload also means that
identical content is never sent twice (a HEAD finds it).

Never overwritten: the HEAD skips content already stored, and the write itself carries
``If-None-Match: *``. The HEAD alone would race — two nodes storing the same new file both see
404 and both write — so the conditional write is what makes S3 refuse the second atomically
(412, taken as "already stored": same key, same bytes). On a store that ignores the header the
race can only write identical bytes as a second version; the first stays, locked.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from article8.core.settings import S3Settings
from article8.evidence.blobstore import (
    CHUNK,
    SHA256_HEX,
    Check,
    ShortRetention,
    StoredBlob,
    copy_hashing,
)

# 8 MiB parts (S3 allows 10,000 of at least 5 MiB): larger files get proportionally larger parts.
PART = 8 * 1024 * 1024
MAX_PARTS = 10_000
# A retention is measured from LastModified, which an upload that took long sets later than the
# instant its retention was computed from: this much shortfall is not reported.
RETENTION_SLACK = timedelta(hours=1)
_MISSING = ("404", "NoSuchKey", "NotFound", "NoSuchUpload")
_ALREADY_STORED = ("PreconditionFailed", "412")


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """A :class:`BlobStore` in an S3 bucket (AWS S3, MinIO, or any S3-compatible store)."""

    def __init__(
        self,
        config: S3Settings,
        client: Any,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        spool_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.client = client
        self.bucket = config.bucket
        self.base = f"{config.prefix}/" if config.prefix else ""
        # Retention is measured against S3's clock, so the real one (injected in tests).
        self.clock = clock
        self.spool_dir = spool_dir

    # --- addresses -------------------------------------------------------------------------

    def key(self, sha256: str) -> str:
        """The object key of ``sha256``; the address is validated, never a name."""
        if not SHA256_HEX.match(sha256):
            raise ValueError("not a SHA-256 address")
        return f"{self.base}objects/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def orphan_key(self, sha256: str) -> str:
        """Where the sweep keeps an unreferenced object."""
        self.key(sha256)
        return f"{self.base}orphans/{sha256}"

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _spool(self) -> Iterator[tuple[BinaryIO, Path]]:
        fd, name = tempfile.mkstemp(dir=self.spool_dir, prefix="article8-s3-")
        path = Path(name)
        try:
            with os.fdopen(fd, "w+b") as handle:
                yield handle, path
        finally:
            path.unlink(missing_ok=True)

    def put(
        self, stream: BinaryIO, *, max_bytes: int | None = None, check: Check | None = None
    ) -> StoredBlob:
        """Spool while hashing, let ``check`` vet the whole file, then upload it once."""
        with self._spool() as (handle, path):
            sha256, size, head = copy_hashing(stream, handle, max_bytes)
            handle.flush()
            if check is not None:
                check(head, path)
            created = self._store(path, self.key(sha256), size, sha256)
        return StoredBlob(sha256, size, head, created)

    def _lock(self) -> dict[str, Any]:
        if not self.config.lock_days:
            return {}
        until = self.clock() + timedelta(days=self.config.lock_days)
        return {"ObjectLockMode": self.config.lock_mode, "ObjectLockRetainUntilDate": until}

    def _store(self, path: Path, key: str, size: int, sha256: str) -> bool:
        """Upload the spool (whose SHA-256 is ``sha256``) to ``key`` unless it is there; False
        when it already was."""
        if self._head(key) is not None:
            return False
        lock = self._lock()
        try:
            if size <= PART:
                with path.open("rb") as body:
                    # Object Lock needs a checksum header; S3 also checks the bytes against it
                    # and keeps it (HeadObject's ChecksumSHA256 is then the content address).
                    self.client.put_object(
                        Bucket=self.bucket,
                        Key=key,
                        Body=body,
                        ContentLength=size,
                        ChecksumAlgorithm="SHA256",
                        ChecksumSHA256=_b64(bytes.fromhex(sha256)),
                        IfNoneMatch="*",
                        **lock,
                    )
            else:
                self._multipart(path, key, size, lock)
        except ClientError as error:
            if _code(error) in _ALREADY_STORED:
                return False  # another writer stored the same bytes first
            raise
        return True

    def _multipart(self, path: Path, key: str, size: int, lock: dict[str, Any]) -> None:
        part_size = max(PART, -(-size // MAX_PARTS))
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ChecksumAlgorithm="SHA256", **lock
        )
        upload_id = upload["UploadId"]
        parts: list[dict[str, Any]] = []
        try:
            with path.open("rb") as body:
                number = 1
                while chunk := body.read(part_size):
                    checksum = _b64(hashlib.sha256(chunk).digest())
                    answer = self.client.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=chunk,
                        ChecksumAlgorithm="SHA256",
                        ChecksumSHA256=checksum,
                    )
                    parts.append(
                        {"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": checksum}
                    )
                    number += 1
            done = self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
                IfNoneMatch="*",
            )
        except BaseException:
            with contextlib.suppress(ClientError):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        if lock:
            # S3 applies the retention given at CreateMultipartUpload; some S3-compatible
            # servers do not. Setting the same date again is allowed even in compliance mode.
            version = {"VersionId": done["VersionId"]} if done.get("VersionId") else {}
            self.client.put_object_retention(
                Bucket=self.bucket,
                Key=key,
                **version,
                Retention={
                    "Mode": lock["ObjectLockMode"],
                    "RetainUntilDate": lock["ObjectLockRetainUntilDate"],
                },
            )

    # --- reading ---------------------------------------------------------------------------

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return cast(dict[str, Any], self.client.head_object(Bucket=self.bucket, Key=key))
        except ClientError as error:
            if _code(error) in _MISSING:
                return None
            raise

    def _get(self, key: str) -> BinaryIO:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as error:
            if _code(error) in _MISSING:
                raise FileNotFoundError(key) from None
            raise
        return cast(BinaryIO, body)

    def open(self, sha256: str) -> BinaryIO:
        """A stream of the object's bytes (read as it goes; close it when done)."""
        return self._get(self.key(sha256))

    def exists(self, sha256: str) -> bool:
        """Whether the object is present."""
        return self._head(self.key(sha256)) is not None

    def hash_of(self, sha256: str) -> str:
        """Re-hash the stored bytes (read in full; S3's own checksum proves only the upload)."""
        return _hash_stream(self.open(sha256))

    def addresses(self) -> Iterator[str]:
        """Every stored object's address."""
        for key in self._keys(f"{self.base}objects/"):
            name = key.rsplit("/", 1)[-1]
            if SHA256_HEX.match(name) and key == self.key(name):
                yield name

    def _keys(self, prefix: str) -> Iterator[str]:
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            for entry in page.get("Contents", []):
                yield entry["Key"]

    def _uploads(self) -> Iterator[dict[str, Any]]:
        for page in self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=f"{self.base}objects/"
        ):
            yield from page.get("Uploads", [])

    def incomplete(self) -> list[str]:
        """Multipart uploads never completed nor aborted (a node died mid-upload)."""
        names = []
        for upload in self._uploads():
            sha256 = upload["Key"].rsplit("/", 1)[-1]
            if SHA256_HEX.match(sha256):
                names.append(f"{sha256}:{upload['UploadId']}")
        return names

    def modified_at(self, sha256: str) -> datetime:
        """When the object was written."""
        head = self._head(self.key(sha256))
        if head is None:
            raise FileNotFoundError(sha256)
        return cast(datetime, head["LastModified"])

    def _split(self, name: str) -> tuple[str, str]:
        sha256, _, upload_id = name.partition(":")
        if not upload_id:
            raise ValueError("not an unfinished upload")
        return self.key(sha256), upload_id

    def incomplete_modified_at(self, name: str) -> datetime:
        """When the unfinished upload began."""
        key, upload_id = self._split(name)
        for upload in self._uploads():
            if upload["Key"] == key and upload["UploadId"] == upload_id:
                return cast(datetime, upload["Initiated"])
        raise FileNotFoundError(name)

    def discard_incomplete(self, name: str) -> None:
        """Abort one unfinished multipart upload (its parts are dropped; no object exists)."""
        key, upload_id = self._split(name)
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as error:
            if _code(error) not in _MISSING:
                raise

    # --- quarantine ------------------------------------------------------------------------

    def _move(self, source: str, target: str, sha256: str) -> bool:
        """Copy ``source`` to ``target`` through a spool (hash checked), then delete ``source``.

        Through the node rather than CopyObject: the bytes are verified on the way, and the
        copy is written like any object (checksum, retention, If-None-Match). Under Object Lock
        the delete only hides the source behind a delete marker; its locked version remains.
        """
        with self._spool() as (handle, path), self._get(source) as body:
            found, size, _ = copy_hashing(body, handle, None)
            handle.flush()
            if found != sha256:
                return False
            self._store(path, target, size, sha256)
        self.client.delete_object(Bucket=self.bucket, Key=source)
        return True

    def quarantine(self, sha256: str) -> None:
        """Move an unreferenced object to ``orphans/`` (the sweep never deletes bytes)."""
        self._move(self.key(sha256), self.orphan_key(sha256), sha256)

    def restore_orphan(self, sha256: str) -> bool | None:
        """Move a quarantined object back after checking its hash (None: none; False: damaged)."""
        if self._head(self.orphan_key(sha256)) is None:
            return None
        return self._move(self.orphan_key(sha256), self.key(sha256), sha256)

    # --- retention -------------------------------------------------------------------------

    def short_retention(self, sha256: str) -> ShortRetention | None:
        """The object's lock when it is shorter than ``lock_days`` from its writing, or weaker."""
        if not self.config.lock_days:
            return None
        head = self._head(self.key(sha256))
        if head is None:
            return None  # reported as missing
        mode, until = head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate")
        wanted = head["LastModified"] + timedelta(days=self.config.lock_days) - RETENTION_SLACK
        weaker = self.config.lock_mode == "COMPLIANCE" and mode != "COMPLIANCE"
        if until is None or until < wanted or weaker:
            return ShortRetention(sha256, mode, until)
        return None


def _hash_stream(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


_client_lock = threading.Lock()


@lru_cache(maxsize=8)
def _client(endpoint_url: str | None) -> Any:
    # One client per process and endpoint: building one costs tens of milliseconds, and boto3
    # clients (unlike sessions) are safe to share between a worker's threads.
    with _client_lock:
        config = Config(
            # Path-style addressing for S3-compatible servers (MinIO answers it by default).
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            # We send SHA-256 ourselves; no second (CRC) checksum that older servers refuse.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"mode": "standard", "max_attempts": 5},
        )
        return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


def s3_store(config: S3Settings) -> S3BlobStore:
    """The configured bucket as a blob store (the client is shared within the process)."""
    return S3BlobStore(config, _client(config.endpoint_url))


def bucket_health(config: S3Settings) -> str:
    """Whether this process can reach the bucket: "ok", else the error (for /healthz)."""
    try:
        _client(config.endpoint_url).head_bucket(Bucket=config.bucket)
    except ClientError as error:
        return f"error: {_code(error) or 'ClientError'}"
    except Exception as error:  # endpoint unreachable, no credentials: reported, not raised
        return f"error: {type(error).__name__}"
    return "ok"
