"""Who may do what to which evidence: the object-level rules that the pages, the API and the CLI
all meet in the services (the routes only decide which roles reach them). The role side of every
rule is the capability table in :mod:`article8.core.roles`."""

from __future__ import annotations

from article8.controls.inspections.models import Inspection
from article8.core import roles
from article8.core.audit import Actor
from article8.core.errors import N_, PermissionDenied, ValidationError
from article8.evidence.models import EvidenceItem

# While the work is being done, the people doing it collect evidence for it.
WORKING_STATES = roles.WORKABLE_STATES
# Decided: the evidence it was decided on is what it keeps (a manager may add a note).
CLOSED_STATES = ("approved", "missed")


def may_view(actor: Actor, item: EvidenceItem) -> bool:
    """Open ``item``: anyone who reads evidence, a restricted item only the responsible person or
    an administrator (identity documents are personal data)."""
    return not item.restricted or roles.has(actor.role, "evidence.restricted")


def check_view(actor: Actor, item: EvidenceItem) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may open ``item``."""
    if not may_view(actor, item):
        raise PermissionDenied(
            N_(
                "This evidence holds personal data: only the responsible person or an "
                "administrator may open it."
            )
        )


def may_change(actor: Actor, item: EvidenceItem) -> bool:
    """Withdraw or supersede ``item``: its uploader, the responsible person, an administrator."""
    if roles.has(actor.role, "evidence.manage"):
        return True
    # A process or an anonymous actor has no id, and so never "is" the uploader.
    return (
        roles.has(actor.role, "evidence.upload")
        and actor.id is not None
        and item.uploaded_by_id == actor.id
    )


def check_change(actor: Actor, item: EvidenceItem) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may withdraw or supersede ``item``."""
    if not may_change(actor, item):
        raise PermissionDenied(
            N_(
                "Only the person who uploaded this evidence, the responsible person or an "
                "administrator may withdraw it or replace it with a new version."
            )
        )


def is_closed(inspection: Inspection) -> bool:
    """Approved or missed: the inspection takes no new evidence, only a manager's note."""
    return inspection.status in CLOSED_STATES


def link_role(actor: Actor, inspection: Inspection) -> str:
    """In what capacity ``actor`` may link new evidence to ``inspection``; raise if they may not.

    "manager" (responsible person or administrator, any state but closed), or "assignee" /
    "performer" while the inspection is open, in progress or returned. An inspection nobody is
    assigned to yet is, as in the workflow, open to anyone who may perform it ("unassigned").
    """
    if is_closed(inspection):
        raise ValidationError(
            N_(
                "This inspection is approved or missed and takes no new evidence; the "
                "responsible person may add a note with a reason."
            ),
            field="inspection_id",
        )
    if roles.has(actor.role, "evidence.manage"):
        return "manager"
    if not roles.has(actor.role, "evidence.link") or actor.id is None:
        raise _not_yours()
    if actor.id == inspection.assignee_id:
        capacity = "assignee"
    elif actor.id == inspection.performed_by_id:
        capacity = "performer"
    elif inspection.assignee_id is None:
        capacity = "unassigned"
    else:
        raise _not_yours()
    if inspection.status not in WORKING_STATES:
        raise ValidationError(
            N_("Evidence is added to an inspection while it is open, in progress or returned."),
            field="inspection_id",
        )
    return capacity


def may_link(actor: Actor, inspection: Inspection) -> bool:
    """Whether :func:`link_role` would let ``actor`` link new evidence to ``inspection``."""
    try:
        link_role(actor, inspection)
    except (PermissionDenied, ValidationError):
        return False
    return True


def check_note(actor: Actor, inspection: Inspection) -> None:
    """Raise unless ``actor`` may add a note to ``inspection`` (a manager, a closed inspection)."""
    if not roles.has(actor.role, "evidence.manage"):
        raise PermissionDenied(
            N_("Only the responsible person or an administrator may add a note to an inspection.")
        )
    if not is_closed(inspection):
        raise ValidationError(
            N_("This inspection still takes evidence: upload the file instead of a note."),
            field="inspection_id",
        )


def _not_yours() -> PermissionDenied:
    return PermissionDenied(
        N_(
            "Only the inspection's assignee or performer, the responsible person or an "
            "administrator may add evidence to it."
        )
    )
