"""Content-addressed, write-once storage for evidence files.

Objects live at ``objects/ab/cd/<sha256>``. A write streams into a temporary file on the same
filesystem while hashing, is fsynced, renamed into place atomically and the directory fsynced:
a crash leaves either nothing or a complete object, never a torn one. Identical content is
stored once; an object is never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from article8.core.files import sha256_of
from article8.core.settings import Settings

CHUNK = 1024 * 1024
# Called with the first bytes and the complete temporary file before it is committed; raising
# rejects the content and nothing is stored.
Check = Callable[[bytes, Path], None]
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class BlobTooLarge(Exception):
    """The stream exceeded the size limit; nothing was stored."""


@dataclass(frozen=True)
class ShortRetention:
    """An object whose Object Lock retention is shorter (or weaker) than configured."""

    sha256: str
    mode: str | None
    until: datetime | None


@dataclass(frozen=True)
class StoredBlob:
    """What was stored: the content's SHA-256, its size and its first bytes (for sniffing)."""

    sha256: str
    size: int
    head: bytes
    created: bool


class BlobStore(Protocol):
    """Where evidence bytes live; a local directory here, an object store in larger setups."""

    def put(
        self, stream: BinaryIO, *, max_bytes: int | None = None, check: Check | None = None
    ) -> StoredBlob:
        """Store the stream's content and return its address."""

    def open(self, sha256: str) -> BinaryIO:
        """Open the object for reading."""

    def exists(self, sha256: str) -> bool:
        """Whether the object is present."""

    def hash_of(self, sha256: str) -> str:
        """Re-hash the stored object (to detect corruption)."""

    def addresses(self) -> Iterator[str]:
        """Every stored object's address."""

    def incomplete(self) -> list[str]:
        """Leftovers of writes that never finished (or writes still under way)."""

    def modified_at(self, sha256: str) -> datetime:
        """When the object was last written (the sweep leaves young objects alone)."""

    def incomplete_modified_at(self, name: str) -> datetime:
        """When an unfinished write last wrote to its temporary file."""

    def quarantine(self, sha256: str) -> None:
        """Move an unreferenced object out of the store, keeping its bytes."""

    def discard_incomplete(self, name: str) -> None:
        """Remove the temporary file of a write that never finished."""

    def restore_orphan(self, sha256: str) -> bool | None:
        """Move a quarantined object back; None when there is none, False when it is damaged."""

    def short_retention(self, sha256: str) -> ShortRetention | None:
        """The object's retention when it falls short of the configured one; else None."""


def copy_hashing(
    stream: BinaryIO, handle: BinaryIO, max_bytes: int | None
) -> tuple[str, int, bytes]:
    """Copy ``stream`` into ``handle`` chunk by chunk; return its SHA-256, size and first bytes.

    Raises :class:`BlobTooLarge` as soon as more than ``max_bytes`` arrived.
    """
    digest, size, head = hashlib.sha256(), 0, b""
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise BlobTooLarge(f"larger than {max_bytes} bytes")
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
        handle.write(chunk)
    return digest.hexdigest(), size, head


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    """A :class:`BlobStore` in a local directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.incoming = self.objects / ".incoming"
        self.orphans = root / "orphans"

    def path(self, sha256: str) -> Path:
        """Where the object with ``sha256`` lives; the address is validated, never a name."""
        if not SHA256_HEX.match(sha256):
            raise ValueError("not a SHA-256 address")
        return self.objects / sha256[:2] / sha256[2:4] / sha256

    def new_incoming(self) -> tuple[BinaryIO, Path]:
        """A temporary file on the store's filesystem for a stream to be written into."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.incoming, prefix="up-")
        return os.fdopen(fd, "w+b"), Path(name)

    def put(
        self, stream: BinaryIO, *, max_bytes: int | None = None, check: Check | None = None
    ) -> StoredBlob:
        """Stream into the store, hashing as it goes; ``check`` vets the content first."""
        handle, temp = self.new_incoming()
        try:
            with handle:
                sha256, size, head = copy_hashing(stream, handle, max_bytes)
                handle.flush()
                os.fsync(handle.fileno())
            if check is not None:
                check(head, temp)
            return self.commit(temp, sha256, size, head)
        finally:
            temp.unlink(missing_ok=True)

    def commit(self, temp: Path, sha256: str, size: int, head: bytes) -> StoredBlob:
        """Move a complete, fsynced temporary file into place (or drop it: already stored)."""
        final = self.path(sha256)
        if final.exists():
            temp.unlink(missing_ok=True)
            return StoredBlob(sha256, size, head, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp, 0o440)  # stored objects are read-only
        # link() fails if the target exists, so a racing writer of the same content can never
        # replace an object (os.replace would); the loser simply keeps the existing one.
        try:
            os.link(temp, final)
        except FileExistsError:
            return StoredBlob(sha256, size, head, created=False)
        finally:
            temp.unlink(missing_ok=True)
        _fsync_dir(final.parent)
        return StoredBlob(sha256, size, head, created=True)

    def open(self, sha256: str) -> BinaryIO:
        """Open the object for reading."""
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        """Whether the object is present."""
        return self.path(sha256).is_file()

    def hash_of(self, sha256: str) -> str:
        """Re-hash the stored object."""
        return sha256_of(self.path(sha256))

    def addresses(self) -> Iterator[str]:
        """Every stored object's address."""
        if not self.objects.is_dir():
            return
        for path in self.objects.glob("??/??/*"):
            if SHA256_HEX.match(path.name):
                yield path.name

    def incomplete(self) -> list[str]:
        """Temporary files left behind by writes that never finished (a crash mid-upload)."""
        if not self.incoming.is_dir():
            return []
        return [p.name for p in self.incoming.iterdir() if p.name.startswith("up-")]

    def modified_at(self, sha256: str) -> datetime:
        """When the object's bytes were last written."""
        return _mtime(self.path(sha256))

    def incomplete_modified_at(self, name: str) -> datetime:
        """When an unfinished write last wrote to its temporary file."""
        return _mtime(self._incoming_path(name))

    def discard_incomplete(self, name: str) -> None:
        """Remove one leftover temporary file (never a stored object)."""
        self._incoming_path(name).unlink(missing_ok=True)

    def _incoming_path(self, name: str) -> Path:
        if not name.startswith("up-") or "/" in name or name in (".", ".."):
            raise ValueError("not a temporary upload")
        return self.incoming / name

    def quarantine(self, sha256: str) -> None:
        """Move an unreferenced object out of the store (the sweep never deletes bytes)."""
        self.orphans.mkdir(parents=True, exist_ok=True)
        os.replace(self.path(sha256), self.orphans / sha256)
        _fsync_dir(self.orphans)

    def restore_orphan(self, sha256: str) -> bool | None:
        """Move a quarantined object back into place after checking its hash.

        None when no quarantined copy exists; False (and the copy stays where it is) when its
        bytes no longer match their address.
        """
        self.path(sha256)  # validates the address before it is used as a file name
        orphan = self.orphans / sha256
        if not orphan.is_file():
            return None
        if sha256_of(orphan) != sha256:
            return False
        final = self.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(orphan, 0o440)
        # link() never replaces an object stored again in the meantime (same bytes, same name).
        with contextlib.suppress(FileExistsError):
            os.link(orphan, final)
        _fsync_dir(final.parent)
        orphan.unlink()
        return True

    def short_retention(self, sha256: str) -> ShortRetention | None:
        """Never: a local directory has no retention (read-only files are its only guard)."""
        return None


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def local_store(settings: Settings) -> LocalBlobStore:
    """The configured evidence directory as a blob store."""
    return LocalBlobStore(settings.evidence_dir)


def evidence_store(settings: Settings) -> BlobStore:
    """The configured store: the S3 bucket when ``EVIDENCE_STORE`` names one, else the directory.

    boto3 is imported only here, and only when S3 is configured (it is the optional extra).
    """
    if settings.s3 is None:
        return local_store(settings)
    from article8.evidence.s3store import s3_store

    return s3_store(settings.s3)
