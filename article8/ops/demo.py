"""Demo data for `make run` and `article8 demo`: users per role, control owners; idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from article8.controls.catalogue.files import load_catalogue
from article8.controls.catalogue.models import Control
from article8.controls.catalogue.services import SyncReport, sync_catalogue, update_settings
from article8.controls.inspections.schedule import ScheduleReport, ScheduleRules, run_schedule
from article8.core.audit import Actor
from article8.core.users import PasswordPolicy, create_user, find_by_email
from article8.privacy.policies.models import PolicyVersion  # issue 17
from article8.privacy.policies.services import PolicyInput, register_version  # issue 17


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
    ensure_demo_policy(session, actor, now=now)  # issue 17
    return DemoReport(catalogue, created, owned, schedule)


# issue 17: the privacy policy in force, as the company publishes it: its Article 8 names no human
# measures and no understanding of the external environment (a finding candidate for BP-03).
DEMO_POLICY_TEXT = """プライバシーポリシー（サンプル）

第1条（事業者の名称等）当社の名称、住所および代表者は、当社ウェブサイトの会社概要に記載のとおりです。
第2条（取得）当社は、適正な手段により個人情報を取得します。
第3条（利用目的）当社は、取得した個人情報を商品の発送、代金の請求およびお問い合わせへの対応のために利用します。
第4条（利用目的の変更）利用目的を変更する場合は、変更前の利用目的と関連性を有すると合理的に認められる範囲内で行い、本人に通知または公表します。
第5条（第三者提供）当社は、法令に基づく場合等を除き、本人の同意なく個人データを第三者に提供しません。
第6条（開示等の請求）開示等の請求は、当社所定の手続により受け付けます。開示の手数料は1件につき1,000円です。
第7条（利用停止等）利用停止等の請求は、第6条の手続により受け付けます。
第8条（安全管理措置）当社は、個人データの安全管理のため、次の措置を講じます。
（1）基本方針の策定および取扱規程の整備
（2）組織的安全管理措置
（3）物理的安全管理措置
（4）技術的安全管理措置
第9条（改定）本ポリシーは、当社ウェブサイトに掲載した時から効力を生じます。
第10条（お問い合わせ窓口）苦情およびお問い合わせは、当社お客様窓口までご連絡ください。
"""
DEMO_POLICY_MATTERS = (
    "business",
    "purposes",
    "requests",
    "measures_basic_policy",
    "measures_rules",
    "measures_organisational",
    "measures_physical",
    "measures_technical",
    "complaints",
)


def ensure_demo_policy(session: Session, actor: Actor, *, now: datetime) -> bool:
    """Register the sample privacy policy when no version is registered yet."""
    if session.scalar(select(PolicyVersion.id).limit(1)) is not None:
        return False
    register_version(
        session,
        actor,
        PolicyInput(
            label="2024-04",
            text=DEMO_POLICY_TEXT,
            effective_on=date(2024, 4, 1),
            approved_by="代表取締役",
            summary="サンプルのプライバシーポリシー",
            published_on=date(2024, 4, 1),
            publication_method="当社ウェブサイトに掲載",
            matters=DEMO_POLICY_MATTERS,
        ),
        evidence_id=None,
        now=now,
    )
    return True
