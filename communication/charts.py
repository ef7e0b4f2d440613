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


def line_chart(points: list[dict], *, width: int = WIDTH, height: int = HEIGHT) -> dict | None:
    """The geometry of a line chart of `points` ({"label", "value", "target"}, oldest first):
    the value line (broken where a value is missing), the target line, the axes' ticks.
    None when there is nothing to draw."""
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
    n = len(points)

    def x(i: int) -> float:  # oldest on the left, whatever the language
        return round(x0 + (x1 - x0) * (i + 0.5) / n, 1)

    def y(v: float) -> float:
        return round(y0 - (y0 - y1) * (v - low) / (high - low), 1)

    def path(series: list) -> str:
        parts, pen_down = [], False
        for i, v in enumerate(series):
            if v is None:
                pen_down = False
                continue
            parts.append(f"{'L' if pen_down else 'M'}{x(i)} {y(v)}")
            pen_down = True
        return " ".join(parts)

    every = max(1, math.ceil(n / MAX_X_LABELS))
    return {
        "width": width,
        "height": height,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "line": path(values),
        "target": path(targets),
        "dots": [
            {"x": x(i), "y": y(v), "label": p["label"], "value": _number(v)}
            for i, (p, v) in enumerate(zip(points, values, strict=True))
            if v is not None
        ],
        "x_ticks": [
            {"x": x(i), "label": p["label"]} for i, p in enumerate(points) if (n - 1 - i) % every == 0
        ],
        "y_ticks": [
            {"y": y(low + k * step), "label": _number(low + k * step)}
            for k in range(round((high - low) / step) + 1)
        ],
        "label_y": y0 + 18,
        "tick_x": x0 - 6,
    }
