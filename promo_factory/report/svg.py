"""Tiny inline-SVG charts: a forest plot of lifts and cumulative sales curves."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

COLOURS = {"treatment": "#1f77b4", "control": "#ff7f0e", "cuped": "#2ca02c", "skew_adjusted": "#9467bd", "plain": "#555555"}


@dataclass(frozen=True)
class Interval:
    """One row of a forest plot: a label, a point estimate and its CI."""

    label: str
    estimate: float
    low: float
    high: float
    colour: str = COLOURS["plain"]


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _scale(lo: float, hi: float, a: float, b: float):
    span = hi - lo if hi > lo else 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"


def forest_plot(rows: Sequence[Interval], unit: str = "EUR / shopper", width: int = 640) -> str:
    """Horizontal CI bars with a dot at the estimate and a dashed zero line."""
    row_h, left, right, top = 22, 190, 110, 24
    height = top + row_h * max(len(rows), 1) + 28
    values = _finite([v for r in rows for v in (r.low, r.high, r.estimate)]) + [0.0]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1.0
    x = _scale(lo - pad, hi + pad, left, width - right)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">',
        f'<line x1="{x(0):.1f}" y1="{top - 8}" x2="{x(0):.1f}" y2="{height - 24}" stroke="#999" stroke-dasharray="4 3"/>',
        f'<text x="{x(0):.1f}" y="{top - 12}" text-anchor="middle" fill="#666">0</text>',
    ]
    for i, r in enumerate(rows):
        y = top + row_h * i + row_h / 2
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{escape(r.label)}</text>')
        if math.isfinite(r.low) and math.isfinite(r.high):
            parts.append(
                f'<line x1="{x(r.low):.1f}" y1="{y:.1f}" x2="{x(r.high):.1f}" y2="{y:.1f}" '
                f'stroke="{r.colour}" stroke-width="2"/>'
            )
        if math.isfinite(r.estimate):
            parts.append(f'<circle cx="{x(r.estimate):.1f}" cy="{y:.1f}" r="4" fill="{r.colour}"/>')
        parts.append(
            f'<text x="{width - right + 8}" y="{y + 4:.1f}" fill="#333">{_fmt(r.estimate)} '
            f'[{_fmt(r.low)}; {_fmt(r.high)}]</text>'
        )
    parts.append(
        f'<text x="{(left + width - right) / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">'
        f"{escape(unit)} (95 % CI)</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    series: dict[str, Sequence[tuple[int, float]]], y_label: str, x_label: str = "campaign day", width: int = 640
) -> str:
    """Polylines of (day index, value) per series name, with a legend and axis labels."""
    height, left, right, top, bottom = 240, 60, 110, 16, 34
    points = [p for s in series.values() for p in s if math.isfinite(p[1])]
    if not points:
        return "<p><em>No daily sales in the campaign window.</em></p>"
    xs, ys = [p[0] for p in points], [p[1] for p in points] + [0.0]
    sx = _scale(min(xs), max(xs), left, width - right)
    sy = _scale(min(ys), max(ys), height - bottom, top)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{sy(max(ys)) + 4:.1f}" text-anchor="end" fill="#666">{_fmt(max(ys))}</text>',
        f'<text x="{left - 6}" y="{sy(min(ys)) + 4:.1f}" text-anchor="end" fill="#666">{_fmt(min(ys))}</text>',
        f'<text x="{left}" y="{height - bottom + 14}" fill="#666">{min(xs)}</text>',
        f'<text x="{width - right}" y="{height - bottom + 14}" text-anchor="end" fill="#666">{max(xs)}</text>',
        f'<text x="{(left + width - right) / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="#666">'
        f"{escape(x_label)}</text>",
        f'<text x="12" y="{(top + height - bottom) / 2:.1f}" fill="#666" '
        f'transform="rotate(-90 12 {(top + height - bottom) / 2:.1f})" text-anchor="middle">{escape(y_label)}</text>',
    ]
    for i, (name, values) in enumerate(series.items()):
        colour = COLOURS.get(name, COLOURS["plain"])
        path = " ".join(f"{sx(d):.1f},{sy(v):.1f}" for d, v in values if math.isfinite(v))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.append(
            f'<rect x="{width - right + 10}" y="{top + 16 * i}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{width - right + 24}" y="{top + 16 * i + 9}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
