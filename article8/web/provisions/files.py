"""Storing the files of these registers in the evidence vault (the privacy package cannot)."""

from __future__ import annotations

import io
from typing import BinaryIO

from sqlalchemy import select

from article8.controls.catalogue.models import Control
from article8.evidence import services as evidence
from article8.evidence.blobstore import evidence_store
from article8.web.context import actor, db, now, settings, today
from article8.web.evidence.files import max_bytes

# The controls the files are evidence for: the publication of the policy (BP-03), and the
# records of provision and receipt (ORG-12) and a foreign recipient (EXT-03).
POLICY_CONTROL = "BP-03"
LIST_CONTROL = "ORG-12"
FOREIGN_CONTROL = "EXT-03"


def _known(codes: tuple[str, ...]) -> tuple[str, ...]:
    found = set(db().scalars(select(Control.code).where(Control.code.in_(codes))))
    return tuple(code for code in codes if code in found)


def store(stream: BinaryIO, filename: str, title: str, codes: tuple[str, ...]) -> int | None:
    """Store ``stream`` as evidence for ``codes``; the item's id (None without the catalogue)."""
    codes = _known(codes)
    if not codes:
        return None
    item = evidence.add_evidence(
        db(),
        evidence_store(settings()),
        actor(),
        stream,
        evidence.EvidenceInput(
            filename=filename, title=title, collected_on=today(), control_codes=codes
        ),
        max_bytes=max_bytes(),
        now=now(),
    )
    return item.id


def store_text(text: str, filename: str, title: str, codes: tuple[str, ...]) -> int | None:
    """Store ``text`` (UTF-8) as a text file of evidence."""
    return store(io.BytesIO(text.encode("utf-8")), filename, title, codes)
