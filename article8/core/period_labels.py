"""The name of an inspection period in the reader's language, computed when it is shown.

A period is stored as its first and last day; its name (「2025年度 第1四半期」, "FY2025 Q1") is
derived from those days and the fiscal year's first month, then translated like any other message,
so that a Japanese reader never sees an English label that was stored when the period was made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from article8.core.errors import N_

Translate = Callable[..., str]

MONTH = N_("%(year)d-%(month)02d")
FISCAL_YEAR = N_("FY%(year)d")
QUARTER = N_("FY%(year)d Q%(quarter)d")
FIRST_HALF = N_("FY%(year)d H1")
SECOND_HALF = N_("FY%(year)d H2")
RANGE = N_("%(start)s to %(end)s")


def _months(start: date, end: date) -> int:
    """How many whole calendar months ``start``..``end`` spans (0 when it is not whole months)."""
    if start.day != 1 or (end + timedelta(days=1)).day != 1:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def period_label(start: date, end: date, translate: Translate, fy_start_month: int = 4) -> str:
    """The period ``start``..``end`` named in the reader's language (``translate`` is a gettext).

    A month reads 「2026年11月」 / "2026-11"; a quarter, a half or a fiscal year is counted from
    ``fy_start_month`` (「2025年度 第1四半期」「2025年度 上期」「2025年度」 / "FY2025 Q1"). Any
    other span is shown as its two dates.
    """
    months = _months(start, end)
    if months == 1:
        return translate(MONTH, year=start.year, month=start.month)
    if months in (3, 6, 12):
        since_fy = (start.month - fy_start_month) % 12
        if since_fy % months == 0:
            fy = start.year if start.month >= fy_start_month else start.year - 1
            if months == 12:
                return translate(FISCAL_YEAR, year=fy)
            if months == 6:
                return translate(FIRST_HALF if since_fy == 0 else SECOND_HALF, year=fy)
            return translate(QUARTER, year=fy, quarter=since_fy // 3 + 1)
    return translate(RANGE, start=start.isoformat(), end=end.isoformat())
