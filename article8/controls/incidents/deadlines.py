"""PPC leak-report deadlines (PPC Rules Arts. 7–8), computed in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PRELIMINARY_DAYS = 5  # "promptly": the PPC's guidance reads it as roughly 3–5 days
FINAL_DAYS = 30
FINAL_DAYS_UNLAWFUL = 60


@dataclass(frozen=True)
class Deadlines:
    """When the preliminary and the final report are due."""

    preliminary: date
    final: date


def deadlines(aware_on: date, *, unlawful_purpose: bool) -> Deadlines:
    """Deadlines counted in calendar days from the local day the company became aware."""
    final = FINAL_DAYS_UNLAWFUL if unlawful_purpose else FINAL_DAYS
    return Deadlines(aware_on + timedelta(days=PRELIMINARY_DAYS), aware_on + timedelta(days=final))
