"""Text in two directions: period labels in the reader's language, and codes, ranges and names
isolated inside a sentence of the other direction (ci_platform/i18n_format.py and its filters).

The snapshots are the exact HTML a template renders: a Hebrew period label, a range, and a mixed
sentence (a translated sentence with an English name and a period in it). Needs the compiled
catalogue (`manage.py compiletranslations`), as tests/test_i18n.py does.
"""

import pytest
from django.template import Context, Template
from django.utils import translation

from ci_platform.i18n_format import FSI, LRI, PDI, isolate, isolate_numbers, mixed, period_label


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load i18n i18n_format %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("code", "english", "hebrew"),
    [
        ("2026-Q4", "Q4 2026", "רבעון 4, 2026"),
        ("2027-Q1", "Q1 2027", "רבעון 1, 2027"),
        ("2026-H2", "H2 2026", "מחצית 2, 2026"),
        ("2026-01", "January 2026", "ינואר 2026"),
        ("2026-12", "December 2026", "דצמבר 2026"),
        ("2026", "2026", "2026"),
    ],
)
def test_period_label_in_each_language(code, english, hebrew):
    with translation.override("en"):
        assert period_label(code) == english
    with translation.override("he"):
        assert period_label(code) == hebrew


@pytest.mark.parametrize("code", ["", None, "2026-Q5", "2026-13", "Q4-2026", "spring"])
def test_anything_else_is_left_as_it_is(code):
    with translation.override("he"):
        assert period_label(code) == str(code or "")


def test_isolates():
    assert isolate("Early Years Network") == f"{FSI}Early Years Network{PDI}"
    assert isolate("k-ready", direction="ltr") == f"{LRI}k-ready{PDI}"
    assert isolate("") == ""
    assert isolate_numbers("אחוז (0–100)") == f"אחוז ({LRI}0–100{PDI})"
    assert isolate_numbers("ציון 1-5, 46%") == f"ציון {LRI}1-5{PDI}, 46%"
    assert isolate_numbers("שנת 2026") == "שנת 2026"  # a lone number needs no isolation
    assert mixed("נתוני %(org)s", org="Early Years Network") == f"נתוני {FSI}Early Years Network{PDI}"


# --- Snapshots: the HTML as rendered -------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "he"])
def test_thousands_are_grouped_in_both_languages(language):
    """Money and counts read the same in Hebrew as in English (ci_platform/formats/he)."""
    source = "{% load humanize %}{{ amount|floatformat:0|intcomma }} {{ amount|floatformat:'2g' }}"
    assert render(source, language, amount=7600000.25) == "7,600,000 7,600,000.25"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Dec 7, 2026 · Dec 7, 2026, 10:15 a.m."), ("he", "07/12/2026 · 07/12/2026 10:15")],
)
def test_a_short_date_reads_one_way_only(language, expected):
    """English wrote 12/07/2026: 7 December to an American, 12 July to everyone else (a reader of
    the Hebrew pages, where the same day is 07/12/2026, among them)."""
    from datetime import datetime

    source = '{{ at|date:"SHORT_DATE_FORMAT" }} · {{ at|date:"SHORT_DATETIME_FORMAT" }}'
    assert render(source, language, at=datetime(2026, 12, 7, 10, 15)) == expected


def test_snapshot_hebrew_period_label():
    html = render('<th scope="col"><bdi>{{ code|period }}</bdi></th>', "he", code="2026-Q4")
    assert html == '<th scope="col"><bdi>רבעון 4, 2026</bdi></th>'
    html = render('<th scope="col"><bdi>{{ code|period }}</bdi></th>', "en", code="2026-Q4")
    assert html == '<th scope="col"><bdi>Q4 2026</bdi></th>'


def test_snapshot_range():
    """Percent (0–100): in Hebrew the range is isolated left to right, so it does not read 100–0."""
    html = render("<dd>{{ label|isolate_numbers }}</dd>", "he", label="אחוז (0–100)")
    assert html == f"<dd>אחוז ({LRI}0–100{PDI})</dd>"


def test_snapshot_mixed_sentence():
    """An English organisation name and a period inside a Hebrew sentence, each isolated."""
    source = (
        "{% blocktranslate with org=name|bdi period=code|period_bdi %}"
        "{{ org }}: data for {{ period }}{% endblocktranslate %}"
    )
    html = render(source, "he", name="Early Years Network", code="2026-Q4")
    assert html == "נתוני <bdi>Early Years Network</bdi> לתקופה <bdi>רבעון 4, 2026</bdi>"
    assert (
        render(source, "en", name="<b>", code="2026-H2")
        == "<bdi>&lt;b&gt;</bdi>: data for <bdi>H2 2026</bdi>"
    )


def test_localised_figure_names_periods_and_keeps_their_order():
    from ci_platform.templatetags.i18n_format import localised_figure

    figure = {
        "data": [{"x": ["2026-Q3", "2026-Q4"], "y": [1, 2]}],
        "layout": {
            "xaxis": {
                "categoryarray": ["2026-Q3", "2026-Q4"],
                "tickvals": ["2026-Q3", "2026-Q4"],
                "ticktext": ["2026-Q3", "2026-Q4 (Provisional)"],
                "autorange": "reversed",
            }
        },
    }
    with translation.override("he"):
        out = localised_figure(figure)
    assert out["data"][0]["x"] == ["רבעון 3, 2026", "רבעון 4, 2026"]
    assert out["layout"]["xaxis"]["categoryarray"] == ["רבעון 3, 2026", "רבעון 4, 2026"]
    assert out["layout"]["xaxis"]["ticktext"] == ["רבעון 3, 2026", "רבעון 4, 2026 (Provisional)"]
    # The view's figure is not changed (its copy shares only what is not relabelled).
    assert figure["data"][0]["x"] == ["2026-Q3", "2026-Q4"]
    assert figure["layout"]["xaxis"]["categoryarray"] == ["2026-Q3", "2026-Q4"]
    assert figure["layout"]["xaxis"]["ticktext"] == ["2026-Q3", "2026-Q4 (Provisional)"]
    assert out["data"][0]["y"] == [1, 2] and out["layout"]["xaxis"]["autorange"] == "reversed"


def test_a_report_period_of_year_and_quarter():
    source = "{{ year|quarter_label:quarter }}"
    assert render(source, "he", year=2026, quarter=3) == "רבעון 3, 2026"
    assert render(source, "en", year=2026, quarter=3) == "Q3 2026"
    assert render(source, "he", year=2026, quarter=0) == "2026"
