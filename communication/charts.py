"""Static line charts for frozen reports and PDFs: pure functions from figures to the geometry of an
SVG, which a template draws (communication/templatetags/communication_tags.py: {% line_chart %}).

WeasyPrint runs no JavaScript, so the interactive Plotly charts of the pages cannot be printed; a
report stores its chart as SVG markup inside its frozen HTML instead. Time runs left to right in
both languages (a rising line must look like one); only the labels follow the language.
"""

from __future__ import annotations

import math

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 14, 40
MAX_X_LABELS = 6


def _nice_step(span: float, ticks: int = 4) -> float:
    raw = span / ticks if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def _diamond(cx: float, cy: float, r: float = 4.5) -> str:
    return f"M{cx} {round(cy - r, 1)} L{round(cx + r, 1)} {cy} L{cx} {round(cy + r, 1)} L{round(cx - r, 1)} {cy} Z"


def _slots(points: list[dict]) -> tuple[list[int], list[str]]:
    """Each point's place on the time axis, and the axis's periods: one slot per period from the
    first to the last (measurement.periods.timeline), so that equal distances are equal spans of
    time and a period without a figure is a gap. Points without period codes stand side by side."""
    from measurement.periods import timeline

    codes = [p.get("period") or "" for p in points]
    axis = timeline(codes) if all(codes) and len(set(codes)) == len(codes) else []
    slot = {code: i for i, code in enumerate(axis)}
    if not axis or any(code not in slot for code in codes):
        return list(range(len(points))), [p.get("label", "") for p in points]
    return [slot[code] for code in codes], axis


def line_chart(points: list[dict], *, width: int = WIDTH, height: int = HEIGHT) -> dict | None:
    """The geometry of a line chart of `points` ({"period", "label", "value", "target"}, oldest
    first): the value line (broken where a period has no value), the target line through the
    targets (diamonds on them), the axes' ticks. Time is to scale: a target three years after the
    last one stands three years further along. None when there is nothing to draw."""
    from ci_platform.i18n_format import period_label

    values = [p.get("value") for p in points]
    targets = [p.get("target") for p in points]
    known = [v for v in values + targets if v is not None]
    if not points or not known:
        return None
    low, high = min(0.0, min(known)), max(known)
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = max(math.ceil(high / step) * step, low + step)
    x0, x1, y0, y1 = LEFT, width - RIGHT, height - BOTTOM, TOP
    positions, axis = _slots(points)
    n = len(axis)

    def x(i: int) -> float:  # oldest on the left, whatever the language
        return round(x0 + (x1 - x0) * (i + 0.5) / n, 1)

    def y(v: float) -> float:
        return round(y0 - (y0 - y1) * (v - low) / (high - low), 1)

    def path(series: list, *, across_gaps: bool) -> str:
        """A path through the series' slots; lifted over a slot without a value unless
        `across_gaps` (a target line runs from one target to the next)."""
        by_slot: list = [None] * n
        for i, v in zip(positions, series, strict=True):
            by_slot[i] = v
        parts, pen_down = [], False
        for i, v in enumerate(by_slot):
            if v is None:
                pen_down = pen_down and across_gaps
                continue
            parts.append(f"{'L' if pen_down else 'M'}{x(i)} {y(v)}")
            pen_down = True
        return " ".join(parts)

    labels = {i: p.get("label", "") for i, p in zip(positions, points, strict=True)}
    every = max(1, math.ceil(n / MAX_X_LABELS))
    return {
        "width": width,
        "height": height,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "line": path(values, across_gaps=False),
        "target": path(targets, across_gaps=True),
        "dots": [
            {"x": x(i), "y": y(v), "label": p["label"], "value": _number(v)}
            for i, p, v in zip(positions, points, values, strict=True)
            if v is not None
        ],
        "diamonds": [
            {"d": _diamond(x(i), y(t)), "label": p["label"], "value": _number(t)}
            for i, p, t in zip(positions, points, targets, strict=True)
            if t is not None
        ],
        "x_ticks": [
            {"x": x(i), "label": labels.get(i) or period_label(code)}
            for i, code in enumerate(axis)
            if (n - 1 - i) % every == 0
        ],
        "y_ticks": [
            {"y": y(low + k * step), "label": _number(low + k * step)}
            for k in range(round((high - low) / step) + 1)
        ],
        "label_y": y0 + 18,
        "tick_x": x0 - 6,
    }
