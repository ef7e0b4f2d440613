"""Pure functions: dashboard data -> Plotly figure dicts. No queries here.

The turn-the-curve chart (Clear Impact): the history, the baseline, the targets and a simple
forecast from the recent trend. Provisional periods (too few of the expected organisations approved,
measurement.aggregation.completeness) are drawn apart: hollow markers on a dashed segment, under their own
legend entry, never as part of the solid line the forecast continues. In Hebrew the time axis runs right to left and the value axis
stands on the right; numbers stay left-to-right (Plotly renders them as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..periods import timeline

COLORS = {"history": "#0d6efd", "target": "#198754", "baseline": "#6c757d", "forecast": "#fd7e14"}


@dataclass
class Series:
    periods: list[str]
    values: list[float | None]


@dataclass
class CurveData:
    code: str
    title: str
    unit: str
    history: Series
    targets: dict[str, float] = field(default_factory=dict)
    baseline: float | None = None
    baseline_period: str = ""
    forecast: Series | None = None
    provisional: list[str] = field(default_factory=list)  # history periods still provisional


def forecast(history: Series, steps: int, next_codes: list[str], window: int = 4) -> Series | None:
    """A straight line fitted (least squares) to the last `window` known points."""
    points = [(i, v) for i, v in enumerate(history.values) if v is not None][-window:]
    if len(points) < 2 or not next_codes:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
    last_x, last_y = points[-1]
    codes = [history.periods[last_x], *next_codes[:steps]]
    values: list[float | None] = [last_y]
    values += [round(mean_y + slope * (last_x + k - mean_x), 4) for k in range(1, len(codes))]
    return Series(codes, values)


def turn_the_curve(data: CurveData, *, rtl: bool, labels: dict[str, str]) -> dict:
    provisional = set(data.provisional)
    known = dict(zip(data.history.periods, data.history.values, strict=True))
    periods = timeline(data.history.periods)
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": labels["history"],
            "x": periods,
            # Provisional points are left out of the solid line (a gap, not a false drop), and so
            # is a period without a figure (the line is not drawn across what nobody measured).
            "y": [None if p in provisional else known.get(p) for p in periods],
            "line": {"color": COLORS["history"], "width": 3},
        }
    ]
    if provisional:
        traces.append(_provisional_trace(data.history, provisional, labels["provisional"]))
    if data.forecast:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": labels["forecast"],
                "x": data.forecast.periods,
                "y": data.forecast.values,
                "line": {"color": COLORS["forecast"], "dash": "dash"},
            }
        )
    if data.targets:
        codes = sorted(data.targets)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+lines",
                "name": labels["target"],
                "x": codes,
                "y": [data.targets[c] for c in codes],
                "line": {"color": COLORS["target"], "dash": "dot"},
                "marker": {"symbol": "diamond", "size": 9},
            }
        )
    all_periods = sorted(
        set(data.history.periods) | set(data.targets) | set(data.forecast.periods if data.forecast else [])
    )
    if data.baseline is not None and all_periods:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{labels['baseline']} ({data.baseline_period})"
                if data.baseline_period
                else labels["baseline"],
                "x": [all_periods[0], all_periods[-1]],
                "y": [data.baseline, data.baseline],
                "line": {"color": COLORS["baseline"], "width": 1, "dash": "longdash"},
            }
        )
    return {"data": traces, "layout": _layout(rtl, data.unit, all_periods)}


def _provisional_trace(history: Series, provisional: set[str], label: str) -> dict:
    """Each run of provisional points as a dashed segment from the known point before it (and on to
    the one after it), hollow markers on the provisional points only; runs apart by a gap."""
    x: list[str | None] = []
    y: list[float | None] = []
    sizes: list[int] = []
    periods, values = history.periods, history.values
    i = 0
    while i < len(periods):
        if periods[i] not in provisional:
            i += 1
            continue
        start = i
        while i < len(periods) and periods[i] in provisional:
            i += 1
        if x:
            x.append(None)
            y.append(None)
            sizes.append(0)
        for k in range(max(start - 1, 0), min(i + 1, len(periods))):
            x.append(periods[k])
            y.append(values[k])
            sizes.append(10 if periods[k] in provisional else 0)
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": label,
        "x": x,
        "y": y,
        "line": {"color": COLORS["history"], "width": 2, "dash": "dash"},
        "marker": {"symbol": "circle-open", "size": sizes, "line": {"width": 2}},
    }


def bars_by_member(
    periods: list[str],
    series: dict[str, list[float | None]],
    *,
    rtl: bool,
    unit: str,
    provisional: list[str] | None = None,
    provisional_label: str = "Provisional",
) -> dict:
    """Grouped bars by period. Provisional periods' bars are hatched and their axis labels say so
    (in words, not by colour alone)."""
    marked = set(provisional or ())
    traces = []
    for name, values in series.items():
        trace: dict = {"type": "bar", "name": name, "x": periods, "y": values}
        if marked:
            trace["marker"] = {"pattern": {"shape": ["/" if p in marked else "" for p in periods]}}
        traces.append(trace)
    layout = _layout(rtl, unit, periods)
    layout["barmode"] = "group"
    if marked:
        layout["xaxis"]["tickmode"] = "array"
        layout["xaxis"]["tickvals"] = periods
        layout["xaxis"]["ticktext"] = [f"{p} ({provisional_label})" if p in marked else p for p in periods]
    return {"data": traces, "layout": layout}


def _layout(rtl: bool, unit: str, categories: list[str]) -> dict:
    return {
        "margin": {"l": 40, "r": 40, "t": 40, "b": 50},
        "height": 280,
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            # Every period from the first to the last, those without a figure included: equal steps
            # of the axis are equal spans of time (a target in 2030 stands three years after 2027).
            "categoryarray": timeline(categories),
            # Time runs left to right in both languages: a rising line must look like one.
            "autorange": True,
        },
        "yaxis": {"title": {"text": unit}, "side": "left", "rangemode": "tozero"},
        "legend": {
            "orientation": "h",
            "x": 1 if rtl else 0,
            "xanchor": "right" if rtl else "left",
            "y": -0.2,
        },
        "font": {"family": "system-ui, sans-serif"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }


def to_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
