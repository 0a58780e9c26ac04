"""The write side of the handler register: people, their aliases and their authorisations.

Every change is written to the audit trail with the record's state before and after it, which is
the register's history. Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from article8.access.models import (
    ALL_ACTIONS,
    AUTHORISATION_KINDS,
    ID_LENGTH,
    LIST_SEPARATOR,
    NAME_LENGTH,
    SYSTEM_ACTIONS,
    Handler,
    HandlerAlias,
    HandlerAuthorisation,
)
from article8.core import audit
from article8.core.audit import Actor
from article8.core.errors import N_, NotFound, ValidationError

T = TypeVar("T")
Outcome = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True)
class PersonInput:
    """A person as a form or a register file describes them."""

    employee_id: str
    name: str
    employed_from: date
    department: str = ""
    employed_until: date | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthorisationInput:
    """An authorisation as a form or a register file describes it."""

    employee_id: str
    kind: str
    target: str
    valid_from: date
    valid_until: date | None = None
    # ("*",) for every action; empty for areas.
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Saved(Generic[T]):
    """A saved record and what saving did to it."""

    item: T
    outcome: Outcome


@dataclass
class RegisterReport:
    """What a register import did, by outcome, for people and authorisations."""

    people: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_OUTCOMES, 0))
    authorisations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_OUTCOMES, 0))
    # The encoding a CSV was read in (UTF-8, UTF-8 with a BOM, CP932); None for a workbook.
    encoding: str | None = None

    def summary(self) -> str:
        """One line for people."""

        def part(counts: dict[str, int]) -> str:
            return ", ".join(f"{counts[o]} {o}" for o in _OUTCOMES)

        return f"people: {part(self.people)}; authorisations: {part(self.authorisations)}"


_OUTCOMES: tuple[Outcome, ...] = ("created", "updated", "unchanged")


# --- validation ------------------------------------------------------------------------------

# The dates a register entry may carry. Wide enough for any employment or authorisation on
# record; a sentinel such as 9999-12-31 for "no end" is refused (leave the end empty), and a
# typo like 2202 for 2022 is caught rather than stored.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2099, 12, 31)


def check_person(data: PersonInput) -> None:
    """Raise :class:`ValidationError` naming the first field that breaks the register's rules."""
    _text(data.employee_id, "employee_id", ID_LENGTH)
    _text(data.name, "name", NAME_LENGTH)
    if len(data.department) > NAME_LENGTH:
        raise ValidationError(N_("is longer than %(n)s characters"), field="department", n=200)
    _day(data.employed_from, "employed_from")
    _day(data.employed_until, "employed_until")
    if data.employed_until is not None and data.employed_until < data.employed_from:
        raise ValidationError(N_("is before employed_from"), field="employed_until")
    for alias in data.aliases:
        _text(alias, "aliases", NAME_LENGTH)
        if LIST_SEPARATOR in alias:
            raise ValidationError(N_("an alias cannot contain ';'"), field="aliases")
    if len(set(data.aliases)) != len(data.aliases):
        raise ValidationError(N_("lists an alias twice"), field="aliases")


def check_authorisation(data: AuthorisationInput) -> None:
    """Raise :class:`ValidationError` naming the first field that breaks the register's rules."""
    _text(data.employee_id, "employee_id", ID_LENGTH)
    if data.kind not in AUTHORISATION_KINDS:
        raise ValidationError(
            N_("expected system or area, found '%(kind)s'"), field="kind", kind=data.kind
        )
    _text(data.target, "target", NAME_LENGTH)
    if data.kind == "area" and data.actions:
        raise ValidationError(N_("only system authorisations list actions"), field="actions")
    if data.kind == "system":
        if not data.actions:
            raise ValidationError(N_("expected * or actions separated by ';'"), field="actions")
        if ALL_ACTIONS in data.actions and len(data.actions) > 1:
            raise ValidationError(N_("* already means every action"), field="actions")
        unknown = [a for a in data.actions if a not in (*SYSTEM_ACTIONS, ALL_ACTIONS)]
        if unknown:
            raise ValidationError(
                N_("unknown action '%(action)s'; expected * or any of %(allowed)s"),
                field="actions",
                action=unknown[0],
                allowed=", ".join(SYSTEM_ACTIONS),
            )
        if len(set(data.actions)) != len(data.actions):
            raise ValidationError(N_("lists an action twice"), field="actions")
    _day(data.valid_from, "valid_from")
    _day(data.valid_until, "valid_until")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise ValidationError(N_("is before valid_from"), field="valid_until")


def _day(value: date | None, name: str) -> None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(
            N_(
                "%(value)s is outside the dates the register accepts, %(first)s to %(last)s "
                "(leave an end date empty when there is none)"
            ),
            field=name,
            value=value.isoformat(),
            first=FIRST_DATE.isoformat(),
            last=LAST_DATE.isoformat(),
        )


def _text(value: str, name: str, limit: int) -> None:
    if not value or value != value.strip():
        raise ValidationError(N_("expected a value without surrounding spaces"), field=name)
    if len(value) > limit:
        raise ValidationError(N_("is longer than %(n)s characters"), field=name, n=limit)


# --- people ----------------------------------------------------------------------------------


def find_person(session: Session, employee_id: str) -> Handler | None:
    """The person with ``employee_id``, with aliases and authorisations loaded."""
    return session.scalar(
        select(Handler)
        .where(Handler.employee_id == employee_id)
        .options(selectinload(Handler.aliases), selectinload(Handler.authorisations))
    )


def save_person(
    session: Session, actor: Actor, data: PersonInput, *, now: datetime
) -> Saved[Handler]:
    """Create or update the person keyed by employee id; their aliases become ``aliases``."""
    check_person(data)
    handler = find_person(session, data.employee_id)
    before = person_snapshot(handler) if handler else None
    return store_person(session, actor, data, handler, before, now=now)


def store_person(
    session: Session,
    actor: Actor,
    data: PersonInput,
    handler: Handler | None,
    before: dict[str, Any] | None,
    *,
    now: datetime,
) -> Saved[Handler]:
    """Write ``data`` over ``handler`` (None: a new person), auditing against ``before``."""
    _check_names_are_free(session, data, handler.id if handler else None)
    if handler is None:
        handler = Handler(employee_id=data.employee_id, created_at=now, updated_at=now)
        session.add(handler)
    handler.name, handler.department = data.name, data.department
    handler.employed_from, handler.employed_until = data.employed_from, data.employed_until
    kept = {a.alias: a for a in handler.aliases}
    handler.aliases = [kept.get(alias) or HandlerAlias(alias=alias) for alias in data.aliases]
    after = person_snapshot(handler)
    if after == before:
        return Saved(handler, "unchanged")
    handler.updated_at = now
    session.flush()
    outcome: Outcome = "created" if before is None else "updated"
    _record(session, actor, f"register.person.{outcome[:-1]}", data.employee_id, before, after, now)
    return Saved(handler, outcome)


def release_aliases(handler: Handler, keep: Iterable[str]) -> None:
    """Drop the aliases of ``handler`` not in ``keep`` (an import moving aliases between people)."""
    keep = set(keep)
    handler.aliases = [a for a in handler.aliases if a.alias in keep]


def _check_names_are_free(session: Session, data: PersonInput, handler_id: int | None) -> None:
    # One name must resolve to one person: an alias may be no one else's alias or employee id,
    # and an employee id no one else's alias.
    others = select(HandlerAlias.alias, Handler.employee_id).join(Handler)
    if handler_id is not None:
        others = others.where(HandlerAlias.handler_id != handler_id)
    if data.aliases:
        taken = session.execute(others.where(HandlerAlias.alias.in_(data.aliases))).first()
        if taken:
            raise ValidationError(
                N_("alias '%(alias)s' already belongs to %(owner)s"),
                field="aliases",
                alias=taken.alias,
                owner=taken.employee_id,
            )
        clash = session.scalar(
            select(Handler.employee_id).where(
                Handler.employee_id.in_(data.aliases), Handler.employee_id != data.employee_id
            )
        )
        if clash:
            raise ValidationError(
                N_("alias '%(alias)s' is another person's employee id"),
                field="aliases",
                alias=clash,
            )
    owner = session.execute(others.where(HandlerAlias.alias == data.employee_id)).first()
    if owner:
        raise ValidationError(
            N_("'%(id)s' is already an alias of %(owner)s"),
            field="employee_id",
            id=data.employee_id,
            owner=owner.employee_id,
        )


def person_snapshot(handler: Handler) -> dict[str, Any]:
    """The person's fields as the audit trail records them."""
    return {
        "employee_id": handler.employee_id,
        "name": handler.name,
        "department": handler.department,
        "employed_from": handler.employed_from.isoformat(),
        "employed_until": handler.employed_until.isoformat() if handler.employed_until else None,
        "aliases": sorted(a.alias for a in handler.aliases),
    }


# --- authorisations --------------------------------------------------------------------------


def save_authorisation(
    session: Session, actor: Actor, data: AuthorisationInput, *, now: datetime
) -> Saved[HandlerAuthorisation]:
    """Create or update the authorisation keyed by person, kind and target."""
    check_authorisation(data)
    handler = session.scalar(select(Handler).where(Handler.employee_id == data.employee_id))
    if handler is None:
        raise ValidationError(
            N_("no person with employee id '%(id)s' in the register"),
            field="employee_id",
            id=data.employee_id,
        )
    grant = _find_authorisation(session, handler.id, data.kind, data.target)
    before = authorisation_snapshot(grant, data.employee_id) if grant else None
    if grant is None:
        grant = HandlerAuthorisation(
            handler=handler, kind=data.kind, target=data.target, created_at=now, updated_at=now
        )
        session.add(grant)
    grant.actions = LIST_SEPARATOR.join(data.actions) if data.kind == "system" else None
    grant.valid_from, grant.valid_until = data.valid_from, data.valid_until
    after = authorisation_snapshot(grant, data.employee_id)
    if after == before:
        return Saved(grant, "unchanged")
    grant.updated_at = now
    session.flush()
    outcome: Outcome = "created" if before is None else "updated"
    _record(
        session,
        actor,
        f"register.authorisation.{outcome[:-1]}",
        data.employee_id,
        before,
        after,
        now,
    )
    return Saved(grant, outcome)


def delete_authorisation(
    session: Session, actor: Actor, employee_id: str, kind: str, target: str, *, now: datetime
) -> None:
    """Remove an authorisation (the audit trail keeps what it was)."""
    handler_id = session.scalar(select(Handler.id).where(Handler.employee_id == employee_id))
    grant = _find_authorisation(session, handler_id, kind, target) if handler_id else None
    if grant is None:
        raise NotFound(
            N_("%(id)s has no %(kind)s authorisation for %(target)s"),
            id=employee_id,
            kind=kind,
            target=target,
        )
    before = authorisation_snapshot(grant, employee_id)
    session.delete(grant)
    session.flush()
    _record(session, actor, "register.authorisation.delete", employee_id, before, None, now)


def _find_authorisation(
    session: Session, handler_id: int, kind: str, target: str
) -> HandlerAuthorisation | None:
    return session.scalar(
        select(HandlerAuthorisation).where(
            HandlerAuthorisation.handler_id == handler_id,
            HandlerAuthorisation.kind == kind,
            HandlerAuthorisation.target == target,
        )
    )


def authorisation_snapshot(grant: HandlerAuthorisation, employee_id: str) -> dict[str, Any]:
    """The authorisation's fields as the audit trail records them."""
    return {
        "employee_id": employee_id,
        "kind": grant.kind,
        "target": grant.target,
        "actions": grant.action_list,
        "valid_from": grant.valid_from.isoformat(),
        "valid_until": grant.valid_until.isoformat() if grant.valid_until else None,
    }


def _record(
    session: Session,
    actor: Actor,
    action: str,
    employee_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
) -> None:
    audit.record(
        session,
        actor,
        action,
        now=now,
        # Every register event is about a person, so one filter shows a person's whole history.
        object_type="handler",
        object_id=employee_id,
        details={"before": before, "after": after},
    )
