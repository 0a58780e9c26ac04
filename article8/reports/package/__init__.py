"""The audit package: one ZIP for the auditor and the PPC that proves itself.

It holds the workbook, the evidence files, the period's audit trail, the OSCAL documents, a
README in the chosen language, a manifest of every file's SHA-256 and a standalone
``verify.py`` that checks them all. Evidence streams from the store into the ZIP chunk by chunk
(never whole in memory) and is hashed on the way, against the address it was stored under; the
ZIP is hashed as it is written (zipfile writes it front to back, with data descriptors) and
lands under its name only when complete (:func:`article8.core.files.atomic_output`). Its
SHA-256 is then recorded in the audit trail.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from article8 import __version__
from article8.core import audit
from article8.core.audit import Actor, actor_name
from article8.core.errors import N_
from article8.core.files import atomic_output
from article8.core.i18n import translator
from article8.core.settings import Settings
from article8.evidence.blobstore import CHUNK, BlobStore
from article8.reports import oscal, workbook
from article8.reports.package import trail
from article8.reports.package.contents import EvidenceFile, evidence_files
from article8.reports.package.errors import PackageError
from article8.reports.package.readme import Facts, readme, verify_script
from article8.reports.period import Period

__all__ = ["PackageError", "PackageReport", "Progress", "write_package"]

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("path", "sha256", "bytes", "evidence_id", "controls", "inspection")
# (evidence bytes written so far, evidence bytes in all): for a progress bar.
Progress = Callable[[int, int], None]


@dataclass
class PackageReport:
    """What was written: the ZIP's SHA-256 and size, and what it holds."""

    sha256: str = ""
    bytes: int = 0
    files: int = 0
    evidence_ids: list[int] = field(default_factory=list)
    first_seq: int | None = None
    last_seq: int | None = None
    manifest_sha256: str = ""
    workbook_sha256: str = ""


@dataclass(frozen=True)
class _Row:
    """One line of manifest.csv."""

    path: str
    sha256: str
    size: int
    evidence_id: int | None = None
    controls: tuple[str, ...] = ()
    inspection_id: int | None = None


class _HashingSink:
    """The package file as zipfile sees it: written front to back, hashed on the way.

    Having no ``seek``, it makes zipfile write each entry's sizes after its data (a data
    descriptor) instead of going back to patch the header, so every byte passes here once.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self) -> None:
        self.handle.flush()


class _Zip:
    """The entries of the package and the manifest rows they make."""

    def __init__(self, archive: zipfile.ZipFile, when: datetime) -> None:
        self.archive = archive
        self.date_time = when.timetuple()[:6]
        self.rows: list[_Row] = []

    def add(
        self,
        name: str,
        chunks: Iterable[bytes],
        *,
        size: int | None = None,
        compress: bool = True,
        mode: int = 0o644,
    ) -> tuple[str, int]:
        """Stream ``chunks`` into the entry ``name``; its SHA-256 and size."""
        info = zipfile.ZipInfo(name, date_time=self.date_time)  # type: ignore[arg-type]
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = (stat.S_IFREG | mode) << 16  # a regular file, with its mode
        # zipfile chooses ZIP64 from the size it is told; an untold size may be anything.
        info.file_size = size or 0
        digest, written = hashlib.sha256(), 0
        with self.archive.open(info, "w", force_zip64=size is None) as out:
            for chunk in chunks:
                digest.update(chunk)
                written += len(chunk)
                out.write(chunk)
        return digest.hexdigest(), written

    def add_listed(self, name: str, data: bytes, *, mode: int = 0o644) -> _Row:
        """Add a file made in memory (a text of the package) and list it in the manifest."""
        sha256, size = self.add(name, [data], size=len(data), mode=mode)
        row = _Row(name, sha256, size)
        self.rows.append(row)
        return row


def write_package(
    session: Session,
    out: Path,
    *,
    store: BlobStore,
    settings: Settings,
    period: Period,
    lang: str,
    actor: Actor,
    now: datetime,
    progress: Progress | None = None,
) -> PackageReport:
    """Write the audit package for ``period`` to ``out`` (atomically) and record its SHA-256."""
    tz = settings.timezone
    _ = translator(lang)
    files = evidence_files(session, period, tz)
    carried = trail.segment(session, period, tz)
    report = PackageReport(
        evidence_ids=[item.id for item in files], first_seq=carried.first, last_seq=carried.last
    )
    documents = oscal.documents(
        session,
        period,
        tz=tz,
        lang=lang,
        now=now,
        fy_start_month=settings.fiscal_year_start,
        organisation=settings.organisation,
        base_url=settings.base_url,
    )
    facts = Facts(
        organisation=settings.organisation,
        period=period.label,
        generated_at=now.astimezone(tz),
        generated_by=f"{actor_name(actor.label, _)} · article8 {__version__}",
        evidence=len(files),
        first_seq=carried.first,
        last_seq=carried.last,
        oscal_files=tuple(documents),
    )
    with atomic_output(out) as handle:
        sink = _HashingSink(handle)
        with zipfile.ZipFile(sink, "w") as archive:  # type: ignore[call-overload]
            package = _Zip(archive, now.astimezone(tz))
            package.add_listed("README.txt", readme(facts, _).encode("utf-8"))
            package.add_listed("verify.py", verify_script(_).encode("utf-8"), mode=0o755)
            # The trail before the workbook: the cover then shows the same last event (the
            # workbook's own export is recorded after its cover is written).
            lines = (line.encode("utf-8") for line in trail.lines(session, carried))
            sha256, size = package.add(trail.FILE, lines)
            package.rows.append(_Row(trail.FILE, sha256, size))
            report.workbook_sha256 = _add_workbook(
                package, session, settings=settings, period=period, lang=lang, actor=actor, now=now
            )
            for name, document in documents.items():
                text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
                package.add_listed(f"oscal/{name}", text.encode("utf-8"))
            _add_evidence(package, store, files, progress)
            manifest = _manifest(package.rows)
            report.manifest_sha256, _size = package.add(MANIFEST, [manifest], size=len(manifest))
        report.files = len(package.rows) + 1
    report.sha256, report.bytes = sink.digest.hexdigest(), sink.size
    audit.record(
        session,
        actor,
        "export.package",
        now=now,
        object_type="package",
        details={
            "file": out.name,
            "sha256": report.sha256,
            "bytes": report.bytes,
            "lang": lang,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "files": report.files,
            "manifest_sha256": report.manifest_sha256,
            "workbook_sha256": report.workbook_sha256,
            "first_seq": report.first_seq,
            "last_seq": report.last_seq,
            "evidence": report.evidence_ids,
        },
    )
    return report


def _add_workbook(
    package: _Zip,
    session: Session,
    *,
    settings: Settings,
    period: Period,
    lang: str,
    actor: Actor,
    now: datetime,
) -> str:
    """Write the workbook to a scratch folder and stream it in (stored: XLSX is a ZIP itself)."""
    with tempfile.TemporaryDirectory(prefix="article8-package-") as scratch:
        path = Path(scratch) / "workbook.xlsx"
        workbook.write_workbook(
            session, path, settings=settings, period=period, lang=lang, actor=actor, now=now
        )
        with path.open("rb") as source:
            sha256, size = package.add(
                "workbook.xlsx", _chunks(source), size=path.stat().st_size, compress=False
            )
    package.rows.append(_Row("workbook.xlsx", sha256, size))
    return sha256


def _add_evidence(
    package: _Zip, store: BlobStore, files: list[EvidenceFile], progress: Progress | None
) -> None:
    """Stream each evidence file from the store; refuse one whose bytes are not as recorded."""
    total, done = sum(item.size for item in files), 0
    for item in files:
        try:
            source = store.open(item.sha256)
        except FileNotFoundError:
            raise PackageError(
                N_("Evidence %(id)d: its file is missing from the evidence store."), id=item.id
            ) from None
        with source:
            chunks: Iterator[bytes] = _chunks(source)
            if progress is not None:
                chunks = _reported(chunks, done, total, progress)
            # Stored, not deflated: evidence is mostly PDF, images and Office files, already
            # compressed; deflating them again would cost far more time than it saves bytes.
            sha256, size = package.add(item.path, chunks, size=item.size, compress=False)
        done += size
        if sha256 != item.sha256 or size != item.size:
            raise PackageError(
                N_(
                    "Evidence %(id)d: the stored file no longer matches the SHA-256 recorded at "
                    "upload; run 'article8 evidence verify'."
                ),
                id=item.id,
            )
        package.rows.append(
            _Row(item.path, sha256, size, item.id, item.controls, item.inspection_id)
        )


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


def _reported(
    chunks: Iterator[bytes], done: int, total: int, progress: Progress
) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk
        done += len(chunk)
        progress(done, total)


def _manifest(rows: list[_Row]) -> bytes:
    """manifest.csv: a header, then one line per file (UTF-8, CRLF as CSV has it)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.path,
                row.sha256,
                row.size,
                "" if row.evidence_id is None else row.evidence_id,
                " ".join(row.controls),
                "" if row.inspection_id is None else row.inspection_id,
            )
        )
    return text.getvalue().encode("utf-8")
