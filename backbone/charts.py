"""Pure functions: selector output -> Plotly figure dicts. No queries here.

In Hebrew the category axis runs right to left and the value axis stands on the right.
"""

from __future__ import annotations

FUNCTION_COLORS = ["#0d6efd", "#6610f2", "#198754", "#fd7e14", "#d63384", "#20c997"]
TYPE_COLORS = {"public": "#0d6efd", "philanthropy": "#198754", "business": "#fd7e14", "individual": "#6f42c1"}


def _layout(
    rtl: bool, categories: list, *, y_title: str = "", y_range: list | None = None, height: int = 300
) -> dict:
    yaxis = {"title": {"text": y_title}, "side": "left", "rangemode": "tozero"}
    if y_range:
        yaxis["range"] = y_range
    return {
        "margin": {"l": 50, "r": 50, "t": 30, "b": 50},
        "height": height,
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": categories,
            "autorange": True,  # time runs left to right in both languages
        },
        "yaxis": yaxis,
        "legend": {
            "orientation": "h",
            "x": 1 if rtl else 0,
            "xanchor": "right" if rtl else "left",
            "y": -0.25,
        },
        "font": {"family": "system-ui, sans-serif"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    }


def function_trend(
    periods: list[str], series: list[tuple[str, list[float | None]]], *, rtl: bool, y_title: str
) -> dict:
    """One line per function across periods; a gap where the evidence was insufficient."""
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "x": periods,
            "y": values,
            "line": {"color": FUNCTION_COLORS[i % len(FUNCTION_COLORS)], "width": 2},
            "connectgaps": False,
        }
        for i, (name, values) in enumerate(series)
    ]
    return {"data": traces, "layout": _layout(rtl, periods, y_title=y_title, y_range=[0, 100], height=340)}


def indicator_trend(
    periods: list[str], values: list[float | None], *, rtl: bool, name: str, y_title: str
) -> dict:
    trace = {"type": "scatter", "mode": "lines+markers", "name": name, "x": periods, "y": values}
    return {"data": [trace], "layout": _layout(rtl, periods, y_title=y_title, y_range=[0, 100], height=240)}


def distribution(labels: list[str], counts: list[int], *, rtl: bool, y_title: str) -> dict:
    """Ratings 1–5 and "don't know" (greyed), as counts."""
    colors = ["#dc3545", "#fd7e14", "#ffc107", "#20c997", "#198754", "#adb5bd"]
    trace = {
        "type": "bar",
        "x": labels,
        "y": counts,
        "marker": {"color": colors[: len(counts)]},
        "showlegend": False,
    }
    return {"data": [trace], "layout": _layout(rtl, labels, y_title=y_title, height=260)}


def funding_by_source(
    years: list[int], by_type: dict[str, list[float]], names: dict[str, str], *, rtl: bool, y_title: str
) -> dict:
    categories = [str(y) for y in years]
    traces = [
        {
            "type": "bar",
            "name": names.get(kind, kind),
            "x": categories,
            "y": values,
            "marker": {"color": TYPE_COLORS.get(kind, "#6c757d")},
        }
        for kind, values in by_type.items()
    ]
    layout = _layout(rtl, categories, y_title=y_title)
    layout["barmode"] = "stack"
    return {"data": traces, "layout": layout}


def backbone_share(
    years: list[int], shares: list[float | None], *, rtl: bool, names: dict[str, str], reference: float = 1.0
) -> dict:
    """The backbone's share of the year's total funding, with the ~1% the source document reports."""
    categories = [str(y) for y in years]
    traces = [
        {"type": "bar", "name": names["share"], "x": categories, "y": shares, "marker": {"color": "#6610f2"}},
        {
            "type": "scatter",
            "mode": "lines",
            "name": names["reference"],
            "x": categories,
            "y": [reference] * len(categories),
            "line": {"color": "#6c757d", "dash": "dash"},
        },
    ]
    return {"data": traces, "layout": _layout(rtl, categories, y_title="%")}


def stacked_counts(
    codes: list[str], series: dict[str, list[int]], names: dict[str, str], *, rtl: bool, y_title: str
) -> dict:
    traces = [
        {"type": "bar", "name": names.get(kind, kind), "x": codes, "y": values}
        for kind, values in series.items()
        if any(values)
    ]
    layout = _layout(rtl, codes, y_title=y_title)
    layout["barmode"] = "stack"
    return {"data": traces, "layout": layout}


def grouped_counts(
    codes: list[str], series: dict[str, list[int]], names: dict[str, str], *, rtl: bool, y_title: str
) -> dict:
    traces = [
        {"type": "bar", "name": names.get(kind, kind), "x": codes, "y": values}
        for kind, values in series.items()
    ]
    layout = _layout(rtl, codes, y_title=y_title)
    layout["barmode"] = "group"
    return {"data": traces, "layout": layout}
