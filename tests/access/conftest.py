"""Factories for the access checks: register people and grants, import logs from text."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from article8.access.ingest import ImportReport, import_access_log
from article8.access.register import (
    AuthorisationInput,
    PersonInput,
    save_authorisation,
    save_person,
)
from article8.access.rules import RuleSettings
from tests.conftest import SYSTEM_ACTOR, FakeClock
from tests.support.access import SINCE, TOKYO


class Register:
    """Puts people and authorisations in the register through the services."""

    def __init__(self, session: Session, clock: FakeClock) -> None:
        self.session, self.clock = session, clock

    def person(self, employee_id: str, *aliases: str, **fields: Any) -> None:
        """A person employed since 2020 unless told otherwise."""
        data = PersonInput(
            employee_id=employee_id,
            name=fields.pop("name", f"Person {employee_id}"),
            employed_from=fields.pop("employed_from", SINCE),
            aliases=aliases,
            **fields,
        )
        save_person(self.session, SYSTEM_ACTOR, data, now=self.clock())

    def system(self, employee_id: str, target: str, *actions: str, **fields: Any) -> None:
        """Authorise ``employee_id`` for ``actions`` (default every action) on a system."""
        self._grant(employee_id, "system", target, actions or ("*",), **fields)

    def area(self, employee_id: str, target: str, **fields: Any) -> None:
        """Authorise ``employee_id`` to enter an area."""
        self._grant(employee_id, "area", target, (), **fields)

    def _grant(
        self, employee_id: str, kind: str, target: str, actions: tuple[str, ...], **fields: Any
    ) -> None:
        data = AuthorisationInput(
            employee_id=employee_id,
            kind=kind,
            target=target,
            actions=actions,
            valid_from=fields.pop("valid_from", SINCE),
            **fields,
        )
        save_authorisation(self.session, SYSTEM_ACTOR, data, now=self.clock())


@pytest.fixture
def register(session: Session, clock: FakeClock) -> Register:
    """The register of the test's session."""
    return Register(session, clock)


ImportLog = Callable[..., ImportReport]


@pytest.fixture
def import_log(session: Session, clock: FakeClock) -> ImportLog:
    """Import log text (system by default) in the test's session, at the clock's time."""

    def run(text: str | bytes, kind: str = "system", **options: Any) -> ImportReport:
        data = text.encode() if isinstance(text, str) else text
        return import_access_log(
            session,
            io.BytesIO(data),
            filename=options.pop("filename", "access.csv"),
            kind=kind,
            settings=options.pop("settings", RuleSettings(timezone=TOKYO)),
            actor=SYSTEM_ACTOR,
            now=clock(),
            **options,
        )

    return run
