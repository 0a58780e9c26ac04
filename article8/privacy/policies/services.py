"""The write side of the privacy-policy register: register a version with its purpose changes.

The edge stores the text as evidence first (the evidence vault sits beside this package) and
passes the item's id; the text is also kept here, for the diff between versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import audit, roles
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, PermissionDenied
from article8.privacy.policies.errors import PolicyInvalid
from article8.privacy.policies.models import MATTERS, PolicyVersion, PurposeChange

MAX_TEXT = 500_000


@dataclass(frozen=True)
class PurposeChangeInput:
    """One changed purpose of use."""

    purpose: str
    within_relation: bool
    reasoning: str = ""
    consent: str = ""
    notified_on: date | None = None
    notification_method: str = ""


@dataclass(frozen=True)
class PolicyInput:
    """What a person says about a new version of the privacy policy."""

    label: str
    text: str
    effective_on: date
    approved_by: str
    summary: str = ""
    published_on: date | None = None
    publication_method: str = ""
    matters: Sequence[str] = ()
    purpose_changes: Sequence[PurposeChangeInput] = field(default_factory=tuple)


def text_sha256(text: str) -> str:
    """The SHA-256 of the policy text as stored (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fail(template: str, name: str, **params: object) -> PolicyInvalid:
    return PolicyInvalid(template, field=name, **params)


def check_policy(data: PolicyInput) -> None:
    """Raise PolicyInvalid (naming the field) when ``data`` breaks a rule of the register."""
    if not data.label.strip():
        raise _fail(N_("Give the version a name (e.g. 2026-04)."), "label")
    if len(data.label.strip()) > 100:
        raise _fail(N_("At most %(count)d characters."), "label", count=100)
    if not data.text.strip():
        raise _fail(N_("Paste the full text of the policy."), "text")
    if len(data.text) > MAX_TEXT:
        raise _fail(N_("At most %(count)d characters."), "text", count=MAX_TEXT)
    if not data.approved_by.strip():
        raise _fail(N_("Name who approved this version."), "approved_by")
    unknown = [m for m in data.matters if m not in MATTERS]
    if unknown:
        raise _fail(N_("Unknown matter %(code)s."), "matters", code=unknown[0])
    if data.published_on is not None and not data.publication_method.strip():
        raise _fail(N_("Say how the policy was published."), "publication_method")
    for change in data.purpose_changes:
        if not change.purpose.strip():
            raise _fail(N_("Describe the changed purpose of use."), "purpose_changes")
        if change.within_relation:
            if not change.reasoning.strip():
                raise _fail(
                    N_(
                        "Give the reasoning why the changed purpose is reasonably related to the "
                        "old one (Art. 17(2))."
                    ),
                    "purpose_changes",
                )
            if change.notified_on is None or not change.notification_method.strip():
                raise _fail(
                    N_(
                        "Give the date and the method by which the changed purpose was notified "
                        "or published (Art. 21(3))."
                    ),
                    "purpose_changes",
                )
        elif not change.consent.strip():
            raise _fail(
                N_("A purpose beyond the reasonable relation needs consent (Art. 18): say how."),
                "purpose_changes",
            )


def register_version(
    session: Session,
    actor: Actor,
    data: PolicyInput,
    *,
    evidence_id: int | None,
    now: datetime,
) -> PolicyVersion:
    """Register a version of the privacy policy; the text's SHA-256 is kept with it."""
    if not roles.has(actor.role, "policy.manage"):
        raise PermissionDenied(N_("Your role may not register policy versions."))
    check_policy(data)
    label = data.label.strip()
    if session.scalar(select(PolicyVersion.id).where(PolicyVersion.label == label)) is not None:
        raise _fail(N_("A version called %(label)s exists already."), "label", label=label)
    version = PolicyVersion(
        label=label,
        text=data.text,
        sha256=text_sha256(data.text),
        evidence_id=evidence_id,
        effective_on=data.effective_on,
        approved_by=data.approved_by.strip(),
        summary=data.summary.strip(),
        published_on=data.published_on,
        publication_method=data.publication_method.strip(),
        matters=[m for m in MATTERS if m in data.matters],
        created_by_id=actor.id,
        created_at=now,
        purpose_changes=[
            PurposeChange(
                position=n,
                purpose=c.purpose.strip(),
                within_relation=c.within_relation,
                reasoning=c.reasoning.strip(),
                consent=c.consent.strip(),
                notified_on=c.notified_on,
                notification_method=c.notification_method.strip(),
            )
            for n, c in enumerate(data.purpose_changes)
        ],
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        "policy.version_create",
        now=now,
        object_type="policy_version",
        object_id=version.id,
        details={
            "label": version.label,
            "sha256": version.sha256,
            "effective_on": version.effective_on.isoformat(),
            "approved_by": version.approved_by,
            "evidence_id": evidence_id,
            "matters": version.matters,
            "gaps": version.gaps,
            "purpose_changes": len(version.purpose_changes),
        },
    )
    return version


def get_version(session: Session, version_id: int) -> PolicyVersion:
    """The version with ``version_id``."""
    version = session.get(PolicyVersion, version_id)
    if version is None:
        raise NotFound(N_("No such policy version."))
    return version
