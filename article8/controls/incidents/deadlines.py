"""PPC leak-report deadlines (PPC Rules Art. 8), computed in one place.

The days are calendar days counted from the day after the local day the company became aware
(事態を知った日の翌日を1日目): weekends, public holidays and the year-end closure all count.
速報 is due "promptly" (速やかに): the PPC's guidance reads it as about 3–5 days, so a target
(day 3) is shown and the limit (day 5) drives reminders. 確報 is due within 30 days, or 60 days
when the leak may have been caused by an act done for an unlawful purpose (Art. 7(iii)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from article8.core.settings import Settings

PRELIMINARY_TARGET_DAYS = 3
PRELIMINARY_DAYS = 5
FINAL_DAYS = 30
FINAL_DAYS_UNLAWFUL = 60


@dataclass(frozen=True)
class Policy:
    """The configurable part: the 速報 target and limit (ARTICLE8_LEAK_PRELIMINARY_*_DAYS)."""

    preliminary_target_days: int = PRELIMINARY_TARGET_DAYS
    preliminary_days: int = PRELIMINARY_DAYS

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """The policy configured for this installation."""
        return cls(settings.leak_preliminary_target_days, settings.leak_preliminary_days)


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Deadlines:
    """When the preliminary report is aimed at and due, and when the final report is due."""

    preliminary: date
    final: date
    preliminary_target: date | None = None


def deadlines(
    aware_on: date, *, unlawful_purpose: bool, policy: Policy = DEFAULT_POLICY
) -> Deadlines:
    """Deadlines in calendar days: day 1 is the day after ``aware_on``."""
    final = FINAL_DAYS_UNLAWFUL if unlawful_purpose else FINAL_DAYS
    target = min(policy.preliminary_target_days, policy.preliminary_days)
    return Deadlines(
        preliminary=aware_on + timedelta(days=policy.preliminary_days),
        final=aware_on + timedelta(days=final),
        preliminary_target=aware_on + timedelta(days=target),
    )
