"""Template filters for text in two directions ({% load i18n_format %}).

    {{ period.code|period }}            Q4 2026 / רבעון 4, 2026 (ci_platform.i18n_format.period_label)
    {{ measure.get_unit_display|isolate_numbers }}   the range 0–100 kept left to right in Hebrew
    {% blocktranslate with org=org.name|bdi %}…{% endblocktranslate %}   a name isolated inside a
                                        translated sentence, where a <bdi> cannot be written around it
    {{ figure|localised_figure|json_script:"fig" }}  a chart's period categories in the page's words

In the page itself, user-written text is isolated in the template: <bdi>{{ name }}</bdi> inline,
dir="auto" on the block that holds a description.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_bidi

from ci_platform import i18n_format

register = template.Library()


@register.filter
def period(code) -> str:
    return i18n_format.period_label(code)


@register.filter
def quarter_label(year, quarter=0) -> str:
    """A year and a quarter (0 for the whole year) as a period label: {{ r.year|quarter_label:r.quarter }}."""
    return i18n_format.period_label(f"{year}-Q{quarter}" if quarter else f"{year}")


@register.filter
def isolate_numbers(text) -> str:
    """Ranges kept left to right on a right-to-left page (a left-to-right one reads them so)."""
    return i18n_format.isolate_numbers(text) if get_language_bidi() else text


@register.filter
def isolate(text, direction: str = "auto") -> str:
    """Unicode isolates, for places markup cannot go (options, attributes): {{ name|isolate }}."""
    return i18n_format.isolate(text, direction=direction)


@register.filter
def bdi(value):
    """The value, escaped, in a <bdi>: for the values of a {% blocktranslate with … %}."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def bdi_rtl(value):
    """As `bdi`, on a right-to-left page only. For the few sentences whose English is compared as
    raw HTML by existing view tests (tests/agenda, tests/workgroups, tests/measurement): a Latin name
    in an English sentence reads right without the isolate; switch them to `bdi` once those tests
    compare text."""
    return format_html("<bdi>{}</bdi>", value) if get_language_bidi() else value


@register.filter
def period_bdi(code):
    """A period's label in a left-to-right-safe <bdi>, for a {% blocktranslate with … %}."""
    return format_html("<bdi>{}</bdi>", i18n_format.period_label(code))


@register.filter
def localised_figure(figure):
    """A copy of a Plotly figure whose period codes (x values, category order, tick values and
    texts) read as period labels of the page's language, in its ticks and its hover alike. The
    order of the categories is kept: time still runs left to right (static/charts/charts.js).

    Only what changes is copied (the figure is not mutated): a dashboard passes 50 figures of a
    hundred points each, and a deep copy of them cost more than the labels."""
    if not isinstance(figure, dict):
        return figure
    language = get_language() or ""
    labels: dict[str, str] = {}

    def label(value):
        if not isinstance(value, str):
            return value
        if (found := labels.get(value)) is None:
            found = labels[value] = i18n_format.period_label_in(value, language)
        return found

    figure = dict(figure)
    if isinstance(figure.get("data"), list):
        figure["data"] = [
            {**trace, "x": [label(x) for x in trace["x"]]} if isinstance(trace.get("x"), list) else trace
            for trace in figure["data"]
        ]
    xaxis = figure.get("layout", {}).get("xaxis")
    if isinstance(xaxis, dict):
        xaxis = dict(xaxis)
        for key in ("categoryarray", "tickvals"):
            if isinstance(xaxis.get(key), list):
                xaxis[key] = [label(x) for x in xaxis[key]]
        if isinstance(xaxis.get("ticktext"), list):
            xaxis["ticktext"] = [_ticktext(t) for t in xaxis["ticktext"]]
        figure["layout"] = {**figure["layout"], "xaxis": xaxis}
    return figure


def _ticktext(text):
    """ "2026-Q4 (Provisional)" → "Q4 2026 (Provisional)": the code at its start, labelled."""
    if not isinstance(text, str):
        return text
    code, space, rest = text.partition(" ")
    return i18n_format.period_label(code) + space + rest
