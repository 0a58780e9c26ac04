"""Notes on closed inspections: an approved or missed inspection takes no new files, but the
responsible person (or an administrator) may add a written note with a reason.

A note is ordinary evidence: plain UTF-8 text (``note.txt``) in the content-addressed store, the
reason as its description, linked to the inspection and its control, and audited twice (the
upload, and the link on the inspection's own history with the reason).
"""

from __future__ import annotations

import io
from datetime import date, datetime

from sqlalchemy.orm import Session

from article8.core.audit import Actor
from article8.core.errors import N_, ValidationError
from article8.evidence import services
from article8.evidence.blobstore import BlobStore
from article8.evidence.models import EvidenceItem

MAX_NOTE = 20_000
MAX_REASON = 2_000
NOTE_FILENAME = "note.txt"


def add_note(
    session: Session,
    store: BlobStore,
    actor: Actor,
    inspection_id: int,
    note: str,
    reason: str,
    *,
    collected_on: date,
    now: datetime,
    title: str = "",
) -> EvidenceItem:
    """Store ``note`` as text evidence of a closed inspection, with the reason it came late."""
    note, reason = note.strip(), reason.strip()
    if not note:
        raise ValidationError(N_("Write the note."), field="note")
    if len(note) > MAX_NOTE:
        raise ValidationError(
            N_("A note has at most %(count)d characters."), field="note", count=MAX_NOTE
        )
    if not reason:
        raise ValidationError(N_("Give a reason for adding a note."), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            N_("A reason has at most %(count)d characters."), field="reason", count=MAX_REASON
        )
    body = (note + "\n").encode("utf-8")
    first_line = " ".join(note.splitlines()[0].split())
    data = services.EvidenceInput(
        filename=NOTE_FILENAME,
        title=title.strip() or first_line[:100],
        description=reason,
        collected_on=collected_on,
        inspection_id=inspection_id,
    )
    return services.add_evidence(
        session,
        store,
        actor,
        io.BytesIO(body),
        data,
        max_bytes=len(body),
        now=now,
        note_reason=reason,
    )
