"""The request register's write side: receive, assign, verify, charge, decide, respond, close.

States run received → verifying → in progress → decided → responded → closed; a request is never
deleted. A disclosure kind never reaches "in progress" before the requester's identity is
confirmed. A fee is recorded only for the kinds 法38条 allows. Every change is audited with the
request's fields before and after. Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from article8.core import audit, roles, vocabulary
from article8.core.audit import Actor
from article8.core.calendar import NO_CLOSURES, Closures, local_date
from article8.core.closures import company_closures
from article8.core.errors import N_, NotFound, PermissionDenied, Phrase, ValidationError
from article8.core.models import User
from article8.core.settings import Settings
from article8.privacy.requests.deadlines import request_deadlines
from article8.privacy.requests.errors import TransitionRefused
from article8.privacy.requests.models import (
    DISCLOSURE_KINDS,
    FEE_KINDS,
    PrivacyRequest,
    privacy_request_identity,
    privacy_request_system,
)

# The catalogue control the responses and the monthly summary are evidence for (通則編 3-8).
REQUESTS_CONTROL = "ORG-13"
MAX_NAME = 200
MAX_TEXT = 20000
# Nothing reached the company before the register existed (and older dates would not print).
EARLIEST_RECEIPT = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Deadlines:
    """How the clocks are set: the local time zone, closed days and the configured targets."""

    tz: ZoneInfo
    closures: Closures = NO_CLOSURES
    target_days: int = 14
    reply_business_days: int = 5


@dataclass(frozen=True)
class RequestInput:
    """A request as received (from the page, the API or an import row)."""

    kind: str
    channel: str
    received_at: datetime
    requester_name: str
    requester_contact: str = ""
    agent_kind: str | None = None
    agent_name: str | None = None
    data_concerned: str = ""
    disclosure_method: str | None = None
    fee_yen: int | None = None
    fee_state: str | None = None
    systems: Sequence[str] = field(default_factory=tuple)
    inquiry_id: int | None = None
    # The systems of the handler register (access.queries.register_systems): the edge looks them
    # up, as the registers of individuals do not read the access package.
    known_systems: Collection[str] = field(default_factory=tuple)


def get_request(session: Session, request_id: int) -> PrivacyRequest:
    """The request with ``request_id``."""
    found = session.get(PrivacyRequest, request_id)
    if found is None:
        raise NotFound(N_("No such request."))
    return found


def visible_request(session: Session, actor: Actor, request_id: int) -> PrivacyRequest:
    """The request if ``actor`` may see it (inspectors: only those assigned to them)."""
    found = get_request(session, request_id)
    if not roles.may_view_request(actor, found):
        raise PermissionDenied(N_("You may see only the requests assigned to you."))
    return found


def check_input(data: RequestInput, *, now: datetime) -> None:
    """Raise :class:`ValidationError` naming the first field of ``data`` that breaks a rule."""
    if data.kind not in vocabulary.REQUEST_KINDS:
        raise ValidationError(N_("Unknown kind of request %(kind)s."), field="kind", kind=data.kind)
    if data.channel not in vocabulary.CHANNELS:
        raise ValidationError(
            N_("Unknown channel %(channel)s."), field="channel", channel=data.channel
        )
    if data.received_at.tzinfo is None:
        raise ValueError("received_at must carry its time zone")
    check_receipt(data.received_at, now=now)
    name = " ".join(data.requester_name.split())
    if not name:
        raise ValidationError(N_("Name the person making the request."), field="requester_name")
    if len(name) > MAX_NAME or len(data.requester_contact) > 300:
        raise ValidationError(
            N_("The name has at most %(count)d characters."), field="requester_name", count=MAX_NAME
        )
    if data.agent_kind is not None and data.agent_kind not in vocabulary.AGENT_KINDS:
        raise ValidationError(
            N_("Unknown kind of agent %(kind)s."), field="agent_kind", kind=data.agent_kind
        )
    if data.agent_kind and not (data.agent_name or "").strip():
        raise ValidationError(N_("Name the agent."), field="agent_name")
    if (
        data.disclosure_method is not None
        and data.disclosure_method not in vocabulary.DISCLOSURE_METHODS
    ):
        raise ValidationError(
            N_("Unknown disclosure method %(method)s."),
            field="disclosure_method",
            method=data.disclosure_method,
        )
    if len(data.data_concerned) > MAX_TEXT:
        raise ValidationError(
            N_("The text has at most %(count)d characters."), field="data_concerned", count=MAX_TEXT
        )
    check_fee(data.kind, data.fee_yen, data.fee_state)


def check_receipt(received_at: datetime, *, now: datetime) -> None:
    """The time of receipt is neither in the future nor before 2000."""
    if received_at > now:
        raise ValidationError(N_("The time of receipt is in the future."), field="received_at")
    if received_at < EARLIEST_RECEIPT:
        raise ValidationError(N_("The time of receipt is before 2000-01-01."), field="received_at")


def check_fee(kind: str, fee_yen: int | None, fee_state: str | None) -> None:
    """法38条: a fee only for the notice of purpose and for disclosure, never negative."""
    if fee_yen is None and fee_state is None:
        return
    if kind not in FEE_KINDS:
        raise ValidationError(
            N_(
                "No fee may be charged for this kind of request (法38条 allows one only for the "
                "notice of the purpose of use and for disclosure)."
            ),
            field="fee_yen",
        )
    if fee_yen is not None and fee_yen < 0:
        raise ValidationError(N_("The fee cannot be negative."), field="fee_yen")
    if fee_state is not None and fee_state not in vocabulary.FEE_STATES:
        raise ValidationError(
            N_("Unknown fee state %(state)s."), field="fee_state", state=fee_state
        )


def receive(
    session: Session,
    actor: Actor,
    data: RequestInput,
    *,
    now: datetime,
    deadlines: Deadlines,
) -> PrivacyRequest:
    """Record a request that reached the company; its clocks start on the local day of receipt."""
    if not roles.has(actor.role, "request.manage"):
        raise PermissionDenied(N_("Only the responsible person can record requests."))
    check_input(data, now=now)
    systems = _systems(data.systems, data.known_systems)
    due = request_deadlines(
        local_date(data.received_at, deadlines.tz),
        target_days=deadlines.target_days,
        closures=deadlines.closures,
    )
    found = PrivacyRequest(
        kind=data.kind,
        channel=data.channel,
        received_at=data.received_at,
        requester_name=" ".join(data.requester_name.split()),
        requester_contact=data.requester_contact.strip(),
        agent_kind=data.agent_kind or None,
        agent_name=(data.agent_name or "").strip() or None,
        data_concerned=data.data_concerned.strip(),
        disclosure_method=data.disclosure_method or None,
        fee_yen=data.fee_yen,
        fee_state=data.fee_state,
        state="received",
        target_on=due.target,
        statutory_on=due.statutory,
        reasons="",
        inquiry_id=data.inquiry_id,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(found)
    session.flush()
    _set_systems(session, found, systems)
    audit.record(
        session,
        actor,
        "request.receive",
        now=now,
        object_type="privacy_request",
        object_id=found.id,
        details={"before": None, "after": snapshot(session, found)},
    )
    return found


def assign(
    session: Session, actor: Actor, found: PrivacyRequest, owner: User | None, *, now: datetime
) -> None:
    """Give the request to a person who works on it (an inspector retrieving data, say)."""
    before = _check(session, actor, found)
    if owner is not None and not (owner.active and roles.has(owner.role, "request.work")):
        raise ValidationError(
            N_("%(name)s cannot be given requests."), field="owner_id", name=owner.display_name
        )
    found.owner_id = owner.id if owner else None
    _changed(session, actor, found, "request.assign", before, now)


def start_verification(
    session: Session, actor: Actor, found: PrivacyRequest, *, now: datetime
) -> None:
    """Received → verifying: the requester's (and agent's) identity is being confirmed."""
    before = _check(session, actor, found)
    _require_state(found, ("received",), "verifying")
    found.state = "verifying"
    _changed(session, actor, found, "request.state", before, now)


def record_verification(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    method: str,
    result: str,
    now: datetime,
) -> None:
    """Record how identity was checked and the result; confirmed moves the request on to work."""
    before = _check(session, actor, found)
    _require_state(found, ("received", "verifying"), "in_progress")
    method = " ".join(method.split())
    if not method:
        raise ValidationError(N_("Say how identity was checked."), field="verification_method")
    if result not in vocabulary.VERIFICATION_RESULTS:
        raise ValidationError(
            N_("Unknown result %(result)s."), field="verification_result", result=result
        )
    found.verification_method, found.verification_result = method[:300], result
    found.verified_by_id, found.verified_at = actor.id, now
    found.state = "in_progress" if result == "confirmed" else "verifying"
    _changed(session, actor, found, "request.verify", before, now)


def begin_work(session: Session, actor: Actor, found: PrivacyRequest, *, now: datetime) -> None:
    """Move to "in progress"; a disclosure kind only once identity has been confirmed."""
    before = _check(session, actor, found)
    _require_state(found, ("received", "verifying"), "in_progress")
    if found.kind in DISCLOSURE_KINDS and found.verification_result != "confirmed":
        raise TransitionRefused(
            N_(
                "Confirm the requester's identity first: personal data is disclosed only to "
                "the person (or their agent) once identity has been confirmed."
            ),
            field="state",
        )
    found.state = "in_progress"
    _changed(session, actor, found, "request.state", before, now)


def set_fee(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    fee_yen: int | None,
    fee_state: str | None,
    now: datetime,
) -> None:
    """Record the fee charged, received or waived (only for the kinds that may be charged)."""
    before = _check(session, actor, found)
    check_fee(found.kind, fee_yen, fee_state)
    found.fee_yen, found.fee_state = fee_yen, fee_state
    _changed(session, actor, found, "request.fee", before, now)


def update_work(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    data_concerned: str,
    systems: Sequence[str],
    known_systems: Collection[str],
    now: datetime,
) -> None:
    """Record the data concerned and the systems it is in (the assignee may do this)."""
    if not roles.may_work_on_request(actor, found):
        raise PermissionDenied(N_("Only the assignee or the responsible person may do this."))
    if found.state == "closed":
        raise TransitionRefused(N_("This request is closed."), field="state")
    if len(data_concerned) > MAX_TEXT:
        raise ValidationError(
            N_("The text has at most %(count)d characters."), field="data_concerned", count=MAX_TEXT
        )
    before = snapshot(session, found)
    found.data_concerned = data_concerned.strip()
    _set_systems(session, found, _systems(systems, known_systems))
    _changed(session, actor, found, "request.update", before, now)


def decide(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    decision: str,
    refusal_ground: str | None,
    reasons: str,
    now: datetime,
) -> None:
    """In progress → decided: full, partial, refused (with the 法33条2項 ground) or n/a.

    Reasons are required whenever the company does not do all that was asked (法36条).
    """
    before = _check(session, actor, found)
    _require_state(found, ("in_progress",), "decided")
    if decision not in vocabulary.DECISIONS:
        raise ValidationError(
            N_("Unknown decision %(decision)s."), field="decision", decision=decision
        )
    reasons = reasons.strip()
    if decision == "refused" and found.kind in DISCLOSURE_KINDS:
        if refusal_ground not in vocabulary.REFUSAL_GROUNDS:
            raise ValidationError(
                N_("Name the ground of 法33条2項 on which disclosure is refused."),
                field="refusal_ground",
            )
    elif refusal_ground:
        raise ValidationError(
            N_("A refusal ground is recorded only when disclosure is refused."),
            field="refusal_ground",
        )
    if decision != "full" and not reasons:
        raise ValidationError(N_("Give the reasons told to the person (法36条)."), field="reasons")
    if len(reasons) > MAX_TEXT:
        raise ValidationError(
            N_("The text has at most %(count)d characters."), field="reasons", count=MAX_TEXT
        )
    found.decision, found.refusal_ground = decision, refusal_ground or None
    found.reasons, found.decided_at, found.state = reasons, now, "decided"
    _changed(session, actor, found, "request.decide", before, now)


def check_response(
    actor: Actor,
    found: PrivacyRequest,
    *,
    responded_on: date,
    method: str,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Raise unless the response may be recorded (called before its copy is stored)."""
    if not roles.has(actor.role, "request.manage"):
        raise PermissionDenied(N_("Only the responsible person can handle requests."))
    _require_state(found, ("decided",), "responded")
    if method not in vocabulary.DISCLOSURE_METHODS:
        raise ValidationError(
            N_("Unknown method %(method)s."), field="response_method", method=method
        )
    if responded_on > local_date(now, tz) or responded_on < local_date(found.received_at, tz):
        raise ValidationError(
            N_("The response date must lie between receipt and today."), field="responded_on"
        )


def record_response(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    evidence_id: int,
    sha256: str,
    responded_on: date,
    method: str,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Decided → responded, with the copy of the response already stored as evidence.

    The edge stores the copy in the evidence vault (control :data:`REQUESTS_CONTROL`) in the same
    transaction and passes its id and SHA-256, which the audit trail keeps.
    """
    check_response(actor, found, responded_on=responded_on, method=method, now=now, tz=tz)
    before = snapshot(session, found)
    found.response_evidence_id, found.responded_on = evidence_id, responded_on
    found.response_method, found.state = method, "responded"
    found.response_sha256 = sha256
    _changed(session, actor, found, "request.respond", before, now)


def check_identity_document(actor: Actor, found: PrivacyRequest) -> None:
    """Raise unless ``actor`` may store a copy of an identity document for ``found`` (called
    before the file is stored as restricted evidence)."""
    if not roles.has(actor.role, "request.identity"):
        raise PermissionDenied(
            N_("Only the responsible person or an administrator may handle identity documents.")
        )
    if found.state == "closed":
        raise TransitionRefused(N_("This request is closed."), field="state")


def add_identity_document(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    *,
    evidence_id: int,
    sha256: str,
    now: datetime,
) -> None:
    """Link a copy of an identity document, already stored as restricted evidence, to the
    request. The audit records which file (by id and SHA-256), never its contents."""
    check_identity_document(actor, found)
    session.execute(
        insert(privacy_request_identity).values(request_id=found.id, evidence_id=evidence_id)
    )
    audit.record(
        session,
        actor,
        "request.identity_document",
        now=now,
        object_type="privacy_request",
        object_id=found.id,
        details={"evidence_id": evidence_id, "sha256": sha256},
    )


def identity_documents(session: Session, actor: Actor, found: PrivacyRequest) -> list[int]:
    """The evidence ids of the request's identity documents (only for those who may see them)."""
    if not roles.has(actor.role, "request.identity"):
        return []
    return list(
        session.scalars(
            select(privacy_request_identity.c.evidence_id)
            .where(privacy_request_identity.c.request_id == found.id)
            .order_by(privacy_request_identity.c.evidence_id)
        )
    )


def close(session: Session, actor: Actor, found: PrivacyRequest, *, now: datetime) -> None:
    """Responded → closed."""
    before = _check(session, actor, found)
    _require_state(found, ("responded",), "closed")
    found.state, found.closed_at = "closed", now
    _changed(session, actor, found, "request.close", before, now)


def systems_of(session: Session, found: PrivacyRequest) -> list[str]:
    """The register systems linked to the request, by name."""
    return list(
        session.scalars(
            select(privacy_request_system.c.system)
            .where(privacy_request_system.c.request_id == found.id)
            .order_by(privacy_request_system.c.system)
        )
    )


def snapshot(session: Session, found: PrivacyRequest) -> dict[str, Any]:
    """The request's fields as the audit trail records them (no identity document contents)."""

    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "kind": found.kind,
        "channel": found.channel,
        "received_at": found.received_at.isoformat(),
        "requester_name": found.requester_name,
        "agent_kind": found.agent_kind,
        "state": found.state,
        "owner_id": found.owner_id,
        "target_on": day(found.target_on),
        "statutory_on": day(found.statutory_on),
        "verification_method": found.verification_method,
        "verification_result": found.verification_result,
        "disclosure_method": found.disclosure_method,
        "fee_yen": found.fee_yen,
        "fee_state": found.fee_state,
        "decision": found.decision,
        "refusal_ground": found.refusal_ground,
        "reasons": found.reasons,
        "responded_on": day(found.responded_on),
        "response_method": found.response_method,
        "response_evidence_id": found.response_evidence_id,
        "response_sha256": found.response_sha256,
        "data_concerned": found.data_concerned,
        "systems": systems_of(session, found) if found.id else [],
        "inquiry_id": found.inquiry_id,
    }


# --- helpers -----------------------------------------------------------------------------------


def _check(session: Session, actor: Actor, found: PrivacyRequest) -> dict[str, Any]:
    if not roles.has(actor.role, "request.manage"):
        raise PermissionDenied(N_("Only the responsible person can handle requests."))
    if found.state == "closed":
        raise TransitionRefused(N_("This request is closed."), field="state")
    return snapshot(session, found)


def _require_state(found: PrivacyRequest, allowed: tuple[str, ...], target: str) -> None:
    if found.state not in allowed:
        raise TransitionRefused(
            N_("A request that is %(state)s cannot move to %(target)s."),
            field="state",
            state=Phrase(vocabulary.REQUEST_STATES.label(found.state)),
            target=Phrase(vocabulary.REQUEST_STATES.label(target)),
        )


def _systems(names: Sequence[str], known_systems: Collection[str]) -> list[str]:
    wanted = sorted({name.strip() for name in names if name.strip()})
    known = set(known_systems)
    for name in wanted:
        if name not in known:
            raise ValidationError(
                N_("No system called %(name)s in the handler register."), field="systems", name=name
            )
    return wanted


def _set_systems(session: Session, found: PrivacyRequest, systems: list[str]) -> None:
    session.execute(
        delete(privacy_request_system).where(privacy_request_system.c.request_id == found.id)
    )
    if systems:
        session.execute(
            insert(privacy_request_system),
            [{"request_id": found.id, "system": name} for name in systems],
        )


def _changed(
    session: Session,
    actor: Actor,
    found: PrivacyRequest,
    action: str,
    before: dict[str, Any],
    now: datetime,
) -> None:
    session.flush()
    after = snapshot(session, found)
    if after == before:
        return
    found.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="privacy_request",
        object_id=found.id,
        details={"before": before, "after": after},
    )


def deadline_rules(session: Session, settings: Settings) -> Deadlines:
    """The rules in force: the settings' time zone and targets, yearly and one-off closures."""
    return Deadlines(
        tz=settings.timezone,
        closures=company_closures(session, settings.closed_days),
        target_days=settings.request_target_days,
        reply_business_days=settings.inquiry_reply_business_days,
    )
