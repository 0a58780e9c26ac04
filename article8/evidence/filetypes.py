"""The allow-list of evidence types, checked by extension and by content."""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from article8.core.errors import N_, ValidationError


@dataclass(frozen=True)
class FileType:
    """An accepted kind of file."""

    name: str
    media_type: str


PDF = FileType("PDF", "application/pdf")
PNG = FileType("PNG", "image/png")
JPEG = FileType("JPEG", "image/jpeg")
XLSX = FileType("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = FileType("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
ZIP = FileType("ZIP", "application/zip")
CSV = FileType("CSV", "text/csv; charset=utf-8")
TEXT = FileType("TXT", "text/plain; charset=utf-8")
JSON = FileType("JSON", "application/json")
EML = FileType("EML", "message/rfc822")

BY_EXTENSION = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".xlsx": XLSX,
    ".docx": DOCX,
    ".zip": ZIP,
    ".csv": CSV,
    ".txt": TEXT,
    ".log": TEXT,
    ".json": JSON,
    ".eml": EML,
}
TEXT_TYPES = (CSV, TEXT, JSON, EML)
CHUNK = 1024 * 1024
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<script|<svg|<\?xml)", re.I)
_EML_HEADER = re.compile(
    rb"^(Received|From|To|Subject|Date|Message-ID|Return-Path|MIME-Version"
    rb"|Delivered-To|X-[\w-]+):",
    re.I | re.M,
)


def expected_type(filename: str) -> FileType:
    """The type a file name claims; :class:`ValidationError` when it is not on the allow-list."""
    suffix = Path(filename.replace("\\", "/")).suffix.lower()
    kind = BY_EXTENSION.get(suffix)
    if kind is None:
        allowed = ", ".join(sorted({t.name for t in BY_EXTENSION.values()}))
        raise ValidationError(
            N_("Files of this type are not accepted. Allowed: %(allowed)s."),
            field="file",
            allowed=allowed,
        )
    return kind


def check_content(kind: FileType, head: bytes, path: Path) -> str:
    """Raise :class:`ValidationError` unless the content really is of ``kind``; return the media
    type to store and send (``text/*`` with the charset the whole file is really in)."""
    if not head:
        raise ValidationError(N_("The file is empty."), field="file")
    if not _matches(kind, head, path):
        raise ValidationError(
            N_("The file's content does not match its extension (expected %(kind)s)."),
            field="file",
            kind=kind.name,
        )
    if not kind.media_type.startswith("text/"):
        return kind.media_type
    base = kind.media_type.split(";")[0]
    charset = text_charset(path)
    return f"{base}; charset={charset}" if charset else base


def text_charset(path: Path) -> str | None:
    """The charset the whole file decodes in, "utf-8" or "shift_jis" (read in chunks); else None."""
    for codec, label in (("utf-8", "utf-8"), ("cp932", "shift_jis")):
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return label
    return None


def _matches(kind: FileType, head: bytes, path: Path) -> bool:
    if kind is PDF:
        return head.startswith(b"%PDF-")
    if kind is PNG:
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind is JPEG:
        return head.startswith(b"\xff\xd8\xff")
    if kind in (XLSX, DOCX, ZIP):
        if not head.startswith(b"PK\x03\x04"):
            return False
        return _zip_kind(path) == kind
    return _is_text(kind, head)


def _zip_kind(path: Path) -> FileType | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return XLSX
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        return DOCX
    return ZIP


def _is_text(kind: FileType, head: bytes) -> bool:
    if b"\x00" in head:
        return False
    sample = head.removeprefix(b"\xef\xbb\xbf")
    try:
        # The head may end inside a multi-byte character: allow a cut of up to 3 bytes.
        sample.decode("utf-8") if len(sample) < 8192 else sample[:-3].decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample.decode("cp932")  # Shift_JIS exports from Japanese systems
        except UnicodeDecodeError:
            return False
    if _HTML.match(sample):
        return False
    if kind is JSON:
        return sample.lstrip()[:1] in (b"{", b"[")
    if kind is EML:
        return bool(_EML_HEADER.search(sample[:4096]))
    return True
