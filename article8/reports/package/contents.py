"""What the audit package carries from the vault: which evidence files, under which names.

The scope is the workbook's (its evidence sheet and this folder list the same items): every
evidence item in force at some time in the period, and every item linked to an inspection of the
period, whatever its state (see :func:`in_scope`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from article8.controls.catalogue.models import Control
from article8.evidence.filetypes import BY_EXTENSION
from article8.evidence.models import EvidenceItem, evidence_control
from article8.reports.period import Period
from article8.reports.queries import evidence_in

EVIDENCE_DIR = "evidence"
MAX_SLUG = 60
FALLBACK_SLUG = "evidence"
# Letters and digits of any script (a Japanese title stays readable), nothing else: no dot, slash,
# backslash, colon, space or control character survives, so a name is never a path or a device.
_NOT_NAME = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class EvidenceFile:
    """One evidence item as the package needs it (no ORM object is kept alive)."""

    id: int
    title: str
    original_name: str
    sha256: str
    size: int
    uploaded_at: datetime
    controls: tuple[str, ...]
    inspection_id: int | None

    @property
    def path(self) -> str:
        """Where the file lies in the package: ``evidence/<id>-<safe title>.<ext>``."""
        return f"{EVIDENCE_DIR}/{self.id}-{slug(self.title)}{extension(self.original_name)}"


def slug(text: str) -> str:
    """``text`` as a short safe name: NFKC (full-width ＡＢＣ become ABC, half-width kana become
    full-width), letters and digits of any script kept, every run of other characters one hyphen,
    at most :data:`MAX_SLUG` characters; never empty, never a path. ZIP stores such names as UTF-8
    (its language-encoding flag), which Windows Explorer, macOS and Info-ZIP read."""
    normal = unicodedata.normalize("NFKC", text)
    name = _NOT_NAME.sub("-", normal).strip("-")[:MAX_SLUG].rstrip("-")
    return name or FALLBACK_SLUG


def extension(original_name: str) -> str:
    """The file's extension when it is one the vault accepts (lower case), ``.bin`` otherwise."""
    suffix = PurePosixPath(original_name.replace("\\", "/")).suffix.lower()
    return suffix if suffix in BY_EXTENSION else ".bin"


def in_scope(period: Period, tz: ZoneInfo) -> ColumnElement[bool]:
    """The evidence items the package for ``period`` carries (a WHERE clause): the workbook's
    evidence sheet's items (:func:`article8.reports.queries.evidence_in`, one rule for both),
    never an identity document of a request from an individual (restricted: personal data that
    only the responsible person and administrators may see, and a package goes to auditors)."""
    return and_(evidence_in(period, tz), EvidenceItem.restricted.is_(False))


def evidence_files(session: Session, period: Period, tz: ZoneInfo) -> list[EvidenceFile]:
    """The evidence files of the package, by id, each with its control codes."""
    rows = session.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.title,
            EvidenceItem.original_name,
            EvidenceItem.sha256,
            EvidenceItem.size,
            EvidenceItem.uploaded_at,
            EvidenceItem.inspection_id,
        )
        .where(in_scope(period, tz))
        .order_by(EvidenceItem.id)
    ).all()
    codes: dict[int, list[str]] = {}
    links: Iterable[Any] = session.execute(
        select(evidence_control.c.evidence_id, Control.code)
        .join(Control, Control.id == evidence_control.c.control_id)
        .join(EvidenceItem, EvidenceItem.id == evidence_control.c.evidence_id)
        .where(in_scope(period, tz))
        .order_by(Control.code)
    )
    for evidence_id, code in links:
        codes.setdefault(evidence_id, []).append(code)
    return [
        EvidenceFile(
            id=row.id,
            title=row.title,
            original_name=row.original_name,
            sha256=row.sha256,
            size=row.size,
            uploaded_at=row.uploaded_at,
            controls=tuple(codes.get(row.id, ())),
            inspection_id=row.inspection_id,
        )
        for row in rows
    ]
