"""The read side of the provision and receipt records: lists, the dashboard's figures, the
records that concern one person (Art. 33(5) disclosure) and their extract."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from article8.core.errors import N_
from article8.core.models import AuditEvent
from article8.core.vocabulary import PROVISION_BASES, PROVISION_DIRECTIONS, Translate
from article8.core.xlsx import safe_text
from article8.privacy.provisions.models import ProvisionRecord

# The columns of an export (and of an import: the same file goes both ways).
COLUMNS = (
    "direction",
    "basis",
    "record_form",
    "party_name",
    "party_address",
    "party_representative",
    "individuals_description",
    "individuals_count",
    "data_items",
    "consent_evidence",
    "provided_on",
    "last_provided_on",
    "foreign_country",
    "foreign_information",
    "foreign_consent",
    "provider_acquisition",
    "related_information",
    "related_consent_confirmed",
    "note",
)
# What an extract for an individual shows (no other person's name).
EXTRACT_COLUMNS = (
    "id",
    "direction",
    "basis",
    "party_name",
    "party_address",
    "party_representative",
    "data_items",
    "consent_evidence",
    "provided_on",
    "last_provided_on",
    "foreign_country",
    "provider_acquisition",
    "created_on",
)
# The headings of an extract given to the person, in their language: the record form's labels.
EXTRACT_HEADINGS = {
    "id": N_("Record"),
    "direction": N_("Direction"),
    "basis": N_("Legal basis"),
    "party_name": N_("Name of the other party"),
    "party_address": N_("Address of the other party"),
    "party_representative": N_("Representative"),
    "data_items": N_("Items of personal data"),
    "consent_evidence": N_("How consent was obtained"),
    "provided_on": N_("Date of provision"),
    "last_provided_on": N_("Date of the last provision"),
    "foreign_country": N_("Foreign country"),
    "provider_acquisition": N_("How the provider obtained the data (Art. 30 confirmation)"),
    "created_on": N_("Recorded on"),
}
ENDING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class ProvisionFilter:
    """What a list of records is narrowed to."""

    direction: str | None = None
    basis: str | None = None
    foreign: bool | None = None
    search: str | None = None


def records(
    session: Session,
    criteria: ProvisionFilter | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[ProvisionRecord]:
    """Records, newest first, narrowed by ``criteria``."""
    criteria = criteria or ProvisionFilter()
    query = select(ProvisionRecord)
    if criteria.direction:
        query = query.where(ProvisionRecord.direction == criteria.direction)
    if criteria.basis:
        query = query.where(ProvisionRecord.basis == criteria.basis)
    if criteria.foreign is not None:
        query = query.where(
            ProvisionRecord.foreign_country != ""
            if criteria.foreign
            else ProvisionRecord.foreign_country == ""
        )
    if criteria.search:
        pattern = f"%{criteria.search}%"
        query = query.where(
            or_(
                ProvisionRecord.party_name.ilike(pattern),
                ProvisionRecord.data_items.ilike(pattern),
                ProvisionRecord.individuals_description.ilike(pattern),
            )
        )
    query = query.order_by(ProvisionRecord.created_on.desc(), ProvisionRecord.id.desc())
    return list(session.scalars(query.offset(offset).limit(limit)))


def record(session: Session, record_id: int) -> ProvisionRecord | None:
    """The record with ``record_id``, or None."""
    return session.get(ProvisionRecord, record_id)


def in_range(session: Session, start: date, end: date) -> list[ProvisionRecord]:
    """Records of provisions or receipts between ``start`` and ``end`` (inclusive): provided
    then, or (without a date) created then, or a bulk record still providing then."""
    day = func.coalesce(ProvisionRecord.provided_on, ProvisionRecord.created_on)
    last = func.coalesce(ProvisionRecord.last_provided_on, day)
    return list(
        session.scalars(
            select(ProvisionRecord)
            .where(and_(day <= end, last >= start))
            .order_by(day, ProvisionRecord.id)
        )
    )


def ending_soon(
    session: Session, today: date, days: int = ENDING_WITHIN_DAYS
) -> list[ProvisionRecord]:
    """Records whose retention ends within ``days`` days from ``today`` (or has ended)."""
    return list(
        session.scalars(
            select(ProvisionRecord)
            .where(ProvisionRecord.retention_until <= today + timedelta(days=days))
            .order_by(ProvisionRecord.retention_until, ProvisionRecord.id)
        )
    )


def foreign_provisions(session: Session) -> int:
    """How many provisions went to a recipient in a foreign country."""
    return (
        session.scalar(
            select(func.count())
            .select_from(ProvisionRecord)
            .where(ProvisionRecord.direction == "provision", ProvisionRecord.foreign_country != "")
        )
        or 0
    )


def concerning(session: Session, person: str) -> list[ProvisionRecord]:
    """Records whose individuals (description or list) mention ``person`` (Art. 33(5)).

    The name is matched ignoring case and spaces inside it (全角 and 半角), so that 山田 太郎 finds
    山田太郎 in a list.
    """
    wanted = _squeezed(person)
    if not wanted:
        return []
    # SQL narrows to rows holding the name's first two characters; Python compares without spaces.
    first = wanted[:2]
    candidates = session.scalars(
        select(ProvisionRecord)
        .where(
            or_(
                ProvisionRecord.individuals_description.ilike(f"%{first}%"),
                ProvisionRecord.individuals_list.ilike(f"%{first}%"),
            )
        )
        .order_by(ProvisionRecord.created_on, ProvisionRecord.id)
    )
    return [
        r
        for r in candidates
        if wanted in _squeezed(r.individuals_description) or wanted in _squeezed(r.individuals_list)
    ]


def _squeezed(text: str) -> str:
    return "".join(text.replace("\u3000", " ").split()).casefold()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def extract_csv(session: Session, person: str, translate: Translate | None = None) -> bytes:
    """The records concerning ``person`` as a CSV (UTF-8 with BOM, for Excel) to disclose.

    With ``translate`` the headings, the direction and the basis are in the reader's language;
    without it, the column names and codes. Text a spreadsheet would run as a formula (a party
    named "=HYPERLINK(…)", say) is quoted, as the register's export does: the person opens it.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if translate is None:
        writer.writerow(EXTRACT_COLUMNS)
    else:
        writer.writerow([translate(EXTRACT_HEADINGS[name]) for name in EXTRACT_COLUMNS])
    for found in concerning(session, person):
        row = {name: _cell(getattr(found, name)) for name in EXTRACT_COLUMNS}
        if translate is not None:
            row["direction"] = PROVISION_DIRECTIONS.translated(found.direction, translate)
            row["basis"] = PROVISION_BASES.translated(found.basis, translate)
        writer.writerow([safe_text(row[name]) for name in EXTRACT_COLUMNS])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def export_rows(session: Session) -> list[list[str]]:
    """Every record as the rows of an export (header first); an export can be imported again."""
    rows = [list(COLUMNS)]
    for found in records(session):
        rows.append([_cell(getattr(found, name)) for name in COLUMNS])
    return rows


def as_json(found: ProvisionRecord) -> dict[str, Any]:
    """The record as the API returns it."""
    body = {name: getattr(found, name) for name in COLUMNS}
    for name in ("provided_on", "last_provided_on"):
        body[name] = body[name].isoformat() if body[name] else None
    body.update(
        id=found.id,
        record_required=found.record_required,
        retention_until=found.retention_until.isoformat() if found.retention_until else None,
        created_on=found.created_on.isoformat(),
        individuals_list_evidence_id=found.individuals_list_evidence_id,
    )
    return body


# --- corrections (from the audit trail) ---------------------------------------------------------

# The fields a correction history shows, in the record form's order, with the form's labels.
HISTORY_LABELS = {
    "direction": N_("Direction"),
    "basis": N_("Legal basis"),
    "record_form": N_("How the record is made"),
    "party_name": N_("Name of the other party"),
    "party_address": N_("Address of the other party"),
    "party_representative": N_("Representative"),
    "provider_acquisition": N_("How the provider obtained the data"),
    "individuals_description": N_("Who the data is about"),
    "individuals_count": N_("Number of individuals"),
    "individuals_list_evidence_id": N_("List of the individuals"),
    "individuals_list": N_("Names in the list"),
    "data_items": N_("Items of personal data"),
    "consent_evidence": N_("Consent or opt-out publication"),
    "provided_on": N_("Date of provision"),
    "last_provided_on": N_("Date of the last provision"),
    "foreign_country": N_("Foreign country"),
    "foreign_information": N_("Information under Rules Art. 17"),
    "foreign_consent": N_("Consent to the foreign provision"),
    "related_information": N_("Personal-related information (Art. 31)"),
    "related_consent_confirmed": N_(
        "Confirmed that the individual consented to the provision (Art. 31)"
    ),
    "note": N_("Note"),
    "retention_until": N_("Kept until"),
}
CORRECTION_ACTIONS = ("provision.update", "provision.further")


@dataclass(frozen=True)
class Change:
    """One field of a record as it was before a correction and after it."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Correction:
    """One correction (or further provision) of a record, as the audit trail keeps it."""

    seq: int
    at: datetime
    actor_label: str
    action: str
    reason: str
    changes: list[Change]
    # Whether the correction kept the retention already set (the values alone gave an earlier
    # end, or none: ``computed_retention``).
    retention_kept: bool
    computed_retention: str | None
    # The day of the further provision the correction recorded (a bulk record's last provision
    # moved forward).
    further_provision_on: str | None = None


def corrections(session: Session, record_id: int) -> list[Correction]:
    """The record's corrections and further provisions, oldest first: who, when, why, and each
    changed field before and after."""
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "provision_record",
            AuditEvent.object_id == str(record_id),
            AuditEvent.action.in_(CORRECTION_ACTIONS),
        )
        .order_by(AuditEvent.seq)
    )
    found = []
    for event in events:
        details = json.loads(event.details)
        before, after = details.get("before") or {}, details.get("after") or {}
        changes = [
            Change(name, _shown(name, before.get(name)), _shown(name, after.get(name)))
            for name in HISTORY_LABELS
            if before.get(name) != after.get(name)
        ]
        kept = details.get("retention_kept")
        found.append(
            Correction(
                seq=event.seq,
                at=event.occurred_at,
                actor_label=event.actor_label,
                action=event.action,
                reason=str(details.get("reason") or ""),
                changes=changes,
                retention_kept=isinstance(kept, dict),
                computed_retention=kept.get("computed") if isinstance(kept, dict) else None,
                further_provision_on=details.get("further_provision_on")
                or details.get("provided_on"),
            )
        )
    return found


def _shown(name: str, value: Any) -> Any:
    # A list of names is shown by its size: the history is not a second copy of the list.
    if name == "individuals_list" and isinstance(value, str):
        return len([line for line in value.splitlines() if line.strip()])
    return value
