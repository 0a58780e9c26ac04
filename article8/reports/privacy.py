"""The privacy registers' figures for the dashboard: retention ending, foreign recipients, the
policy version in force (issue 17)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from article8.privacy.policies.models import PolicyVersion
from article8.privacy.provisions import queries as provisions
from article8.privacy.provisions.models import ProvisionRecord

ENDING_WITHIN_DAYS = provisions.ENDING_WITHIN_DAYS


@dataclass(frozen=True)
class PrivacyFigures:
    """What the dashboard's privacy tiles show."""

    retention_ending: int
    foreign_provisions: int
    policy: PolicyVersion | None

    @property
    def policy_gaps(self) -> list[str]:
        """The matters the policy in force does not publish."""
        return self.policy.gaps if self.policy is not None else []


def privacy_figures(session: Session, today: date) -> PrivacyFigures:
    """The figures as of ``today`` (live: the registers keep no history to replay).

    One statement: the dashboard has a budget of statements per request.
    """
    until = today + timedelta(days=ENDING_WITHIN_DAYS)
    ending = (
        select(func.count())
        .select_from(ProvisionRecord)
        .where(ProvisionRecord.retention_until <= until)
        .scalar_subquery()
    )
    foreign = (
        select(func.count())
        .select_from(ProvisionRecord)
        .where(ProvisionRecord.direction == "provision", ProvisionRecord.foreign_country != "")
        .scalar_subquery()
    )
    policy_id = (
        select(PolicyVersion.id)
        .where(PolicyVersion.effective_on <= today)
        .order_by(PolicyVersion.effective_on.desc(), PolicyVersion.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    one = select(literal(1).label("one")).subquery("one")
    row = session.execute(
        select(ending, foreign, PolicyVersion)
        .select_from(one)
        .outerjoin(PolicyVersion, PolicyVersion.id == policy_id)
    ).one()
    return PrivacyFigures(retention_ending=row[0], foreign_provisions=row[1], policy=row[2])
