"""Atomic output and file hashing."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from article8.core.files import atomic_output, sha256_of


def test_sha256_of_a_path_and_of_a_stream_agree_with_hashlib(tmp_path: Path) -> None:
    data = b"handler register\n" * 100_000
    path = tmp_path / "file.bin"
    path.write_bytes(data)
    expected = hashlib.sha256(data).hexdigest()
    assert sha256_of(path) == expected
    assert sha256_of(io.BytesIO(data)) == expected
    with path.open("rb") as handle:
        assert sha256_of(handle) == expected


def test_atomic_output_replaces_the_file_only_when_the_block_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "export.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(out) as handle:
        handle.write(b"half")
        raise RuntimeError("stopped")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["export.xlsx"]
    with atomic_output(out) as handle:
        handle.write(b"new")
    assert out.read_bytes() == b"new"
