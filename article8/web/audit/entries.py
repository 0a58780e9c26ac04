"""What the audit trail page shows for each event: the action's label, the actor's name, the
object by name (see :mod:`.subjects`), the details as a before → after table, and the raw record.

Names are resolved for a whole page at once: one query per kind of object on the page (and one for
the people), never one per event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from article8.core import vocabulary
from article8.core.audit import actor_name
from article8.core.errors import N_
from article8.core.models import AuditEvent, User
from article8.web.audit.subjects import Named, object_noun, subjects, users
from article8.web.context import settings


@dataclass(frozen=True)
class Change:
    """One field of a before → after table."""

    field: str
    before: str
    after: str


@dataclass
class Entry:
    """One event as the page shows it."""

    event: AuditEvent
    action: str
    tone: str
    actor: Named
    subject: Named | None
    changes: list[Change] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    raw: str = ""


# Process actors (Actor.label of an event without a user) as people read them.
# The detail fields the page names; others are shown by their key.
FIELDS: dict[str, str] = {
    "status": N_("Status"),
    "reason": N_("Reason"),
    "severity": N_("Severity"),
    "role": N_("Role"),
    "locale": N_("Language"),
    "title": N_("Title"),
    "name": N_("Name"),
    "display_name": N_("Display name"),
    "email": N_("Email"),
    "file": N_("File"),
    "sha256": N_("SHA-256"),
    "size": N_("Size (bytes)"),
    "rows": N_("Rows"),
    "rejected": N_("Rejected rows"),
    "controls": N_("Controls"),
    "control": N_("Control"),
    "version": N_("Version"),
    "frequency": N_("Frequency"),
    "active": N_("Active"),
    "owner_id": N_("Owner"),
    "assignee": N_("Assignee"),
    "user_id": N_("User"),
    "revision": N_("Revision"),
    "questions": N_("Questions"),
    "result": N_("Result"),
    "comment": N_("Comment"),
    "resolution": N_("Resolution"),
    "due_on": N_("Due date"),
    "department": N_("Department"),
    "employed_from": N_("Employed from"),
    "employed_until": N_("Employed until"),
    "aliases": N_("Aliases"),
    "target": N_("Target"),
    "actions": N_("Actions"),
    "valid_from": N_("Valid from"),
    "valid_until": N_("Valid until"),
    "person": N_("Person"),
    "date": N_("Date"),
    "rule": N_("Rule"),
    "people": N_("People"),
    "authorisations": N_("Authorisations"),
    "from": N_("From"),
    "to": N_("To"),
    "checked": N_("Events checked"),
    "ok": N_("Intact"),
    "remaining": N_("Recovery codes left"),
    "method": N_("Method"),
    "key": N_("Locked by"),
    "locked_until": N_("Locked until"),
    "failed_items": N_("Questions failed"),
    "missed_after_days": N_("Missed after (days)"),
    "as": N_("Linked as"),
    "inspection_status": N_("Inspection status"),
    "source": N_("Source"),
    "kind": N_("Kind"),
    "first_date": N_("First date"),
    "last_date": N_("Last date"),
    "replaces": N_("Replaces"),
    "blobs": N_("Files"),
    "lang": N_("Language"),
    "prefix": N_("Token prefix"),
    "first_bad_seq": N_("First broken sequence number"),
    "audit_head": N_("Last audit event"),
    "format": N_("Format"),
    "findings": N_("Findings"),
    "observations": N_("Observations"),
    "risks": N_("Risks"),
}

# Details that only repeat the object or hold internal ids (the raw record keeps them).
_HIDDEN = frozenset(
    {"control_id", "finding_id", "anomaly_id", "inspection_id", "evidence_id", "replaces"}
)
# Details that list internal ids: shown as how many.
_COUNTED = {"items": N_("Questions answered"), "findings": N_("Findings raised")}
# Recorded values that are words of their own, by field.
_WORDS: dict[str, dict[str, str]] = {
    "status": {"scheduled_or_open": N_("Scheduled or open")},
    "method": {
        "password": N_("Password"),
        "totp": N_("Authenticator app"),
        "recovery_code": N_("Recovery code"),
    },
    "reason": {
        "credentials": N_("Wrong email address or password"),
        "second_factor": N_("Wrong second-factor code"),
    },
    "key": {"account": N_("Account"), "ip": N_("Address")},
    "as": {
        "manager": N_("Manager of the evidence"),
        "assignee": N_("Assignee of the inspection"),
        "performer": N_("Performer of the inspection"),
        "unassigned": N_("Anyone (the inspection had no assignee)"),
        "note": N_("Note on a closed inspection"),
    },
}
# Actions whose details record only the state before: the state they lead to.
_IMPLIED_AFTER = {"inspection.start": "in_progress", "evidence.withdraw": "withdrawn"}

# Scalar before/after details: which field changed, by action.
_SCALAR_FIELD = {
    "finding.severity": "severity",
    "user.role_change": "role",
    "user.locale_change": "locale",
    "action.progress": "status",
    "inspection.assign": "assignee",
}

# Values shown through a vocabulary, by field (and, for status, by the event's object).
_VALUE_VOCABULARIES = {
    "severity": vocabulary.SEVERITIES,
    "role": vocabulary.ROLES,
    "locale": vocabulary.LOCALES,
    "lang": vocabulary.LOCALES,
    "kind": vocabulary.LOG_KINDS,
    "frequency": vocabulary.FREQUENCIES,
    "result": vocabulary.INSPECTION_RESULTS,
    "rule": vocabulary.RULES,
}
_STATUS_VOCABULARIES = {
    "corrective_action": vocabulary.ACTION_STATES,
    "finding": vocabulary.FINDING_STATES,
    "incident": vocabulary.INCIDENT_STATES,
    "anomaly": vocabulary.ANOMALY_STATES,
    "evidence": vocabulary.EVIDENCE_STATES,
    "inspection": vocabulary.INSPECTION_STATES,
}
# Detail fields that hold a user's id (shown by the user's name).
_USER_FIELDS = frozenset({"owner_id", "user_id", "assignee"})


def entries(session: Session, events: Sequence[AuditEvent]) -> list[Entry]:
    """The page's events, each with its names resolved (a few queries for the whole page)."""
    details = [json.loads(event.details) for event in events]
    people = users(session, _user_ids(events, details))
    named = subjects(session, events, people)
    return [
        _entry(event, found, people, named) for event, found in zip(events, details, strict=True)
    ]


def _entry(
    event: AuditEvent,
    details: dict[str, Any],
    people: dict[int, User],
    named: dict[tuple[str, str], Named],
) -> Entry:
    user = people.get(event.actor_id) if event.actor_id is not None else None
    actor = (
        Named(user.display_name, title=user.email)
        if user
        else Named(actor_name(event.actor_label, _))
    )
    subject = None
    if event.object_type:
        key = (event.object_type, event.object_id or "")
        subject = named.get(key) or Named(object_noun(event.object_type))
    entry = Entry(
        event,
        vocabulary.AUDIT_ACTIONS.translated(event.action, _),
        vocabulary.AUDIT_ACTIONS.tone(event.action),
        actor,
        subject,
        raw=event.details,  # the canonical JSON the hash covers, as stored
    )
    _describe(entry, details, people)
    return entry


# --- details ---------------------------------------------------------------------------------


def _describe(entry: Entry, details: dict[str, Any], people: dict[int, User]) -> None:
    object_type = entry.event.object_type or ""

    def show(name: str, value: Any) -> str:
        return _value(name, value, object_type, people)

    rest = dict(details)
    if "before" in rest and "after" in rest:
        before, after = rest.pop("before"), rest.pop("after")
        if isinstance(before, dict) or isinstance(after, dict):
            old, new = before or {}, after or {}
            for name in [*old, *(k for k in new if k not in old)]:
                if old.get(name) != new.get(name):
                    entry.changes.append(
                        Change(_field(name), show(name, old.get(name)), show(name, new.get(name)))
                    )
        else:
            name = _SCALAR_FIELD.get(entry.event.action, "status")
            entry.changes.append(Change(_field(name), show(name, before), show(name, after)))
    elif isinstance(rest.get("changes"), dict):
        for name, change in rest.pop("changes").items():
            if isinstance(change, dict):
                before, after = change.get("before"), change.get("after")
                entry.changes.append(Change(_field(name), show(name, before), show(name, after)))
    elif "before" in rest and entry.event.action in _IMPLIED_AFTER:
        before, after = rest.pop("before"), _IMPLIED_AFTER[entry.event.action]
        status = _field("status")
        entry.changes.append(Change(status, show("status", before), show("status", after)))
    for name, value in rest.items():
        if name in _COUNTED and isinstance(value, list):
            entry.facts.append((_(_COUNTED[name]), str(len(value))))
        elif name not in _HIDDEN:
            entry.facts.append((_field(name), show(name, value)))


def _field(name: str) -> str:
    return _(FIELDS[name]) if name in FIELDS else name


def _value(name: str, value: Any, object_type: str, people: dict[int, User]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(_value(name, v, object_type, people) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if name in _USER_FIELDS and isinstance(value, int) and value in people:
        return people[value].display_name
    words = _STATUS_VOCABULARIES.get(object_type) if name == "status" else None
    words = words or _VALUE_VOCABULARIES.get(name)
    if words is not None and isinstance(value, str) and value in words:
        return words.translated(value, _)
    if isinstance(value, str) and value in _WORDS.get(name, {}):
        return _(_WORDS[name][value])
    if isinstance(value, str) and _INSTANT.fullmatch(value):
        return _local(value)
    return str(value)


# An instant as the details record it (ISO 8601 with an offset, as json's default=str writes it).
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def _local(value: str) -> str:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    return instant.astimezone(settings().timezone).strftime("%Y-%m-%d %H:%M")


def _user_ids(events: Iterable[AuditEvent], details: Iterable[dict[str, Any]]) -> set[int]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    for event, found in zip(events, details, strict=True):
        if event.object_type == "user" and event.object_id and event.object_id.isdigit():
            ids.add(int(event.object_id))
        for name in _USER_FIELDS & found.keys():
            if isinstance(found[name], int):
                ids.add(found[name])
        changes = found.get("changes")
        for name in _USER_FIELDS & (changes.keys() if isinstance(changes, dict) else set()):
            values = changes[name] if isinstance(changes[name], dict) else {}
            ids.update(v for v in values.values() if isinstance(v, int))
        if _SCALAR_FIELD.get(event.action) in _USER_FIELDS:
            ids.update(v for v in (found.get("before"), found.get("after")) if isinstance(v, int))
    return ids
