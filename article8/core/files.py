"""Files on disk: atomic output (a reader sees the old file or the whole new one) and SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_output(out: Path) -> Iterator[BinaryIO]:
    """A file beside ``out`` that replaces it only when the block succeeds (fsynced first)."""
    # Same directory, so os.replace is a rename: readers see the old file or the whole new one.
    fd, temp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def sha256_of(source: Path | BinaryIO) -> str:
    """The SHA-256 (hex) of a file on disk, or of a binary stream read from where it stands.

    A stream is read to its end and left there; the caller seeks back if it reads again.
    """
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    # BinaryIO does not declare readinto, which every binary file object (and upload) has.
    return hashlib.file_digest(source, "sha256").hexdigest()  # type: ignore[arg-type]
