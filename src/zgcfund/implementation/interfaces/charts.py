"""Charts drawn on the server as SVG: no JavaScript and no download, so the same markup shows in the pages
and in the PDF reports (WeasyPrint renders inline SVG). Each chart carries a ``<title>`` and ``<desc>``
and the figures are always also given in a table beside it (the chart is a picture of the table).

One shape covers the programme's needs: bars per category, one bar per series (e.g. 申报前 / 实施期交付
per clause; 企业增速 per enterprise with the industry rate as a reference line). Values may be negative
(a fall in revenue); the zero line is drawn. ``horizontal`` suits many categories with long Chinese names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import count

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

#: series colours (a colour-blind-safe set, in order) and the reference line's
PALETTE = ("#1f5fa8", "#e08a1e", "#2e8b57", "#8e44ad", "#c0392b", "#5f697b")
REFERENCE = "#c0392b"
INK, FAINT, GRID = "#1d2533", "#5f697b", "#d9dee7"
FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif"
_ids = count(1)
TEMPLATE = "implementation/_chart.svg"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | Decimal | int | None]  # one per category; None = no figure (no bar drawn)
    colour: str = ""


@dataclass(frozen=True)
class Reference:
    """A line across the chart at ``value`` (e.g. the industry growth rate), labelled."""
    name: str
    value: float | Decimal | int


@dataclass
class BarChart:
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""  # shown after value labels: "%" or " 家"
    references: Sequence[Reference] = field(default_factory=tuple)
    horizontal: bool = False
    width: int = 720
    percent: bool = False  # values are ratios (0.12) shown as percentages (12.0%)

    def svg(self) -> SafeString:
        return render(self)


def _num(v) -> float | None:
    return None if v is None else float(v)


def _label(chart: BarChart, v: float) -> str:
    if chart.percent:
        return f"{v * 100:.1f}%"
    text = f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"
    return f"{text}{chart.unit}"


def _nice_max(value: float) -> float:
    """The smallest 1/2/2.5/5 × 10ⁿ at or above ``value`` (axis end)."""
    if value <= 0:
        return 0.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _bounds(chart: BarChart) -> tuple[float, float]:
    values = [_num(v) for s in chart.series for v in s.values if v is not None]
    values += [_num(r.value) for r in chart.references]
    top = max([0.0, *values])
    bottom = min([0.0, *values])
    top = _nice_max(top) if top > 0 else 0.0
    bottom = -_nice_max(-bottom) if bottom < 0 else 0.0
    if top == bottom:
        top = 1.0
    return bottom, top


def _text(x, y, content, *, anchor="start", size=12, fill=INK, weight="normal") -> dict:
    return {"tag": "text", "x": f"{x:.1f}", "y": f"{y:.1f}", "size": size, "fill": fill, "weight": weight,
            "anchor": anchor, "content": str(content)}


def _rect(x, y, width, height, fill) -> dict:
    return {"tag": "rect", "x": f"{x:.1f}", "y": f"{y:.1f}", "width": f"{width:.1f}", "height": f"{height:.1f}",
            "fill": fill}


def _line(x1, y1, x2, y2, stroke, *, width=1, dash="") -> dict:
    return {"tag": "line", "x1": f"{x1:.1f}", "y1": f"{y1:.1f}", "x2": f"{x2:.1f}", "y2": f"{y2:.1f}",
            "stroke": stroke, "width": width, "dash": dash}


def _short(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def render(chart: BarChart) -> SafeString:
    uid = f"chart{next(_ids)}"
    n_series = max(len(chart.series), 1)
    bottom, top = _bounds(chart)
    legend_h = 26
    desc = "；".join(
        f"{c}：" + "，".join(f"{s.name} {_label(chart, _num(s.values[i]))}" if i < len(s.values)
                            and s.values[i] is not None else f"{s.name} 无数据" for s in chart.series)
        for i, c in enumerate(chart.categories))
    parts: list[str] = []
    if chart.horizontal:
        label_w, bar_h, gap = 170, 14, 10
        plot_w = chart.width - label_w - 70
        band = n_series * bar_h + gap
        plot_h = max(band * len(chart.categories), band)
        height = 40 + legend_h + plot_h + 30

        def x_of(v: float) -> float:
            return label_w + (v - bottom) / (top - bottom) * plot_w

        y0 = 40 + legend_h
        for tick in _ticks(bottom, top):
            x = x_of(tick)
            parts.append(_line(x, y0, x, y0 + plot_h, GRID))
            parts.append(_text(x, y0 + plot_h + 14, _label(chart, tick), anchor="middle", size=11, fill=FAINT))
        for i, category in enumerate(chart.categories):
            y = y0 + i * band + gap / 2
            parts.append(_text(label_w - 8, y + n_series * bar_h / 2, _short(category, 12), anchor="end"))
            for j, s in enumerate(chart.series):
                v = _num(s.values[i]) if i < len(s.values) else None
                if v is None:
                    continue
                x_a, x_b = sorted((x_of(0), x_of(v)))
                colour = s.colour or PALETTE[j % len(PALETTE)]
                parts.append(_rect(x_a, y + j * bar_h, max(x_b - x_a, 1), bar_h - 2, colour))
                parts.append(_text(x_b + 4 if v >= 0 else x_a - 4, y + j * bar_h + bar_h / 2 - 1,
                                   _label(chart, v), anchor="start" if v >= 0 else "end", size=10, fill=FAINT))
        zero = x_of(0)
        parts.append(_line(zero, y0, zero, y0 + plot_h, INK))
        for r in chart.references:
            x = x_of(_num(r.value))
            parts.append(_line(x, y0 - 4, x, y0 + plot_h, REFERENCE, width=2, dash="6 4"))
            parts.append(_text(x, y0 - 10, f"{r.name} {_label(chart, _num(r.value))}", anchor="middle", size=11,
                               fill=REFERENCE))
    else:
        left, plot_h = 64, 240
        plot_w = chart.width - left - 20
        slot = plot_w / max(len(chart.categories), 1)
        bar_w = min(36.0, slot * 0.8 / n_series)
        height = 40 + legend_h + plot_h + 56
        y0 = 40 + legend_h + 14

        def y_of(v: float) -> float:
            return y0 + (top - v) / (top - bottom) * plot_h

        for tick in _ticks(bottom, top):
            y = y_of(tick)
            parts.append(_line(left, y, left + plot_w, y, GRID))
            parts.append(_text(left - 6, y, _label(chart, tick), anchor="end", size=11, fill=FAINT))
        for i, category in enumerate(chart.categories):
            centre = left + slot * (i + 0.5)
            first = centre - bar_w * n_series / 2
            for j, s in enumerate(chart.series):
                v = _num(s.values[i]) if i < len(s.values) else None
                if v is None:
                    continue
                y_a, y_b = sorted((y_of(0), y_of(v)))
                colour = s.colour or PALETTE[j % len(PALETTE)]
                x = first + j * bar_w
                parts.append(_rect(x, y_a, bar_w - 2, max(y_b - y_a, 1), colour))
                parts.append(_text(x + bar_w / 2 - 1, y_a - 8 if v >= 0 else y_b + 9, _label(chart, v),
                                   anchor="middle", size=10, fill=FAINT))
            parts.append(_text(centre, y0 + plot_h + 18, _short(category, max(int(slot / 13), 3)), anchor="middle",
                               size=11))
        zero = y_of(0)
        parts.append(_line(left, zero, left + plot_w, zero, INK))
        for r in chart.references:
            y = y_of(_num(r.value))
            parts.append(_line(left, y, left + plot_w, y, REFERENCE, width=2, dash="6 4"))
            parts.append(_text(left + plot_w, y - 8, f"{r.name} {_label(chart, _num(r.value))}", anchor="end",
                               size=11, fill=REFERENCE))
    legend, x = [], 8.0
    for j, s in enumerate(chart.series):
        colour = s.colour or PALETTE[j % len(PALETTE)]
        legend.append(_rect(x, 34, 12, 12, colour))
        legend.append(_text(x + 16, 40, s.name, size=12))
        x += 16 + 13 * len(s.name) + 18
    context = {"uid": uid, "title": chart.title, "desc": desc, "width": chart.width, "height": f"{height:.0f}",
               "font": FONT, "elements": [_text(8, 16, chart.title, size=14, weight="bold"), *legend, *parts]}
    return render_to_string(TEMPLATE, context)  # autoescaped: every text is user-safe


def _ticks(bottom: float, top: float, n: int = 4) -> list[float]:
    step = (top - bottom) / n
    return [bottom + step * i for i in range(n + 1)]
