"""Demo data for `make run` and `article8 demo`: one user per role, created idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

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
