"""The objects of audit events by name, with a link while they exist and the reader may open
them: one query per kind of object on a page, never one per event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.access.models import AccessBatch, Anomaly, Handler
from article8.controls.catalogue.models import Control
from article8.controls.findings.models import CorrectiveAction, Finding
from article8.controls.incidents.models import Incident
from article8.controls.inspections.models import Inspection
from article8.core import vocabulary
from article8.core.models import ApiToken, AuditEvent, User
from article8.evidence.models import EvidenceItem
from article8.privacy.inquiries.models import Inquiry  # issue 16
from article8.privacy.policies.models import PolicyVersion  # issue 17
from article8.privacy.provisions.models import ProvisionRecord  # issue 17
from article8.privacy.requests.models import PrivacyRequest  # issue 16
from article8.web.permissions import can
from article8.web.templating import period


@dataclass(frozen=True)
class Named:
    """Something shown by name, with a link when it still exists and the reader may open it."""

    text: str
    url: str | None = None
    title: str | None = None


def object_noun(object_type: str) -> str:
    """What kind of thing an event is about, as a noun in the reader's language."""
    return vocabulary.AUDIT_OBJECTS.translated(object_type, _)


def users(session: Session, ids: set[int]) -> dict[int, User]:
    """The users of ``ids`` by id, in one query."""
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def _int_ids(values: Iterable[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


Resolver = Callable[[Session, set[str]], dict[str, Named]]


def subjects(
    session: Session, events: Sequence[AuditEvent], people: dict[int, User]
) -> dict[tuple[str, str], Named]:
    """Each event's object by (type, id): one query per type; ``people`` are already loaded."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.object_type and event.object_id is not None:
            wanted[event.object_type].add(event.object_id)
    found: dict[tuple[str, str], Named] = {}
    for object_type, ids in wanted.items():
        if object_type == "user":
            names = _user_names(people, ids)
        elif object_type in _RESOLVERS:
            names = _RESOLVERS[object_type](session, ids)
        else:
            names = {}
        found.update(((object_type, oid), named) for oid, named in names.items())
    for event in events:
        # Gone (or never resolvable): the noun and the recorded id, without a link.
        key = (event.object_type or "", event.object_id or "")
        if event.object_type and event.object_id is not None and key not in found:
            found[key] = _gone(key[0], key[1])
    return found


def subject_of(session: Session, object_type: str, object_id: str) -> Named:
    """One object by name (the heading of its history)."""
    if object_type == "user":
        found = _user_names(users(session, set(_int_ids([object_id]))), {object_id})
    elif object_type in _RESOLVERS:
        found = _RESOLVERS[object_type](session, {object_id})
    else:
        found = {}
    return found.get(object_id) or _gone(object_type, object_id)


def parts_of(session: Session, object_type: str, object_id: str) -> tuple[tuple[str, str], ...]:
    """The objects whose events belong in this one's history: a finding's corrective actions."""
    if object_type != "finding" or not _int_ids([object_id]):
        return ()
    ids = session.scalars(
        select(CorrectiveAction.id).where(CorrectiveAction.finding_id == int(object_id))
    )
    return tuple(("corrective_action", str(i)) for i in ids)


def _gone(object_type: str, object_id: str) -> Named:
    # A code (a control's, an employee id) still says which; a row number says nothing to a
    # reader, so it stays in the raw record only.
    noun = object_noun(object_type)
    if object_id.isdigit():
        return Named(_("%(noun)s (no longer exists)", noun=noun))
    return Named(_("%(noun)s %(id)s (no longer exists)", noun=noun, id=object_id))


def _link(permission: str, endpoint: str, **values: Any) -> str | None:
    return url_for(endpoint, **values) if can(permission) else None


def _user_names(people: dict[int, User], ids: set[str]) -> dict[str, Named]:
    return {
        str(uid): Named(
            _("User %(name)s", name=people[uid].display_name),
            _link("user.admin", "admin.user_detail", user_id=uid),
            people[uid].email,
        )
        for uid in _int_ids(ids)
        if uid in people
    }


def _inspections(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(Inspection.id, Control.code, Inspection.period_start, Inspection.period_end)
        .join(Control, Control.id == Inspection.control_id)
        .where(Inspection.id.in_(_int_ids(ids)))
    )
    return {
        str(row.id): Named(
            _("Inspection %(code)s %(period)s", code=row.code, period=period(row)),
            _link("inspection.read", "inspections.inspection_page", inspection_id=row.id),
        )
        for row in rows
    }


def _controls(session: Session, ids: set[str]) -> dict[str, Named]:
    codes = session.scalars(select(Control.code).where(Control.code.in_(ids)))
    return {
        code: Named(
            _("Control %(code)s", code=code),
            _link("catalogue.read", "catalogue.control_page", code=code),
        )
        for code in codes
    }


def _evidence(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(EvidenceItem.id, EvidenceItem.original_name).where(
            EvidenceItem.id.in_(_int_ids(ids))
        )
    )
    return {
        str(row.id): Named(
            _("Evidence %(name)s", name=row.original_name),
            _link("evidence.read", "evidence.evidence_detail", item_id=row.id),
        )
        for row in rows
    }


def _findings(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(select(Finding.id, Finding.title).where(Finding.id.in_(_int_ids(ids))))
    return {
        str(row.id): Named(
            _("Finding %(title)s", title=row.title),
            _link("finding.read", "findings.finding_page", finding_id=row.id),
        )
        for row in rows
    }


def _corrective_actions(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(CorrectiveAction.id, CorrectiveAction.finding_id, Finding.title)
        .join(Finding, Finding.id == CorrectiveAction.finding_id)
        .where(CorrectiveAction.id.in_(_int_ids(ids)))
    )
    return {
        str(row.id): Named(
            _("Corrective action for %(title)s", title=row.title),
            _link("finding.read", "findings.finding_page", finding_id=row.finding_id),
        )
        for row in rows
    }


def _incidents(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(Incident.id, Incident.title).where(Incident.id.in_(_int_ids(ids)))
    )
    return {
        str(row.id): Named(
            _("Incident %(title)s", title=row.title),
            _link("incident.read", "incidents.incident_page", incident_id=row.id),
        )
        for row in rows
    }


def _anomalies(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(Anomaly.id, Anomaly.rule, Anomaly.person_key, Anomaly.local_date).where(
            Anomaly.id.in_(_int_ids(ids))
        )
    )
    return {
        str(row.id): Named(
            _(
                "Anomaly %(rule)s: %(person)s %(date)s",
                rule=vocabulary.RULES.translated(row.rule, _),
                person=row.person_key.partition(":")[2],  # "p:E002", "u:name"
                date=row.local_date.isoformat(),
            ),
            _link("anomaly.read", "anomalies.anomaly_page", anomaly_id=row.id),
        )
        for row in rows
    }


def _handlers(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(Handler.id, Handler.employee_id, Handler.name).where(Handler.employee_id.in_(ids))
    )
    return {
        row.employee_id: Named(
            _("Handler %(name)s (%(employee_id)s)", name=row.name, employee_id=row.employee_id),
            _link("register.read", "register.person_page", person_id=row.id),
        )
        for row in rows
    }


def _batches(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(AccessBatch.id, AccessBatch.filename).where(AccessBatch.id.in_(_int_ids(ids)))
    )
    return {str(row.id): Named(_("Access log %(file)s", file=row.filename)) for row in rows}


def _tokens(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(_int_ids(ids))))
    return {str(row.id): Named(_("API token %(name)s", name=row.name)) for row in rows}


# issue 17: provision and receipt records, privacy-policy versions.
def _provision_records(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(ProvisionRecord.id, ProvisionRecord.direction, ProvisionRecord.party_name).where(
            ProvisionRecord.id.in_(_int_ids(ids))
        )
    )
    return {
        str(row.id): Named(
            _(
                "%(direction)s: %(party)s",
                direction=vocabulary.PROVISION_DIRECTIONS.translated(row.direction, _),
                party=row.party_name,
            ),
            _link("provision.read", "provisions.record_page", record_id=row.id),
        )
        for row in rows
    }


def _policy_versions(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(PolicyVersion.id, PolicyVersion.label).where(PolicyVersion.id.in_(_int_ids(ids)))
    )
    return {
        str(row.id): Named(
            _("Privacy policy, version %(label)s", label=row.label),
            _link("policy.read", "policies.version_page", version_id=row.id),
        )
        for row in rows
    }


# issue 16: requests from individuals and inquiries, named by number and kind (not by the
# requester: the audit trail is read by auditors, the register holds the names).
def _privacy_requests(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(
        select(PrivacyRequest.id, PrivacyRequest.kind).where(PrivacyRequest.id.in_(_int_ids(ids)))
    )
    return {
        str(row.id): Named(
            _(
                "Request %(id)d: %(kind)s",
                id=row.id,
                kind=vocabulary.REQUEST_KINDS.translated(row.kind, _),
            ),
            _link("request.read", "requests.request_detail", request_id=row.id),
        )
        for row in rows
    }


def _inquiries(session: Session, ids: set[str]) -> dict[str, Named]:
    rows = session.execute(select(Inquiry.id, Inquiry.subject).where(Inquiry.id.in_(_int_ids(ids))))
    return {
        str(row.id): Named(
            _("Inquiry %(subject)s", subject=row.subject),
            _link("inquiry.read", "requests.inquiry_detail", inquiry_id=row.id),
        )
        for row in rows
    }


_RESOLVERS: dict[str, Resolver] = {
    "inspection": _inspections,
    "control": _controls,
    "evidence": _evidence,
    "finding": _findings,
    "corrective_action": _corrective_actions,
    "incident": _incidents,
    "anomaly": _anomalies,
    "handler": _handlers,
    "access_batch": _batches,
    "api_token": _tokens,
    "provision_record": _provision_records,  # issue 17
    "policy_version": _policy_versions,  # issue 17
    "privacy_request": _privacy_requests,  # issue 16
    "inquiry": _inquiries,  # issue 16
}
