"""Demo data for `make run` and `article8 demo`: users per role, control owners; idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import SyncReport, sync_catalogue, update_settings
from article8.controls.inspections.schedule import ScheduleReport, ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.core.users import PasswordPolicy, create_user, find_by_email


@dataclass(frozen=True)
class DemoLogin:
    """A demo account's credentials (printed by `make run`; never use them in production)."""

    email: str
    password: str
    name: str
    role: str
    locale: str


DEMO_LOGINS = (
    DemoLogin("admin@example.com", "demo-admin-pass-2026", "管理者 太郎", "admin", "ja"),
    DemoLogin(
        "responsible@example.com", "demo-responsible-2026", "責任者 花子", "responsible", "ja"
    ),
    DemoLogin("inspector@example.com", "demo-inspector-2026", "点検 次郎", "inspector", "ja"),
    DemoLogin("auditor@example.com", "demo-auditor-pass-2026", "Audrey Auditor", "auditor", "en"),
)


def ensure_demo_users(
    session: Session, actor: Actor, *, policy: PasswordPolicy, now: datetime
) -> list[str]:
    """Create the demo users that do not exist yet; return the emails created."""
    created = []
    for login in DEMO_LOGINS:
        if find_by_email(session, login.email) is None:
            create_user(
                session,
                actor,
                email=login.email,
                display_name=login.name,
                role=login.role,
                password=login.password,
                policy=policy,
                now=now,
                locale=login.locale,
            )
            created.append(login.email)
    return created


def assign_demo_owners(session: Session, actor: Actor, *, now: datetime) -> int:
    """Give unowned controls a demo owner: physical and technical to the inspector, the rest to
    the responsible person. Returns how many controls got an owner."""
    inspector = find_by_email(session, "inspector@example.com")
    responsible = find_by_email(session, "responsible@example.com")
    if inspector is None or responsible is None:
        return 0
    changed = 0
    for control in session.scalars(select(Control).where(Control.owner_id.is_(None))):
        owner = inspector if control.category in ("physical", "technical") else responsible
        update_settings(
            session,
            actor,
            control,
            owner_id=owner.id,
            frequency=control.frequency,
            active=control.active,
            now=now,
        )
        changed += 1
    return changed


@dataclass(frozen=True)
class DemoReport:
    """What `article8 demo` did: the catalogue sync, the users made, owners given, the schedule."""

    catalogue: SyncReport
    users_created: list[str]
    owners_given: int
    schedule: ScheduleReport


def load_demo(
    session: Session,
    actor: Actor,
    *,
    policy: PasswordPolicy,
    rules: ScheduleRules,
    now: datetime,
) -> DemoReport:
    """Load the shipped catalogue, create the demo users, give controls owners and open this
    period's inspections; running it again changes nothing that is already there."""
    catalogue = sync_catalogue(session, load_catalogue(), actor, now=now)
    created = ensure_demo_users(session, actor, policy=policy, now=now)
    owned = assign_demo_owners(session, actor, now=now)
    schedule = run_schedule(session, rules, now=now)
    return DemoReport(catalogue, created, owned, schedule)
