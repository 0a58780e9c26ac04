"""Server-rendered SVG charts as plain shapes: the template draws them, nothing runs in the browser.

Only presentation attributes (fill, stroke, font-size…) are used: the CSP forbids style
attributes. Every shape that carries a figure has a ``<title>`` for screen readers and tooltips,
and states are told apart by a glyph as well as a colour, so a grey print stays legible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from article8.reports.posture_figures import HeatCell, HeatRow, MonthTrend

# Colour and glyph of each outcome (Bootstrap's palette, so the page and the chart agree).
COLOURS = {
    "pass": "#198754",
    "fail": "#dc3545",
    "missed": "#fd7e14",
    "open": "#9ec5fe",
    "none": "#f1f3f5",
}
GLYPHS = {"pass": "✓", "fail": "✗", "missed": "!", "open": "○", "none": ""}
TREND_ORDER = ("pass", "fail", "missed", "open")


@dataclass(frozen=True)
class Rect:
    """A filled rectangle, optionally a link, with its accessible title and a centred label."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str = ""
    href: str | None = None
    label: str = ""
    label_fill: str = "#212529"


@dataclass(frozen=True)
class Text:
    """A text label."""

    x: float
    y: float
    text: str
    anchor: str = "middle"
    size: int = 11


@dataclass(frozen=True)
class Line:
    """A thin line (axes and grid)."""

    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = "#adb5bd"


@dataclass
class Chart:
    """Everything one ``<svg>`` element draws."""

    width: int
    height: int
    title: str
    description: str
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[Rect] = field(default_factory=list)


Href = Callable[[MonthTrend, str], str | None]


def _nice_top(value: int) -> int:
    """The axis maximum: ``value`` rounded up to 1, 2 or 5 times a power of ten."""
    top, step = 1, 1
    while top < value:
        for factor in (2, 5, 10):
            if step * factor >= value:
                return step * factor
        step *= 10
        top = step
    return top


def trend_chart(
    trend: Sequence[MonthTrend],
    *,
    title: str,
    description: str,
    names: Mapping[str, str],
    month_label: Callable[[MonthTrend], str],
    href: Href,
) -> Chart:
    """Stacked bars per month: passed, failed, missed and open inspections due that month."""
    left, right, top, bottom, legend_height = 40, 10, 14, 34, 24
    width, height = 720, 260
    plot_w, plot_h = width - left - right, height - top - bottom - legend_height
    peak = _nice_top(max((m.total for m in trend), default=0))
    chart = Chart(width, height, title, description)
    base_y = top + plot_h
    for tick in (0, peak // 2, peak) if peak > 1 else (0, peak):
        y = base_y - plot_h * tick / peak
        chart.lines.append(Line(left, y, width - right, y, "#dee2e6"))
        chart.texts.append(Text(left - 6, y + 4, str(tick), "end", 10))
    slot = plot_w / max(len(trend), 1)
    bar = slot * 0.62
    for n, month in enumerate(trend):
        x = left + slot * n + (slot - bar) / 2
        y = base_y
        values = {
            "pass": month.passed,
            "fail": month.failed,
            "missed": month.missed,
            "open": month.open,
        }
        for outcome in TREND_ORDER:
            count = values[outcome]
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            chart.rects.append(
                Rect(
                    x,
                    y,
                    bar,
                    h,
                    COLOURS[outcome],
                    title=f"{month_label(month)} · {names[outcome]}: {count}",
                    href=href(month, outcome),
                    label=str(count) if h >= 13 else "",
                    label_fill=_ink(outcome),
                )
            )
        if month.total:
            chart.texts.append(Text(x + bar / 2, y - 3, str(month.total), size=10))
        chart.texts.append(Text(x + bar / 2, base_y + 14, month_label(month), size=10))
    chart.lines.append(Line(left, base_y, width - right, base_y, "#6c757d"))
    _legend(chart, TREND_ORDER, names, height - 14)
    return chart


def _ink(state: str) -> str:
    """Text colour that stays readable on the state's fill."""
    return "#ffffff" if state in ("pass", "fail") else "#212529"


def _text_width(text: str) -> int:
    """Roughly how wide ``text`` is at 11 px: CJK characters take about a full em."""
    return sum(11 if ord(ch) >= 0x2E80 else 7 for ch in text)


def _legend(chart: Chart, states: Sequence[str], names: Mapping[str, str], y: float) -> None:
    x = 40.0
    for state in states:
        glyph = GLYPHS[state]
        chart.legend.append(
            Rect(
                x, y - 9, 12, 12, COLOURS[state], names[state], label=glyph, label_fill=_ink(state)
            )
        )
        chart.texts.append(Text(x + 17, y + 1, names[state], "start", 11))
        x += 24 + _text_width(names[state]) + 20


def heat_map(
    rows: Sequence[HeatRow],
    months: Sequence[HeatCell],
    *,
    title: str,
    description: str,
    names: Mapping[str, str],
    month_label: Callable[[HeatCell], str],
    cell_title: Callable[[HeatRow, HeatCell], str],
    href: Callable[[HeatCell], str | None],
) -> Chart:
    """One row per control, one column per month, coloured by the inspection's outcome."""
    left, top, cell_w, cell_h, gap = 78, 34, 40, 16, 2
    legend_height = 26
    width = left + len(months) * (cell_w + gap) + 10
    height = top + len(rows) * (cell_h + gap) + legend_height + 6
    chart = Chart(width, height, title, description)
    for n, month in enumerate(months):
        x = left + n * (cell_w + gap) + cell_w / 2
        if n == 0 or month.month.month == 1:
            chart.texts.append(Text(x, 12, str(month.month.year), size=10))
        chart.texts.append(Text(x, 28, month_label(month), size=10))
    for r, row in enumerate(rows):
        y = top + r * (cell_h + gap)
        chart.texts.append(Text(left - 6, y + cell_h - 4, row.code, "end", 10))
        for n, cell in enumerate(row.cells):
            chart.rects.append(
                Rect(
                    left + n * (cell_w + gap),
                    y,
                    cell_w,
                    cell_h,
                    COLOURS[cell.state],
                    title=cell_title(row, cell),
                    href=href(cell),
                    label=GLYPHS[cell.state],
                    label_fill=_ink(cell.state),
                )
            )
    _legend(chart, ("pass", "fail", "missed", "open", "none"), names, height - 10)
    return chart
