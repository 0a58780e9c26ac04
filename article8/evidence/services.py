"""The evidence vault's write side: upload, versions, withdrawal, access records."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.models import Control
from article8.controls.inspections.models import Inspection
from article8.core import audit, roles
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, PermissionDenied, ValidationError
from article8.evidence import permissions, store_lock
from article8.evidence.blobstore import BlobStore, BlobTooLarge
from article8.evidence.errors import EvidenceTooLarge
from article8.evidence.filetypes import TEXT, FileType, check_content, expected_type
from article8.evidence.models import EvidenceItem

MAX_NAME = 200


def display_name(filename: str) -> str:
    """A file name safe to show and to put in a header; never used as a path."""
    name = unicodedata.normalize("NFC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if not name:
        return "evidence"
    if len(name) > MAX_NAME:
        stem, dot, suffix = name.rpartition(".")
        keep = suffix[:10] if dot else ""
        name = (stem if dot else name)[: MAX_NAME - len(keep) - 1] + ("." + keep if keep else "")
    return name


@dataclass(frozen=True)
class EvidenceInput:
    """What a person says about an upload."""

    filename: str
    title: str
    collected_on: date
    description: str = ""
    valid_until: date | None = None
    control_codes: Sequence[str] = ()
    inspection_id: int | None = None
    replaces_id: int | None = None
    # Personal data such as an identity document (see permissions.may_view).
    restricted: bool = False


def get_item(session: Session, item_id: int) -> EvidenceItem:
    """The evidence item with its controls."""
    item = session.scalar(
        select(EvidenceItem)
        .where(EvidenceItem.id == item_id)
        .options(selectinload(EvidenceItem.controls))
    )
    if item is None:
        raise NotFound(N_("No such evidence."))
    return item


def add_evidence(
    session: Session,
    store: BlobStore,
    actor: Actor,
    stream: BinaryIO,
    data: EvidenceInput,
    *,
    max_bytes: int,
    now: datetime,
    note_reason: str | None = None,
) -> EvidenceItem:
    """Store the file (blob first, row second) and record the upload.

    A crash between the two leaves an unreferenced blob that `evidence verify` reports; a row
    never points at a missing blob. Holds the store lock until the caller's transaction ends, so
    a sweep never takes the blob for an orphan. Linking to an inspection and replacing a version
    are checked against the actor (:mod:`article8.evidence.permissions`); ``note_reason`` is set
    only by :func:`article8.evidence.notes.add_note`.
    """
    kind = expected_type(data.filename)
    if data.restricted and not roles.has(actor.role, "evidence.restricted"):
        raise PermissionDenied(
            N_("Only the responsible person or an administrator may store restricted evidence.")
        )
    title = " ".join(data.title.split()) or display_name(data.filename)
    if data.valid_until is not None and data.valid_until < data.collected_on:
        raise ValidationError(
            N_("'Valid until' is before the collection date."), field="valid_until"
        )
    controls = _controls(session, data.control_codes)
    inspection = session.get(Inspection, data.inspection_id) if data.inspection_id else None
    if data.inspection_id and inspection is None:
        raise ValidationError(N_("No such inspection."), field="inspection_id")
    capacity = _link_capacity(actor, inspection, kind, note_reason)
    if inspection is not None and inspection.control not in controls:
        controls.append(inspection.control)
    if not controls:
        raise ValidationError(N_("Link the evidence to at least one control."), field="controls")
    previous = get_item(session, data.replaces_id) if data.replaces_id else None
    if previous is not None and previous.status != "current":
        raise ValidationError(N_("Only the current version can be replaced."))
    if previous is not None:
        permissions.check_change(actor, previous)  # superseding is withdrawing, plus a file

    media_types: list[str] = []

    def vet(head: bytes, path: Path) -> None:
        media_types.append(check_content(kind, head, path))

    # Until this transaction commits, the blob looks unreferenced: keep the sweep out.
    store_lock.hold_for_upload(session)
    try:
        blob = store.put(stream, max_bytes=max_bytes, check=vet)
    except BlobTooLarge:
        raise EvidenceTooLarge(
            N_("The file is larger than the maximum of %(mb)d MB."), mb=max_bytes // (1024 * 1024)
        ) from None
    item = EvidenceItem(
        title=title[:300],
        description=data.description.strip(),
        original_name=display_name(data.filename),
        size=blob.size,
        media_type=media_types[0] if media_types else kind.media_type,
        sha256=blob.sha256,
        uploaded_by_id=actor.id,
        uploaded_by_label=actor.label,
        uploaded_at=now,
        collected_on=data.collected_on,
        valid_until=data.valid_until,
        inspection_id=inspection.id if inspection else None,
        status="current",
        restricted=data.restricted,
        controls=controls,
        version=previous.version + 1 if previous else 1,
        series_id=previous.series_id if previous else None,
    )
    session.add(item)
    session.flush()
    if previous is None:
        item.series_id = item.id
    else:
        previous.status = "superseded"
    session.flush()
    audit.record(
        session,
        actor,
        "evidence.upload",
        now=now,
        object_type="evidence",
        object_id=item.id,
        details={
            "sha256": item.sha256,
            "size": item.size,
            "name": item.original_name,
            "controls": [c.code for c in controls],
            "version": item.version,
            "replaces": previous.id if previous else None,
            "inspection_id": item.inspection_id,
            "stored_new_blob": blob.created,
        },
    )
    if inspection is not None:
        # On the inspection's own history too: who added evidence to it, and in what capacity.
        audit.record(
            session,
            actor,
            "inspection.evidence_linked",
            now=now,
            object_type="inspection",
            object_id=inspection.id,
            details={
                "evidence_id": item.id,
                "as": capacity,
                "inspection_status": inspection.status,
                **({"reason": note_reason.strip()} if note_reason is not None else {}),
            },
        )
    return item


def _link_capacity(
    actor: Actor, inspection: Inspection | None, kind: FileType, note_reason: str | None
) -> str | None:
    """Who may link evidence to the inspection; a note goes only on a closed one, as text."""
    if inspection is None:
        return None
    if note_reason is None:
        return permissions.link_role(actor, inspection)
    permissions.check_note(actor, inspection)
    if not note_reason.strip():
        raise ValidationError(N_("Give a reason for adding a note."), field="reason")
    if kind is not TEXT:
        raise ValidationError(N_("A note is plain text."), field="file")
    return "note"


def _controls(session: Session, codes: Sequence[str]) -> list[Control]:
    wanted = sorted({code.strip().upper() for code in codes if code.strip()})
    found = list(session.scalars(select(Control).where(Control.code.in_(wanted)))) if wanted else []
    missing = sorted(set(wanted) - {c.code for c in found})
    if missing:
        raise ValidationError(
            N_("No control with code %(code)s."), field="controls", code=missing[0]
        )
    return found


def record_access(
    session: Session, actor: Actor, item: EvidenceItem, action: str, *, now: datetime
) -> None:
    """Write a view or download of evidence to the audit trail (who, when, which, from where)."""
    if action not in ("evidence.view", "evidence.download"):
        raise ValueError(action)
    permissions.check_view(actor, item)
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="evidence",
        object_id=item.id,
        details={"sha256": item.sha256, "name": item.original_name},
    )


def withdraw(
    session: Session, actor: Actor, item: EvidenceItem, reason: str, *, now: datetime
) -> None:
    """Withdraw evidence with a reason; it stays visible to auditors as withdrawn."""
    permissions.check_change(actor, item)
    if not reason.strip():
        raise ValidationError(N_("Give a reason for withdrawing the evidence."), field="reason")
    if item.status == "withdrawn":
        return
    before = item.status
    item.status, item.withdrawn_reason = "withdrawn", reason.strip()
    item.withdrawn_at, item.withdrawn_by_id = now, actor.id
    audit.record(
        session,
        actor,
        "evidence.withdraw",
        now=now,
        object_type="evidence",
        object_id=item.id,
        details={"before": before, "reason": reason.strip()},
    )
