"""One capability table: which role holds which named permission, and the object-level rules.

Every decision about "may this person do this" is answered here: the routes declare the
permission they need (``@requires("inspection.perform")``), templates ask ``can("...")``, the
services enforce the same names and the object-level predicates below, and the route × role test
reads :data:`GRANTS`. A permission missing from the table is held by nobody (deny by default).

The predicates take anything shaped like the object (a Protocol), so the kernel does not import
the feature packages above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from article8.core.vocabulary import ROLES

ADMIN = "admin"
RESPONSIBLE = "responsible"
INSPECTOR = "inspector"
AUDITOR = "auditor"

_EVERYONE = frozenset(ROLES.codes)
_READERS = frozenset({ADMIN, RESPONSIBLE, AUDITOR})
_MANAGERS = frozenset({ADMIN, RESPONSIBLE})
_PERFORMERS = frozenset({ADMIN, RESPONSIBLE, INSPECTOR})

# permission -> the roles that hold it.
GRANTS: dict[str, frozenset[str]] = {
    # One's own account, session, home page and API tokens.
    "account.own": _EVERYONE,
    "token.own": _EVERYONE,
    # The catalogue of controls.
    "catalogue.read": _EVERYONE,
    "catalogue.edit": _MANAGERS,
    # Inspections.
    "inspection.read": _EVERYONE,
    "inspection.perform": _PERFORMERS,
    "inspection.review": _MANAGERS,
    "inspection.assign": _MANAGERS,
    # Findings and their corrective actions.
    "finding.read": _EVERYONE,
    "finding.manage": _MANAGERS,
    # Reporting progress on a corrective action (the service allows its owner or a manager).
    "action.progress": _PERFORMERS,
    # Incidents: anyone reports; a reporter sees their own (see may_view_incident).
    "incident.report": _EVERYONE,
    "incident.read": _READERS,
    "incident.manage": _MANAGERS,
    # issue 15: raising an incident through the API (help desks, monitoring): not auditors.
    "incident.raise": _PERFORMERS,
    # The evidence vault.
    "evidence.read": _EVERYONE,
    "evidence.upload": _PERFORMERS,
    # Link new evidence to an inspection (object-level rules in the evidence service).
    "evidence.link": _PERFORMERS,
    # Withdraw or supersede anyone's evidence; add a note to a closed inspection.
    "evidence.manage": _MANAGERS,
    # The handler register, access logs and anomalies.
    "register.read": _READERS,
    "register.manage": _MANAGERS,
    "access_log.upload": _MANAGERS,
    "anomaly.read": _READERS,
    "anomaly.triage": _MANAGERS,
    # The posture dashboard, the audit workbook and the audit trail.
    "posture.read": _READERS,
    "audit.read": _READERS,
    # User accounts.
    "user.admin": frozenset({ADMIN}),
    # The company's one-off closures (days that are not business days).
    "closure.manage": frozenset({ADMIN}),
    # issue 17: third-party provision and receipt records, privacy-policy versions.
    "provision.read": _READERS,
    "provision.manage": _MANAGERS,
    "policy.read": _READERS,
    "policy.manage": _MANAGERS,
    # end issue 17
    # issue 16: requests from individuals and inquiries. Inspectors may be assigned requests
    # (retrieving the data) and see only those (see may_view_request); auditors read.
    "request.read": _EVERYONE,
    "request.work": _PERFORMERS,
    "request.manage": _MANAGERS,
    # Identity documents are personal data: the responsible person and administrators only.
    "request.identity": _MANAGERS,
    # Restricted evidence (identity documents) is opened only by managers.
    "evidence.restricted": _MANAGERS,
    "inquiry.read": _READERS,
    "inquiry.manage": _MANAGERS,
    # end of issue 16
}

PERMISSIONS = frozenset(GRANTS)

# Inspection states in which the work is done, in which it may be reassigned.
WORKABLE_STATES = ("open", "in_progress", "returned")
ASSIGNABLE_STATES = ("scheduled", "open", "in_progress", "returned")


def _check_known(permission: str) -> None:
    if permission not in GRANTS:
        raise KeyError(f"unknown permission {permission!r}; add it to article8.core.roles.GRANTS")


def has(role: str | None, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (an unknown permission is a programming error)."""
    _check_known(permission)
    return role is not None and role in GRANTS[permission]


def roles_with(permission: str) -> frozenset[str]:
    """Every role that holds ``permission``."""
    _check_known(permission)
    return GRANTS[permission]


class Someone(Protocol):
    """Who acts: a user or an :class:`~article8.core.audit.Actor` (id and role)."""

    @property
    def id(self) -> int | None: ...

    @property
    def role(self) -> str | None: ...


class Account(Protocol):
    """A user account as far as the rules need it."""

    @property
    def role(self) -> str: ...

    @property
    def active(self) -> bool: ...


class InspectionLike(Protocol):
    """An inspection as far as the rules need it."""

    @property
    def status(self) -> str: ...

    @property
    def assignee_id(self) -> int | None: ...

    @property
    def performed_by_id(self) -> int | None: ...


class IncidentLike(Protocol):
    """An incident as far as the rules need it."""

    @property
    def reported_by_id(self) -> int | None: ...


class AnomalyLike(Protocol):
    """An anomaly as far as the rules need it."""

    @property
    def status(self) -> str: ...


class ActionLike(Protocol):
    """A corrective action as far as the rules need it."""

    @property
    def owner_id(self) -> int | None: ...


# --- object-level predicates -------------------------------------------------------------------


def may_work_on(who: Someone, inspection: InspectionLike) -> bool:
    """Whether ``who`` may perform ``inspection`` whatever its state: a performer, and the
    inspection is theirs or nobody's."""
    return has(who.role, "inspection.perform") and inspection.assignee_id in (None, who.id)


def can_perform(who: Someone, inspection: InspectionLike) -> bool:
    """Whether ``who`` may answer and submit ``inspection`` now."""
    return inspection.status in WORKABLE_STATES and may_work_on(who, inspection)


def can_review(who: Someone, inspection: InspectionLike) -> bool:
    """Whether ``who`` may approve or return ``inspection`` now (never one they performed)."""
    return (
        has(who.role, "inspection.review")
        and inspection.status == "submitted"
        and inspection.performed_by_id != who.id
    )


def can_assign(who: Someone, inspection: InspectionLike) -> bool:
    """Whether ``who`` may (re)assign ``inspection`` now."""
    return has(who.role, "inspection.assign") and inspection.status in ASSIGNABLE_STATES


def assignable_roles() -> frozenset[str]:
    """The roles an inspection or a corrective action may be given to: those who perform."""
    return roles_with("inspection.perform")


def is_assignable(user: Account) -> bool:
    """Whether ``user`` may be given an inspection: active, and in a role that performs."""
    return user.active and user.role in assignable_roles()


def assignable(people: Iterable[Account], current: object = None) -> list[Account]:
    """The people an assignment may choose from (plus the current assignee, whatever they are)."""
    return [u for u in people if is_assignable(u) or (current is not None and u is current)]


def may_view_incident(who: Someone, incident: IncidentLike) -> bool:
    """Readers of incidents see every incident; anyone else only what they reported."""
    return has(who.role, "incident.read") or (
        who.id is not None and incident.reported_by_id == who.id
    )


def may_triage(who: Someone, anomaly: AnomalyLike) -> bool:
    """Whether ``who`` may acknowledge, dismiss or escalate ``anomaly`` (not once escalated)."""
    return has(who.role, "anomaly.triage") and anomaly.status != "escalated"


def may_progress(who: Someone, action: ActionLike) -> bool:
    """Whether ``who`` may report progress on a corrective action: its owner or a manager."""
    return has(who.role, "finding.manage") or (who.id is not None and action.owner_id == who.id)


class PrivacyRequestLike(Protocol):
    """A request from an individual as far as the rules need it (issue 16)."""

    @property
    def owner_id(self) -> int | None: ...


def may_view_request(who: Someone, request: PrivacyRequestLike) -> bool:
    """Managers and auditors see every request; an inspector only those assigned to them."""
    if who.role in _READERS:
        return True
    return has(who.role, "request.read") and who.id is not None and request.owner_id == who.id


def may_work_on_request(who: Someone, request: PrivacyRequestLike) -> bool:
    """Managers, or the inspector the request is assigned to (data retrieval work)."""
    return has(who.role, "request.manage") or (
        has(who.role, "request.work") and who.id is not None and request.owner_id == who.id
    )


# Permissions whose answer depends on the object as well as the role.
OBJECT_RULES: dict[str, Callable[[Any, Any], bool]] = {
    "inspection.perform": can_perform,
    "inspection.review": can_review,
    "inspection.assign": can_assign,
    "incident.read": may_view_incident,
    "anomaly.triage": may_triage,
    "action.progress": may_progress,
    "request.read": may_view_request,  # issue 16
    "request.work": may_work_on_request,  # issue 16
}


def allows(who: Someone, permission: str, obj: object = None) -> bool:
    """Whether ``who`` holds ``permission``, on ``obj`` when given and the permission has an
    object-level rule (a permission without one is answered by the role alone)."""
    rule = OBJECT_RULES.get(permission) if obj is not None else None
    return rule(who, obj) if rule is not None else has(who.role, permission)
