"""The read side of the privacy-policy register: versions, the one in force, gaps, diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.privacy.policies.models import PolicyVersion

# The control a gap in the published matters is a finding candidate for.
GAP_CONTROL = "BP-03"


def versions(session: Session) -> list[PolicyVersion]:
    """Every version, the latest effective first."""
    return list(
        session.scalars(
            select(PolicyVersion)
            .options(selectinload(PolicyVersion.purpose_changes))
            .order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
        )
    )


def in_force(session: Session, today: date) -> PolicyVersion | None:
    """The version in force on ``today``: the latest that took effect by then."""
    return session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.effective_on <= today)
        .order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: ``kind`` is ``add``, ``remove``, ``context`` or ``hunk``."""

    kind: str
    text: str


def diff(old: PolicyVersion, new: PolicyVersion, context: int = 3) -> list[DiffLine]:
    """The unified diff of two versions' texts, line by line (the page escapes the text)."""
    lines = difflib.unified_diff(
        old.text.splitlines(), new.text.splitlines(), old.label, new.label, n=context, lineterm=""
    )
    result = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            result.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            result.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            result.append(DiffLine("remove", line[1:]))
        else:
            result.append(DiffLine("context", line[1:]))
    return result
