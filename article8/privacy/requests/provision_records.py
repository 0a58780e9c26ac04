"""Disclosure of third-party provision and receipt records to the individual (法33条5項).

On a request of the kind ``provision_record_disclosure``, the records that concern the requester
are found by name (as :func:`article8.privacy.provisions.queries.concerning` matches it) and an
extract of them is attached to the request. The edge stores the extract in the evidence vault
(this package does not import the vault) and passes its id and SHA-256; the link between the
request and its extracts is the audit event written here, which the append-only, hash-chained
trail keeps, so no further table is needed. An extract that lists no record is attached as well:
it is the evidence that the search was done.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import audit, roles
from article8.core.audit import Actor
from article8.core.errors import N_, PermissionDenied, ValidationError
from article8.core.models import AuditEvent
from article8.core.vocabulary import Translate
from article8.privacy.provisions import queries as provisions
from article8.privacy.provisions.models import ProvisionRecord
from article8.privacy.requests.errors import TransitionRefused
from article8.privacy.requests.models import PrivacyRequest

KIND = "provision_record_disclosure"
EXTRACT_ACTION = "request.provision_extract"
# An extract is disclosure work: never before identity is confirmed (the request then reaches
# "in progress"), and it may still serve as the response copy once decided.
EXTRACT_STATES = ("in_progress", "decided")
MAX_NAME = 200


@dataclass(frozen=True)
class AttachedExtract:
    """An extract attached to a request, as its audit event recorded it."""

    evidence_id: int
    sha256: str
    searched_as: str
    record_ids: tuple[int, ...]
    attached_at: datetime
    attached_by: str


def search_name(actor: Actor, found: PrivacyRequest, name: str | None = None) -> str:
    """The name to search for: the requester's, or another spelling (kana, old name) that only
    the responsible person may give, since it searches the register for anyone's name."""
    wanted = " ".join((name or "").split())
    if not wanted:
        return found.requester_name
    if len(wanted) > MAX_NAME:
        raise ValidationError(
            N_("The name has at most %(count)d characters."), field="name", count=MAX_NAME
        )
    if _squeezed(wanted) != _squeezed(found.requester_name) and not roles.has(
        actor.role, "request.manage"
    ):
        raise PermissionDenied(
            N_("Only the responsible person may search under another spelling of the name.")
        )
    return wanted


def records_concerning(
    session: Session, actor: Actor, found: PrivacyRequest, name: str | None = None
) -> list[ProvisionRecord]:
    """The provision and receipt records that concern the requester (or the name given)."""
    _check_kind(found)
    if not roles.may_view_request(actor, found):
        raise PermissionDenied(N_("You may see only the requests assigned to you."))
    return provisions.concerning(session, search_name(actor, found, name))


def check_extract(actor: Actor, found: PrivacyRequest, name: str | None = None) -> str:
    """Raise unless ``actor`` may attach an extract to ``found`` now; the name searched for.

    Called before the extract is stored, so a refused attachment leaves no evidence behind.
    """
    _check_kind(found)
    if not roles.may_work_on_request(actor, found):
        raise PermissionDenied(N_("Only the assignee or the responsible person may do this."))
    if found.state not in EXTRACT_STATES:
        raise TransitionRefused(
            N_(
                "Attach an extract once the requester's identity is confirmed and the work has "
                "begun, and before the response is recorded."
            ),
            field="state",
        )
    return search_name(actor, found, name)


def extract(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    name: str | None = None,
    *,
    translate: Translate | None = None,
) -> tuple[bytes, list[int]]:
    """The extract to attach (CSV, UTF-8 with BOM, formulas neutralised; headings and labels
    in the language of ``translate``) and the ids of the records it lists."""
    person = check_extract(actor, found, name)
    ids = [r.id for r in provisions.concerning(session, person)]
    return provisions.extract_csv(session, person, translate), ids


def attach_extract(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    name: str | None,
    evidence_id: int,
    sha256: str,
    record_ids: list[int],
    now: datetime,
) -> None:
    """Link an extract, already stored as evidence, to the request (audited with its SHA-256,
    the name searched for and the records it lists)."""
    person = check_extract(actor, found, name)
    found.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        EXTRACT_ACTION,
        now=now,
        object_type="privacy_request",
        object_id=found.id,
        details={
            "evidence_id": evidence_id,
            "sha256": sha256,
            "searched_as": person,
            "records": len(record_ids),
            "record_ids": record_ids,
        },
    )


def extracts(session: Session, found: PrivacyRequest) -> list[AttachedExtract]:
    """The extracts attached to ``found``, oldest first."""
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "privacy_request",
            AuditEvent.object_id == str(found.id),
            AuditEvent.action == EXTRACT_ACTION,
        )
        .order_by(AuditEvent.seq)
    )
    attached = []
    for event in events:
        details = json.loads(event.details)
        attached.append(
            AttachedExtract(
                evidence_id=int(details["evidence_id"]),
                sha256=str(details["sha256"]),
                searched_as=str(details["searched_as"]),
                record_ids=tuple(int(i) for i in details["record_ids"]),
                attached_at=event.occurred_at,
                attached_by=event.actor_label,
            )
        )
    return attached


def attached_extract(session: Session, found: PrivacyRequest, evidence_id: int) -> AttachedExtract:
    """The extract ``evidence_id`` if it is attached to ``found`` (to serve as the response)."""
    for item in extracts(session, found):
        if item.evidence_id == evidence_id:
            return item
    raise ValidationError(N_("That extract is not attached to this request."), field="extract_id")


def _check_kind(found: PrivacyRequest) -> None:
    if found.kind != KIND:
        raise ValidationError(
            N_("Only a request for disclosure of provision records has an extract."), field="kind"
        )


def _squeezed(text: str) -> str:
    return "".join(text.replace("\u3000", " ").split()).casefold()
