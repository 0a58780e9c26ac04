"""The write side of the provision and receipt records: record, change, extend, remove, purge.

Services flush; the caller commits. Every change is audited with the record's state before and
after. A record cannot be removed before its retention period ends; after it ends the purge
removes it with an audit event per record, never silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.core import audit, roles
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, PermissionDenied
from article8.privacy.provisions.errors import ProvisionInvalid, RetentionNotEnded
from article8.privacy.provisions.models import (
    BASES,
    DIRECTIONS,
    EXEMPT_BASES,
    RECORD_FORMS,
    ProvisionRecord,
)
from article8.privacy.provisions.retention import retention_until

MAX_NAME = 300
MAX_TEXT = 20000
MAX_COUNTRY = 100


@dataclass(frozen=True)
class ProvisionInput:
    """What a person (or a system, through the API or a file) says about one provision."""

    direction: str
    basis: str
    party_name: str
    record_form: str | None = None
    party_address: str = ""
    party_representative: str = ""
    individuals_description: str = ""
    individuals_count: int | None = None
    individuals_list: str = ""
    individuals_list_evidence_id: int | None = None
    data_items: str = ""
    consent_evidence: str = ""
    provided_on: date | None = None
    last_provided_on: date | None = None
    foreign_country: str = ""
    foreign_information: str = ""
    foreign_consent: bool = False
    provider_acquisition: str = ""
    related_information: bool = False
    related_consent_confirmed: bool = False
    note: str = ""


def _fail(template: str, name: str, **params: Any) -> ProvisionInvalid:
    return ProvisionInvalid(template, field=name, **params)


def normalised(data: ProvisionInput) -> ProvisionInput:
    """``data`` with its texts trimmed and, for an exempt basis, no record form."""
    texts = {
        f.name: getattr(data, f.name).strip()
        for f in fields(data)
        if isinstance(getattr(data, f.name), str)
    }
    data = replace(data, **texts)
    if data.basis in EXEMPT_BASES:
        # No record is required: nothing to keep, so no form and no retention.
        data = replace(data, record_form=None)
    return data


def check_provision(data: ProvisionInput) -> None:
    """Raise ProvisionInvalid (naming the field) when ``data`` breaks a rule of the Act."""
    if data.direction not in DIRECTIONS:
        raise _fail(N_("expected one of %(allowed)s"), "direction", allowed=", ".join(DIRECTIONS))
    if data.basis not in BASES:
        raise _fail(N_("expected one of %(allowed)s"), "basis", allowed=", ".join(BASES))
    if not data.party_name:
        raise _fail(N_("Name the other party."), "party_name")
    for name, limit in (
        ("party_name", MAX_NAME),
        ("party_representative", MAX_NAME),
        ("foreign_country", MAX_COUNTRY),
    ):
        if len(getattr(data, name)) > limit:
            raise _fail(N_("At most %(count)d characters."), name, count=limit)
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise _fail(N_("At most %(count)d characters."), f.name, count=MAX_TEXT)
    if data.individuals_count is not None and data.individuals_count < 0:
        raise _fail(N_("The number of individuals cannot be negative."), "individuals_count")
    if data.foreign_country:
        # Art. 28: consent after the information of Rules Art. 17 (control EXT-03).
        if not data.foreign_information:
            raise _fail(
                N_(
                    "Describe the information given under Rules Art. 17 (the country, its "
                    "system for protecting personal information, the recipient's measures)."
                ),
                "foreign_information",
            )
        if not data.foreign_consent:
            raise _fail(
                N_("A provision to a foreign recipient needs the individual's consent (Art. 28)."),
                "foreign_consent",
            )
    if data.basis in EXEMPT_BASES:
        return  # no record is required; what is given is kept as a note
    if data.record_form not in RECORD_FORMS:
        raise _fail(
            N_("Choose how the record is made: %(allowed)s."),
            "record_form",
            allowed=", ".join(RECORD_FORMS),
        )
    if not data.individuals_description and data.individuals_count is None:
        raise _fail(N_("Describe the individuals or give their number."), "individuals_description")
    if not data.data_items:
        raise _fail(N_("List the items of personal data."), "data_items")
    if data.basis == "opt_out" and data.provided_on is None:
        raise _fail(N_("An opt-out provision needs its date (Art. 27(2))."), "provided_on")
    if data.basis == "consent" and not data.consent_evidence:
        raise _fail(N_("Say how the individual's consent was obtained."), "consent_evidence")
    if data.direction == "receipt":
        if not data.party_address or not data.party_representative:
            raise _fail(
                N_("A receipt needs the provider's address and representative (Art. 30)."),
                "party_address" if not data.party_address else "party_representative",
            )
        if not data.provider_acquisition:
            raise _fail(
                N_("Record how the provider obtained the data (Art. 30(1)(ii))."),
                "provider_acquisition",
            )
        if data.basis == "opt_out" and not data.consent_evidence:
            raise _fail(N_("Record the provider's opt-out publication."), "consent_evidence")
    if data.direction == "provision" and data.basis == "opt_out" and not data.party_address:
        raise _fail(N_("An opt-out provision records the recipient's address."), "party_address")
    if data.related_information:
        if data.direction != "receipt":
            raise _fail(
                N_("Personal-related information is recorded on the receiving side."),
                "related_information",
            )
        if not data.related_consent_confirmed:
            raise _fail(
                N_("Confirm that the individual consented to the provision (Art. 31)."),
                "related_consent_confirmed",
            )
    first = data.provided_on
    if first is not None and data.last_provided_on is not None and data.last_provided_on < first:
        raise _fail(N_("The last provision is before the first."), "last_provided_on")


def _require(actor: Actor, permission: str) -> None:
    if not roles.has(actor.role, permission):
        raise PermissionDenied(N_("Your role may not change provision records."))


def get_record(session: Session, record_id: int) -> ProvisionRecord:
    """The record with ``record_id``."""
    record = session.get(ProvisionRecord, record_id)
    if record is None:
        raise NotFound(N_("No such provision record."))
    return record


def snapshot(record: ProvisionRecord) -> dict[str, Any]:
    """The record's content, as the audit trail and the purge hash it."""
    body = {c.name: getattr(record, c.key) for c in ProvisionRecord.__table__.columns}
    for name in ("created_at", "updated_at"):
        body.pop(name, None)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in body.items()}


def record_hash(record: ProvisionRecord) -> str:
    """SHA-256 of the record's canonical content (what a purge leaves behind)."""
    return hashlib.sha256(audit.canonical_json(snapshot(record)).encode("utf-8")).hexdigest()


def _apply(record: ProvisionRecord, data: ProvisionInput) -> None:
    for f in fields(data):
        setattr(record, f.name, getattr(data, f.name))
    record.retention_until = retention_until(
        record.record_form,
        created_on=record.created_on,
        provided_on=record.provided_on,
        last_provided_on=record.last_provided_on,
    )


def record_provision(
    session: Session, actor: Actor, data: ProvisionInput, *, now: datetime, today: date
) -> ProvisionRecord:
    """Record a provision or receipt; its retention follows from the record form."""
    _require(actor, "provision.manage")
    data = normalised(data)
    check_provision(data)
    record = ProvisionRecord(
        created_on=today, created_by_id=actor.id, created_at=now, updated_at=now
    )
    _apply(record, data)
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor,
        "provision.create",
        now=now,
        object_type="provision_record",
        object_id=record.id,
        details={"before": None, "after": snapshot(record)},
    )
    return record


def update_provision(
    session: Session,
    actor: Actor,
    record: ProvisionRecord,
    data: ProvisionInput,
    *,
    reason: str,
    now: datetime,
) -> bool:
    """Correct a record (True when something changed): the same rules as recording it, a reason,
    and its retention computed again, never ending earlier than it did before the correction.

    A record of provision is a legal record: the audit trail keeps what it said before, what it
    says now and why. A correction that would shorten the retention (a basis corrected to an
    exempt one, a record form or a date corrected) keeps the record until the end promised
    before: the record may have been shown, to an individual or to the PPC, as kept until then,
    and keeping it longer breaks no rule while removing it earlier might.
    """
    _require(actor, "provision.manage")
    reason = reason.strip()
    if not reason:
        raise _fail(N_("Say why the record is corrected."), "reason")
    if len(reason) > MAX_TEXT:
        raise _fail(N_("At most %(count)d characters."), "reason", count=MAX_TEXT)
    data = normalised(data)
    check_provision(data)
    before = snapshot(record)
    previous_last = record.last_provided_on or record.provided_on
    until, computed = retention_after_correction(record, data)
    _apply(record, data)
    record.retention_until = until
    details: dict[str, Any] = {"reason": reason}
    if until != computed:
        details["retention_kept"] = {
            "computed": computed.isoformat() if computed else None,
            "kept_until": until.isoformat() if until else None,
        }
    last = record.last_provided_on
    if (
        record.record_form in ("bulk", "contract")
        and last is not None
        and (previous_last is None or last > previous_last)
    ):
        # The last provision moved forward: a further provision under the bulk record.
        details["further_provision_on"] = last.isoformat()
    after = snapshot(record)
    if after == before:
        return False  # nothing to correct: no event (a PATCH sent twice changes nothing)
    record.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "provision.update",
        now=now,
        object_type="provision_record",
        object_id=record.id,
        details={"before": before, "after": after, **details},
    )
    return True


def retention_after_correction(
    record: ProvisionRecord, data: ProvisionInput
) -> tuple[date | None, date | None]:
    """The retention end ``record`` would have once corrected to ``data``, and the end computed
    from ``data`` alone (earlier, or None, when the correction keeps the end already set)."""
    data = normalised(data)
    computed = retention_until(
        data.record_form,
        created_on=record.created_on,
        provided_on=data.provided_on,
        last_provided_on=data.last_provided_on,
    )
    promised = record.retention_until
    if promised is not None and (computed is None or computed < promised):
        return promised, computed
    return computed, computed


def current_input(record: ProvisionRecord) -> ProvisionInput:
    """What the record says now, as the input a correction starts from."""
    return ProvisionInput(**{f.name: getattr(record, f.name) for f in fields(ProvisionInput)})


def record_further_provision(
    session: Session, actor: Actor, record: ProvisionRecord, on: date, *, now: datetime
) -> None:
    """A further provision under a bulk (or contract) record: the retention runs from it."""
    _require(actor, "provision.manage")
    if record.record_form not in ("bulk", "contract"):
        raise _fail(
            N_("Only a bulk or contract record covers further provisions."), "last_provided_on"
        )
    first = record.provided_on or record.created_on
    if on < first:
        raise _fail(N_("The last provision is before the first."), "last_provided_on")
    before = snapshot(record)
    if record.last_provided_on is None or on > record.last_provided_on:
        record.last_provided_on = on
    record.retention_until = retention_until(
        record.record_form,
        created_on=record.created_on,
        provided_on=record.provided_on,
        last_provided_on=record.last_provided_on,
    )
    record.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "provision.further",
        now=now,
        object_type="provision_record",
        object_id=record.id,
        details={"before": before, "after": snapshot(record), "provided_on": on.isoformat()},
    )


def may_remove(record: ProvisionRecord, today: date) -> bool:
    """Whether the record may be removed on ``today``: its retention has ended (or none runs)."""
    return record.retention_until is None or record.retention_until < today


def remove_record(
    session: Session, actor: Actor, record: ProvisionRecord, *, today: date, now: datetime
) -> None:
    """Remove one record; refused while its retention runs."""
    _require(actor, "provision.manage")
    if not may_remove(record, today):
        raise RetentionNotEnded(
            N_("This record must be kept until %(until)s (Rules Arts. 21 and 24)."),
            until=record.retention_until.isoformat() if record.retention_until else "",
        )
    _delete(session, actor, record, "provision.remove", now=now)


def _delete(
    session: Session, actor: Actor, record: ProvisionRecord, action: str, *, now: datetime
) -> dict[str, Any]:
    details = {
        "direction": record.direction,
        "basis": record.basis,
        "record_form": record.record_form,
        "party": record.party_name,
        "created_on": record.created_on.isoformat(),
        "retention_until": record.retention_until.isoformat() if record.retention_until else None,
        "individuals_count": record.individuals_count,
        "individuals_listed": len(listed_people(record)),
        "sha256": record_hash(record),
    }
    record_id = record.id
    session.delete(record)
    session.flush()
    audit.record(
        session,
        actor,
        action,
        now=now,
        object_type="provision_record",
        object_id=record_id,
        details=details,
    )
    return {"id": record_id, **details}


def listed_people(record: ProvisionRecord) -> list[str]:
    """The people named in the record's list, one a line."""
    return [line.strip() for line in record.individuals_list.splitlines() if line.strip()]


@dataclass
class PurgeReport:
    """What the purge found past its retention, and whether it removed it."""

    applied: bool
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many records were (or would be) removed."""
        return len(self.records)


def expired(session: Session, today: date) -> list[ProvisionRecord]:
    """Records whose retention ended before ``today``, oldest first."""
    return list(
        session.scalars(
            select(ProvisionRecord)
            .where(ProvisionRecord.retention_until < today)
            .order_by(ProvisionRecord.retention_until, ProvisionRecord.id)
        )
    )


def purge_expired(
    session: Session, actor: Actor, *, today: date, now: datetime, apply: bool
) -> PurgeReport:
    """Remove (``apply``) or list the records past their retention; one audit event each."""
    _require(actor, "provision.manage")
    report = PurgeReport(applied=apply)
    for record in expired(session, today):
        if apply:
            report.records.append(_delete(session, actor, record, "provision.purge", now=now))
        else:
            report.records.append(
                {
                    "id": record.id,
                    "direction": record.direction,
                    "party": record.party_name,
                    "retention_until": record.retention_until.isoformat()
                    if record.retention_until
                    else None,
                    "sha256": record_hash(record),
                }
            )
    return report
