"""The write side of the catalogue: sync from files, edits, custom controls, checklist revisions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.controls.catalogue.errors import CatalogueError
from article8.controls.catalogue.files import Bilingual, ControlSpec
from article8.controls.catalogue.models import (
    FREQUENCIES,
    ChecklistItem,
    ChecklistRevision,
    Control,
    ControlMapping,
)
from article8.core import audit
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, ValidationError
from article8.core.models import User
from article8.core.users import find_by_email


@dataclass
class SyncReport:
    """What a catalogue sync did, by control code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether the sync changed anything."""
        return bool(
            self.created or self.updated or self.revised or self.deactivated or self.reactivated
        )

    def summary(self) -> str:
        """One line for people."""
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.revised)} with a new checklist revision, "
            f"{len(self.deactivated)} deactivated, {len(self.reactivated)} reactivated, "
            f"{self.unchanged} unchanged"
        )


def _evidence_json(items: Sequence[Bilingual]) -> str:
    return json.dumps([{"en": i.en, "ja": i.ja} for i in items], ensure_ascii=False)


def evidence_expected(control: Control) -> list[Bilingual]:
    """The evidence an inspector should expect for ``control``."""
    return [Bilingual(**item) for item in json.loads(control.evidence_expected)]


def _catalogue_fields(spec: ControlSpec) -> dict[str, Any]:
    return {
        "category": spec.category,
        "title_en": spec.title.en,
        "title_ja": spec.title.ja,
        "description_en": spec.description.en,
        "description_ja": spec.description.ja,
        "article8_explicit": spec.article8_explicit,
        "ppc_ref": spec.ppc_ref,
        "evidence_expected": _evidence_json(spec.evidence_expected),
    }


def _checklist_of(revision: ChecklistRevision | None) -> list[Bilingual]:
    return [Bilingual(i.text_en, i.text_ja) for i in revision.items] if revision else []


def _add_revision(
    session: Session, control: Control, items: Sequence[Bilingual], actor: Actor, now: datetime
) -> ChecklistRevision:
    current = control.current_revision
    revision = ChecklistRevision(
        control=control,
        number=current.number + 1 if current else 1,
        created_at=now,
        created_by=actor.label,
        items=[
            ChecklistItem(position=n, text_en=item.en, text_ja=item.ja)
            for n, item in enumerate(items, 1)
        ],
    )
    session.add(revision)
    return revision


def _owner_id(session: Session, spec: ControlSpec) -> int | None:
    if spec.local is None or spec.local.owner is None:
        return None
    user = find_by_email(session, spec.local.owner)
    if user is None:
        raise CatalogueError(
            "import", f"no user with email {spec.local.owner}", code=spec.code, field="owner"
        )
    return user.id


def sync_catalogue(
    session: Session, specs: Sequence[ControlSpec], actor: Actor, *, now: datetime
) -> SyncReport:
    """Bring the database in line with ``specs``; idempotent, and it never deletes anything.

    The file owns the catalogue's texts, mappings and checklists. The organisation owns each
    control's owner, frequency and active flag: a shipped file sets the frequency only when it
    creates a control, while an exported file (with ``owner``/``active``) carries all three back.
    A catalogue control missing from the file is deactivated; custom controls are left alone.
    """
    existing = {
        c.code: c
        for c in session.scalars(
            select(Control).options(
                selectinload(Control.mappings),
                selectinload(Control.revisions).selectinload(ChecklistRevision.items),
            )
        )
    }
    # Resolve every owner before changing anything: an unknown email must not leave a half sync.
    for spec in specs:
        _owner_id(session, spec)
    report = SyncReport()
    for spec in specs:
        control = existing.get(spec.code)
        if control is None:
            _create(session, spec, actor, now)
            report.created.append(spec.code)
            continue
        outcome = _update(session, control, spec, actor, now)
        if outcome.changed_fields:
            report.updated.append(spec.code)
        if outcome.revised:
            report.revised.append(spec.code)
        if outcome.reactivated:
            report.reactivated.append(spec.code)
        if not (outcome.changed_fields or outcome.revised or outcome.reactivated):
            report.unchanged += 1
    wanted = {spec.code for spec in specs}
    for code, control in sorted(existing.items()):
        if code not in wanted and control.source == "catalogue" and control.in_catalogue:
            control.in_catalogue = False
            control.updated_at = now
            if control.active:
                control.active = False
                report.deactivated.append(code)
            audit.record(
                session,
                actor,
                "control.retire",
                now=now,
                object_type="control",
                object_id=code,
                details={"reason": "no longer in the catalogue file"},
            )
    session.flush()
    return report


def _create(session: Session, spec: ControlSpec, actor: Actor, now: datetime) -> Control:
    local = spec.local
    control = Control(
        code=spec.code,
        frequency=spec.frequency,
        owner_id=_owner_id(session, spec),
        active=local.active if local else True,
        source=local.source if local else "catalogue",
        in_catalogue=True,
        created_at=now,
        updated_at=now,
        mappings=[ControlMapping(scheme=s, ref=r) for s, r in spec.mappings()],
        **_catalogue_fields(spec),
    )
    session.add(control)
    _add_revision(session, control, spec.checklist, actor, now)
    session.flush()
    audit.record(
        session,
        actor,
        "control.create",
        now=now,
        object_type="control",
        object_id=spec.code,
        details={"source": control.source, "revision": 1},
    )
    return control


@dataclass
class _Outcome:
    changed_fields: dict[str, dict[str, Any]]
    revised: bool
    reactivated: bool


def _update(
    session: Session, control: Control, spec: ControlSpec, actor: Actor, now: datetime
) -> _Outcome:
    changes: dict[str, dict[str, Any]] = {}
    wanted = _catalogue_fields(spec)
    if spec.local is not None:
        wanted |= {
            "frequency": spec.frequency,
            "owner_id": _owner_id(session, spec),
            "active": spec.local.active,
        }
    for name, value in wanted.items():
        if getattr(control, name) != value:
            changes[name] = {"before": getattr(control, name), "after": value}
            setattr(control, name, value)
    mappings = spec.mappings()
    before = [(m.scheme, m.ref) for m in control.mappings]
    if before != mappings:
        control.mappings = [ControlMapping(scheme=s, ref=r) for s, r in mappings]
        changes["mappings"] = {"before": before, "after": mappings}
    reactivated = False
    if not control.in_catalogue:
        control.in_catalogue = True
        # Back in the shipped catalogue: revive it. An exported file says itself whether it is.
        if not control.active and spec.local is None:
            control.active = reactivated = True
    revised = _checklist_of(control.current_revision) != list(spec.checklist)
    if revised:
        revision = _add_revision(session, control, spec.checklist, actor, now)
    if changes or revised or reactivated:
        control.updated_at = now
        session.flush()
    if changes:
        _record_update(session, actor, control, changes, now)
    if reactivated:
        audit.record(
            session,
            actor,
            "control.reactivate",
            now=now,
            object_type="control",
            object_id=control.code,
            details={"reason": "back in the catalogue file"},
        )
    if revised:
        audit.record(
            session,
            actor,
            "control.checklist_revision",
            now=now,
            object_type="control",
            object_id=control.code,
            details={"revision": revision.number, "questions": len(spec.checklist)},
        )
    return _Outcome(changes, revised, reactivated)


# --- edits by the responsible person ---------------------------------------------------------


def get_control(session: Session, code: str) -> Control:
    """The control with ``code``; :class:`NotFound` otherwise."""
    control = session.scalar(select(Control).where(Control.code == code))
    if control is None:
        raise NotFound(N_("No control with code %(code)s."), code=code)
    return control


def update_settings(
    session: Session,
    actor: Actor,
    control: Control,
    *,
    owner_id: int | None,
    frequency: str,
    active: bool,
    now: datetime,
) -> dict[str, dict[str, Any]]:
    """Change a control's owner, inspection frequency and active flag; return the changes."""
    if frequency not in FREQUENCIES:
        raise ValidationError(
            N_("Unknown frequency %(value)s."), field="frequency", value=frequency
        )
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is None or not owner.active:
            raise ValidationError(N_("The owner must be an active user."), field="owner_id")
    changes: dict[str, dict[str, Any]] = {}
    for name, value in (("owner_id", owner_id), ("frequency", frequency), ("active", active)):
        if getattr(control, name) != value:
            changes[name] = {"before": getattr(control, name), "after": value}
            setattr(control, name, value)
    if changes:
        control.updated_at = now
        session.flush()
        _record_update(session, actor, control, changes, now)
    return changes


def _record_update(
    session: Session,
    actor: Actor,
    control: Control,
    changes: dict[str, dict[str, Any]],
    now: datetime,
) -> None:
    audit.record(
        session,
        actor,
        "control.update",
        now=now,
        object_type="control",
        object_id=control.code,
        details={"changes": changes},
    )


def create_custom_control(
    session: Session, actor: Actor, spec: ControlSpec, *, now: datetime
) -> Control:
    """Add an organisation's own control with its own checklist."""
    if session.scalar(select(Control.id).where(Control.code == spec.code)) is not None:
        raise ValidationError(
            N_("A control with code %(code)s already exists."), field="code", code=spec.code
        )
    return _create(session, spec, actor, now)


def revise_checklist(
    session: Session,
    actor: Actor,
    control: Control,
    items: Sequence[Bilingual],
    *,
    now: datetime,
) -> ChecklistRevision | None:
    """Give a custom control a new checklist revision; None when nothing changed."""
    if control.source != "custom":
        raise ValidationError(
            N_("The checklist of a catalogue control changes only with the catalogue file.")
        )
    if not items:
        raise ValidationError(N_("A checklist needs at least one question."), field="checklist")
    if _checklist_of(control.current_revision) == list(items):
        return None
    revision = _add_revision(session, control, items, actor, now)
    control.updated_at = now
    session.flush()
    audit.record(
        session,
        actor,
        "control.checklist_revision",
        now=now,
        object_type="control",
        object_id=control.code,
        details={"revision": revision.number, "questions": len(items)},
    )
    return revision
