"""The SVG chart geometry: bars stack to scale, every month and control gets its shape."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from article8.reports.posture_figures import HeatCell, HeatRow, MonthTrend
from article8.web.dashboard import svg


def names() -> dict[str, str]:
    return {state: state.title() for state in svg.COLOURS}


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (8, 10), (39, 50), (101, 200)])
def test_the_axis_ends_at_a_round_number(value, top):
    assert svg._nice_top(value) == top


def test_trend_bars_stack_to_scale_and_link_each_outcome():
    months = [
        MonthTrend(date(2026, 10, 1), date(2026, 10, 31), passed=6, failed=2, missed=1, open=1),
        MonthTrend(date(2026, 11, 1), date(2026, 11, 30), passed=2, open=3),
    ]
    chart = svg.trend_chart(
        months,
        title="t",
        description="d",
        names=names(),
        month_label=lambda m: f"{m.start:%m}",
        href=lambda m, outcome: f"/{m.start:%m}/{outcome}",
    )
    october = [r for r in chart.rects if r.href and r.href.startswith("/10/")]
    assert [r.href for r in october] == ["/10/pass", "/10/fail", "/10/missed", "/10/open"]
    heights = [r.height for r in october]
    assert heights[0] == pytest.approx(3 * heights[1]) == pytest.approx(6 * heights[2])
    # Stacked: each segment sits on the one below, and the tallest bar reaches the axis top.
    for lower, upper in pairwise(october):
        assert upper.y + upper.height == pytest.approx(lower.y)
    assert sum(heights) == pytest.approx(chart.height - 14 - 34 - 24)
    assert [r.title for r in chart.rects if r.href == "/11/open"] == ["11 · Open: 3"]


def test_the_heat_map_has_one_cell_per_control_and_month_with_a_glyph():
    cells = (
        HeatCell(date(2026, 10, 1), "fail", "approved", 7),
        HeatCell(date(2026, 11, 1), "none"),
    )
    rows = [HeatRow("ORG-01", "organisational", "t", "t", cells)] * 3
    chart = svg.heat_map(
        rows,
        cells,
        title="t",
        description="d",
        names=names(),
        month_label=lambda c: f"{c.month:%m}",
        cell_title=lambda row, cell: f"{row.code} {cell.state}",
        href=lambda cell: f"/inspections/{cell.inspection_id}" if cell.inspection_id else None,
    )
    assert len(chart.rects) == 6
    assert [(r.label, r.href) for r in chart.rects[:2]] == [("✗", "/inspections/7"), ("", None)]
    assert chart.rects[0].fill == svg.COLOURS["fail"] and len(chart.legend) == 5
