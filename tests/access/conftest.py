"""Factories for the access checks: register people and grants, import logs from text."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from article8.access.ingest import ImportReport, import_access_log
from article8.access.models import Anomaly
from article8.access.register import (
    AuthorisationInput,
    PersonInput,
    save_authorisation,
    save_person,
)
from article8.access.rules import RuleSettings
from tests.conftest import SYSTEM_ACTOR, FakeClock

SYSTEM_HEADER = "timestamp,user,system,action,records,source_ip,result"
ENTRY_HEADER = "timestamp,person,area,door,direction,result"
SINCE = date(2020, 4, 1)
TOKYO = ZoneInfo("Asia/Tokyo")


def system_log(*lines: str) -> str:
    """A system-access CSV: the header and ``lines``."""
    return "\n".join((SYSTEM_HEADER, *lines)) + "\n"


def entry_log(*lines: str) -> str:
    """An entry/exit CSV: the header and ``lines``."""
    return "\n".join((ENTRY_HEADER, *lines)) + "\n"


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


def found(session: Session, rule: str | None = None) -> dict[tuple[str, str, str, str], Anomaly]:
    """Anomalies by (rule, person, local date, area), optionally of one rule only."""
    query = select(Anomaly)
    if rule:
        query = query.where(Anomaly.rule == rule)
    session.expire_all()
    return {(a.rule, a.person, a.local_date.isoformat(), a.area): a for a in session.scalars(query)}


def anomaly_counts(session: Session, rule: str) -> dict[tuple[str, str, str], int]:
    """Event counts of one rule's anomalies by (person, local date, area)."""
    return {
        (person, day, area): a.event_count
        for (_, person, day, area), a in found(session, rule).items()
    }


def count(session: Session, model: type) -> int:
    """Rows of ``model``."""
    return session.scalar(select(func.count()).select_from(model)) or 0
