"""Dates read from files and parameters."""

from __future__ import annotations

from datetime import date

import pytest

from article8.core.dates import parse_date


def test_parameters_take_iso_dates_only() -> None:
    assert parse_date("2024-04-01") == date(2024, 4, 1)
    assert parse_date(" 2024-04-01 ") == date(2024, 4, 1)
    for text in ("2024/04/01", "20240401", "2024-W14-1", "2024-4-1", "", "2024-02-30"):
        with pytest.raises(ValueError):
            parse_date(text)


def test_files_also_take_the_slashes_and_kanji_written_in_japan() -> None:
    for text in ("2024-04-01", "2024/04/01", "2024/4/1", "2024年4月1日", "2024年04月01日"):
        assert parse_date(text, slashes=True) == date(2024, 4, 1)
    for text in (
        "2024/04-01",
        "2024/13/01",
        "24/4/1",
        "2024年4月1",
        "2024年4/1日",
        "2024年2月30日",
    ):
        with pytest.raises(ValueError):
            parse_date(text, slashes=True)
    with pytest.raises(ValueError):
        parse_date("2024年4月1日")  # parameters stay ISO


def test_bounds_are_checked_when_given() -> None:
    bounds = {"earliest": date(2000, 1, 1), "latest": date(2099, 12, 31)}
    assert parse_date("2000-01-01", **bounds) == date(2000, 1, 1)
    with pytest.raises(ValueError):
        parse_date("1999-12-31", **bounds)
    with pytest.raises(ValueError):
        parse_date("2100-01-01", **bounds)
