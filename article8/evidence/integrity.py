"""The evidence store's upkeep: verify every blob, sweep unreferenced ones, restore swept ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import audit
from article8.core.audit import Actor
from article8.core.db import Database
from article8.evidence import store_lock
from article8.evidence.blobstore import BlobStore, ShortRetention
from article8.evidence.models import EvidenceItem


@dataclass
class StoreReport:
    """What `evidence verify` found."""

    checked: int = 0
    missing: list[tuple[int, str]] = field(default_factory=list)
    corrupt: list[tuple[int, str]] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    # Objects locked for less than S3_OBJECT_LOCK_DAYS (or in a weaker mode), with their items.
    short_retention: list[tuple[int, ShortRetention]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No row without its blob, no blob whose content changed, none locked too briefly
        (orphans are harmless)."""
        return not self.missing and not self.corrupt and not self.short_retention


def verify_store(session: Session, store: BlobStore) -> StoreReport:
    """Re-hash every referenced blob; list missing, corrupt and unreferenced ones (reads only)."""
    report = StoreReport()
    referenced = _references(session)
    for sha256, item_ids in referenced.items():
        report.checked += 1
        if not store.exists(sha256):
            report.missing += [(i, sha256) for i in item_ids]
        elif store.hash_of(sha256) != sha256:
            report.corrupt += [(i, sha256) for i in item_ids]
        elif (short := store.short_retention(sha256)) is not None:
            report.short_retention += [(i, short) for i in item_ids]
    report.orphans = sorted(a for a in store.addresses() if a not in referenced)
    report.incomplete = sorted(store.incomplete())
    return report


@dataclass
class SweepReport:
    """What a sweep moved to ``orphans/``, removed, and left alone for being too young."""

    moved: list[str] = field(default_factory=list)
    discarded: list[str] = field(default_factory=list)
    kept_young: list[str] = field(default_factory=list)


def sweep_store(
    session: Session, store: BlobStore, *, grace: timedelta, now: datetime
) -> SweepReport:
    """Move unreferenced blobs to ``orphans/`` and remove unfinished uploads.

    Only what is older than ``grace`` is touched. The decision is taken under the store lock,
    held exclusively until the caller's transaction ends, so no upload is between storing its
    blob and committing its row meanwhile (see :mod:`article8.evidence.store_lock`). Nothing is
    deleted but temporary files; `restore_orphans` moves back what a row turns out to need.
    """
    store_lock.hold_exclusively(session)
    cutoff = now - grace
    referenced = set(session.scalars(select(EvidenceItem.sha256).distinct()))
    report = SweepReport()
    for sha256 in sorted(a for a in store.addresses() if a not in referenced):
        try:
            young = store.modified_at(sha256) > cutoff
        except FileNotFoundError:
            continue
        if young:
            report.kept_young.append(sha256)
        # Re-checked just before the move: the lock already excludes uploads, but a writer that
        # does not take it (an older version during a rolling upgrade) is caught once committed.
        elif not _is_referenced(session, sha256):
            store.quarantine(sha256)
            report.moved.append(sha256)
    for name in sorted(store.incomplete()):
        try:
            young = store.incomplete_modified_at(name) > cutoff
        except FileNotFoundError:
            continue  # the write finished (or was discarded) since the listing
        if young:
            report.kept_young.append(name)
        else:
            store.discard_incomplete(name)
            report.discarded.append(name)
    return report


@dataclass
class RestoreReport:
    """Blobs moved back from ``orphans/``, and quarantined copies whose bytes no longer match."""

    restored: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)


def restore_orphans(
    session: Session, store: BlobStore, actor: Actor, *, now: datetime
) -> RestoreReport:
    """Move back from ``orphans/`` every blob a row references, after checking its hash.

    Each restored item is recorded in the audit trail. Needs no store lock: a sweep moves only
    blobs no row references, and these are referenced.
    """
    report = RestoreReport()
    for sha256, item_ids in _references(session).items():
        if store.exists(sha256):
            continue
        outcome = store.restore_orphan(sha256)
        if outcome is False:
            report.damaged.append(sha256)
        elif outcome:
            report.restored.append(sha256)
            for item_id in item_ids:
                audit.record(
                    session,
                    actor,
                    "evidence.restore_blob",
                    now=now,
                    object_type="evidence",
                    object_id=item_id,
                    details={"sha256": sha256, "from": "orphans"},
                )
    return report


@dataclass
class StoreCheck:
    """What `evidence verify` did and found: the sweep, the restore, then the re-hash."""

    report: StoreReport
    swept: SweepReport
    restored: RestoreReport

    @property
    def ok(self) -> bool:
        """Every blob present and intact, and no quarantined copy found damaged."""
        return self.report.ok and not self.restored.damaged


def check_store(
    database: Database,
    store: BlobStore,
    actor: Actor,
    *,
    sweep: bool,
    restore: bool,
    grace: timedelta,
    now: datetime,
) -> StoreCheck:
    """Optionally sweep, optionally restore orphans, then verify every blob.

    Each step commits on its own (this function owns its transactions, like a job): the sweep
    holds the store lock, and the re-hash of every blob must not hold it (and so every upload)
    for its whole length, so verifying is read-only and starts after the sweep committed.
    """
    swept, restored = SweepReport(), RestoreReport()
    if sweep:
        with database.unit_of_work() as session:
            swept = sweep_store(session, store, grace=grace, now=now)
    if restore:
        with database.unit_of_work() as session:
            restored = restore_orphans(session, store, actor, now=now)
    with database.session() as session:
        report = verify_store(session, store)
    return StoreCheck(report, swept, restored)


def _references(session: Session) -> dict[str, list[int]]:
    referenced: dict[str, list[int]] = {}
    for item_id, sha256 in session.execute(
        select(EvidenceItem.id, EvidenceItem.sha256).order_by(EvidenceItem.id)
    ):
        referenced.setdefault(sha256, []).append(item_id)
    return referenced


def _is_referenced(session: Session, sha256: str) -> bool:
    found = session.scalar(select(EvidenceItem.id).where(EvidenceItem.sha256 == sha256).limit(1))
    return found is not None
