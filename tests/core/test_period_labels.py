"""Period names are computed when shown, in the reader's language (docs/glossary.md)."""

from __future__ import annotations

from datetime import date

import pytest

from article8.core.calendar import FREQUENCY_MONTHS, periods_between
from article8.core.i18n import translator
from article8.core.period_labels import period_label

JA = translator("ja")
EN = translator("en")


@pytest.mark.parametrize(
    ("start", "end", "japanese", "english"),
    [
        (date(2026, 11, 1), date(2026, 11, 30), "2026年11月", "2026-11"),
        (date(2025, 4, 1), date(2025, 6, 30), "2025年度 第1四半期", "FY2025 Q1"),
        (date(2026, 1, 1), date(2026, 3, 31), "2025年度 第4四半期", "FY2025 Q4"),
        (date(2025, 4, 1), date(2025, 9, 30), "2025年度 上期", "FY2025 H1"),
        (date(2025, 10, 1), date(2026, 3, 31), "2025年度 下期", "FY2025 H2"),
        (date(2025, 4, 1), date(2026, 3, 31), "2025年度", "FY2025"),
        (date(2025, 4, 3), date(2025, 4, 20), "2025-04-03〜2025-04-20", "2025-04-03 to 2025-04-20"),
    ],
)
def test_a_period_reads_naturally_in_each_language(start, end, japanese, english):
    assert period_label(start, end, JA) == japanese
    assert period_label(start, end, EN) == english


@pytest.mark.parametrize("fy_start_month", [1, 4, 10])
@pytest.mark.parametrize("frequency", sorted(FREQUENCY_MONTHS))
def test_the_english_name_is_the_label_the_calendar_gave_the_period(frequency, fy_start_month):
    periods = periods_between(frequency, date(2024, 1, 1), date(2026, 12, 31), fy_start_month)
    for period in periods:
        assert period_label(period.start, period.end, EN, fy_start_month) == period.label


def test_a_fiscal_year_starting_in_january_is_the_calendar_year():
    assert period_label(date(2026, 1, 1), date(2026, 3, 31), JA, 1) == "2026年度 第1四半期"
