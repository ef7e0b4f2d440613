"""The dashboards' data tables are rendered in Python (measurement_tags): the numbers read exactly
as the `floatformat:"-2"` filter writes them, and labels are escaped."""

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from hypothesis import example, given, settings
from hypothesis import strategies as st

from measurement.templatetags.measurement_tags import _number

# What the tables show: aggregates and values as floats, stored with at most 6 decimal places.
stored = st.integers(-(10**19), 10**19).map(lambda n: n / 10**6)


@settings(max_examples=2000)
@given(
    st.one_of(
        stored,
        st.integers(-(10**9), 10**9).map(lambda n: n / 100),
        st.integers(-(10**6), 10**6).map(lambda n: n / 1000),  # ties: x.xx5
        st.floats(allow_nan=False, allow_infinity=False),  # exponents, tiny and huge values
    )
)
@example(0.125)
@example(-0.005)
@example(2.675)
@example(-0.0)
@example(1e-05)
@example(99.995)
@example(-99.995)
@example(2.05)
@example(-0.05)
@example(0.04)
@example(9.96)
def test_numbers_read_as_floatformat_writes_them(value):
    assert _number(value) == floatformat(value, "-2")
    # The cards' figures: `rounded:1` for `floatformat:"-1"`.
    assert _number(value, 1) == floatformat(value, "-1")
    assert Template("{% load measurement_tags %}{{ v|rounded:1 }}").render(
        Context({"v": value})
    ) == floatformat(value, "-1")


def test_no_value_is_a_dash():
    assert _number(None) == "—"


def test_series_rows_escape_labels_and_fill_gaps():
    html = Template("{% load measurement_tags %}{% series_table_rows rows periods %}").render(
        Context(
            {
                "rows": [("<b>Org & co</b>", {"2026-01": 1.5, "2026-03": 2.0})],
                "periods": ["2026-01", "2026-02", "2026-03"],
            }
        )
    )
    assert html == (
        '<tr><th scope="row">&lt;b&gt;Org &amp; co&lt;/b&gt;</th><td class="number">1.50</td>'
        '<td class="number">—</td><td class="number">2</td></tr>'
    )


def test_curve_rows_escape_periods():
    html = Template("{% load measurement_tags %}{% curve_table_rows rows %}").render(
        Context({"rows": [("<2026>", (3.25, None))]})
    )
    assert (
        html
        == '<tr><td class="number">&lt;2026&gt;</td><td class="number">3.25</td><td class="number">—</td></tr>'
    )


@given(st.text())
def test_escaping_is_djangos(text):
    from django.utils.html import escape

    from measurement.templatetags.measurement_tags import _escape

    assert _escape(text) == escape(text)


def test_grid_cells_escape_names_values_comments_and_errors():
    from types import SimpleNamespace

    from measurement.templatetags.measurement_tags import grid_cells

    evil = "<script>alert('x')</script> & \"co\""
    row = {
        "measure": SimpleNamespace(name=evil),
        "row": SimpleNamespace(name=evil),
        "cells": [
            {
                "name": "v1_2_0",
                "column": SimpleNamespace(name=evil),
                "value": evil,
                "comment": evil,
                "errors": [evil],
                "closed": False,
            },
            {"name": "v1_3_0", "column": None, "value": "", "comment": "", "errors": [], "closed": True},
        ],
    }
    html = grid_cells(row, True, "Value", "Comment", "comment")
    assert (
        "<script>" not in html
        and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;co&quot;" in html
    )
    assert 'aria-invalid="true" aria-describedby="v1_2_0-err"' in html and 'id="v1_2_0-err"' in html
    # The closed cell is disabled and labelled "Value" (no column); the open one is not disabled.
    first, second = html.split('<div class="entry-cell">')[1:]
    assert "disabled" not in first
    assert ">Value<span" in second and second.count("disabled") == 2  # value and comment


def test_submission_rows_escape_codes_names_comments_and_reasons():
    from datetime import UTC, datetime
    from decimal import Decimal

    from measurement.selectors import AuditRow, ValueRow
    from measurement.templatetags.measurement_tags import audit_items, value_options, value_table_rows

    evil = "<script>alert('x')</script> & \"co\""
    escaped = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;co&quot;"
    values = [
        ValueRow(7, evil, evil, evil, Decimal("0.000000"), evil, unlocked=True),
        ValueRow(8, "m2", None, None, Decimal("12.500000"), "", unlocked=False),
    ]
    table = value_table_rows(values, evil)
    assert "<script>" not in table and table.count(escaped) == 5
    assert (
        f'<td class="number">0 <span class="badge text-bg-warning" data-unlocked="7">{escaped}</span>'
        in table
    )
    assert '<td class="number">12.5</td><td class="small"></td>' in table
    options = value_options(values)  # the unlocked value is not offered again
    assert options == '<option value="8">m2: 12.5</option>'
    row = AuditRow(
        datetime(2026, 1, 2, 3, 4, tzinfo=UTC), evil, evil, evil, evil, evil, None, None, Decimal(0), evil
    )
    items = audit_items([row])
    assert "<script>" not in items and items.count(escaped) == 6
    assert f'<span class="number">{escaped}</span> · {escaped} <span class="number">— → 0</span>' in items


# The dashboards' cards were an included template (measurement/_card.html until December 2026):
# `measure_card` must write exactly what it wrote, in every branch and both languages, with the
# provisional period's note and marks added since (`period_html`: the period code isolated in a span).
CARD_TEMPLATE = """{% load i18n l10n measurement_tags %}{% translate "Provisional" as provisional_label %}{% if card.provisional_period %}{% blocktranslate with period=period_html a=card.provisional_counts.0 e=card.provisional_counts.1 asvar note %}{{ period }} provisional: {{ a }} of {{ e }} organisations approved{% endblocktranslate %}{% endif %}
<div class="card h-100 measure-card" data-measure="{{ card.measure.code }}">
  <div class="card-body">
    <h3 class="h6 mb-1">{% if link %}<a href="{% url 'measurement:measure_dashboard' initiative.slug card.measure.code %}">{{ card.measure.name }}</a>{% else %}{{ card.measure.name }}{% endif %}</h3>
    <div class="small text-body-secondary mb-2">{{ card.level }}{% if card.completeness %} · {% blocktranslate with a=card.completeness.0 e=card.completeness.1 %}{{ a }} of {{ e }} partners approved{% endblocktranslate %}{% endif %}</div>
    <div class="d-flex flex-wrap gap-3 align-items-baseline mb-1">
      {% if card.latest is not None %}
      <div><span class="fs-4 number">{{ card.latest|floatformat:"-1" }}</span> <span class="small text-body-secondary">{{ card.curve.unit }}, <span class="number">{{ card.latest_period }}</span></span></div>
      {% if card.change_previous is not None %}<div class="small">{% translate "since previous" %}: <span class="number">{% if card.change_previous > 0 %}+{% endif %}{{ card.change_previous|floatformat:"-1" }}</span></div>{% endif %}
      {% if card.change_baseline is not None %}<div class="small">{% translate "since baseline" %}: <span class="number">{% if card.change_baseline > 0 %}+{% endif %}{{ card.change_baseline|floatformat:"-1" }}</span></div>{% endif %}
      {% if card.on_track is True %}<span class="badge text-bg-success">{% translate "on track" %}</span>{% elif card.on_track is False %}<span class="badge text-bg-danger">{% translate "off track" %}</span>{% endif %}
      {% if card.provisional_period %}<div class="small w-100" data-provisional="{{ card.provisional_period }}"><span aria-hidden="true">◌</span> {{ note }}</div>{% endif %}{% elif card.provisional_period %}<div class="text-body-secondary small">{% translate "No complete period yet." %}</div><div class="small w-100" data-provisional="{{ card.provisional_period }}"><span aria-hidden="true">◌</span> {{ note }}</div>{% else %}<div class="text-body-secondary small">{% translate "No approved data yet." %}</div>{% endif %}
    </div>
    <div class="chart" data-figure="fig-{{ card.measure.code }}" role="figure" aria-label="{% blocktranslate with name=card.measure.name %}Trend of {{ name }} against its targets{% endblocktranslate %}"></div>
    <details class="small"><summary>{% translate "The numbers behind the chart" %}</summary>
      <table class="table table-sm mb-0"><thead><tr><th scope="col">{% translate "Period" %}</th><th scope="col">{% translate "Value" %}</th><th scope="col">{% translate "Target" %}</th></tr></thead>
      <tbody>{% curve_table_rows card.rows card.curve.provisional provisional_label %}</tbody></table>
    </details>
  </div>
</div>
"""


def _card(name: str, unit: str, provisional=(), **figures):
    from measurement.dashboards.charts import CurveData, Series
    from measurement.dashboards.readers import MeasureCard, MeasureRef

    ref = MeasureRef(
        1, "m-1", name, "שם " + name if name else "", unit, "higher", "population", None, None, ""
    )
    curve = CurveData(
        "m-1",
        name,
        unit,
        Series(["2025", "2026", "2027"], [1.25, None, 4.0]),
        {"2026": 3.0},
        provisional=list(provisional),
    )
    return MeasureCard(ref, curve, **figures)


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("link", [True, False])
@pytest.mark.parametrize(
    "figures",
    [
        {},  # no approved data
        {"level": "Population · %", "latest_period": "2026", "latest": 12.0, "completeness": (3, 7)},
        {
            "level": "Program",
            "latest_period": "2026-Q1",
            "latest": 2.05,
            "change_previous": -0.04,
            "change_baseline": 1.25,
            "on_track": True,
            "completeness": (0, 0),
        },
        {
            "latest_period": "2026",
            "latest": -7.5,
            "change_previous": 0.0,
            "change_baseline": 9.96,
            "on_track": False,
        },
        {  # a newer period waits for review: the figures are the latest complete period's
            "latest_period": "2025",
            "latest": 1.25,
            "on_track": True,
            "completeness": (2, 2),
            "provisional": ["2027"],
            "provisional_period": "2027",
            "provisional_counts": (1, 3),
        },
        {  # no complete period at all
            "provisional": ["2025", "2027"],
            "provisional_period": "2027",
            "provisional_counts": (0, 2),
        },
    ],
)
@pytest.mark.parametrize("name", ["Literacy", '<b>Evil & "co"</b>'])
def test_cards_are_what_the_template_wrote(language, link, figures, name):
    from types import SimpleNamespace

    from django.template import Template
    from django.utils import translation
    from django.utils.html import format_html

    card = _card(name, "<pct>" if "Evil" in name else "%", **figures)
    context = {
        "card": card,
        "initiative": SimpleNamespace(slug="c2c"),
        "link": link,
        "period_html": format_html('<span class="number">{}</span>', card.provisional_period or ""),
    }
    with translation.override(language):
        expected = Template(CARD_TEMPLATE).render(Context(context))
        written = Template("{% load measurement_tags %}{% measure_card card link %}").render(Context(context))
    assert written == expected
    if card.provisional_period:  # marked in words on the card and in its table, in both languages
        word = "זמני" if language == "he" else "Provisional"
        assert written.count(f'<span aria-hidden="true">◌</span> {word}</span>') == len(
            card.curve.provisional
        )
        assert f'data-provisional="{card.provisional_period}"' in written


# The grid's rows were a loop in measurement/entry.html until December 2026: `grid_body` must
# write what it wrote.
GRID_LOOP = """{% load measurement_tags %}{% for r in rows %}{% with measure_name=r.measure.name row_name=r.row.name %}
    <tr data-measure="{{ r.measure.code }}">
      {% if r.first %}<th scope="rowgroup" rowspan="{{ r.span }}"><span class="number small">{{ r.measure.code }}</span><div>{{ measure_name }}</div><div class="small text-body-secondary">{{ r.value_type }}{% if r.measure.required %} · {{ required_label }}{% endif %}</div></th>{% endif %}
      <th scope="row" class="fw-normal">{% if r.row %}{{ row_name }}{% else %}—{% endif %}</th>
      <td><div class="d-flex flex-wrap gap-2">
      {% grid_cells r editable value_label comment_label comment_placeholder %}
      </div></td>
    </tr>{% endwith %}
  {% endfor %}"""


@pytest.mark.parametrize("editable", [True, False])
def test_grid_rows_are_what_the_template_wrote(editable):
    from types import SimpleNamespace

    evil = "<script>alert('x')</script> & \"co\""
    measure = SimpleNamespace(code="m<1>", name=evil, required=True)
    plain = SimpleNamespace(code="m2", name="Plain", required=False)
    member = SimpleNamespace(name=evil)

    def cell(name, value="", errors=()):
        return {
            "name": name,
            "column": member,
            "value": value,
            "comment": evil,
            "errors": list(errors),
            "closed": False,
        }

    rows = [
        {"measure": measure, "value_type": evil, "first": True, "span": 2, "row": member,
         "cells": [cell("v1_1_1", "12.5", [evil]), cell("v1_1_2")]},
        {"measure": measure, "value_type": evil, "first": False, "span": 2, "row": SimpleNamespace(name="Row 2"),
         "cells": [cell("v1_2_1")]},
        {"measure": plain, "value_type": "Count", "first": True, "span": 1, "row": None,
         "cells": [{"name": "v2_0_0", "column": None, "value": "7", "comment": "", "errors": [], "closed": True}]},
    ]  # fmt: skip
    labels = {
        "value_label": "Value",
        "comment_label": "Comment",
        "comment_placeholder": "c",
        "required_label": "<req>",
    }
    context = Context({"rows": rows, "editable": editable, **labels})
    expected = Template(GRID_LOOP).render(context)
    written = Template(
        "{% load measurement_tags %}"
        "{% grid_body rows editable value_label comment_label comment_placeholder required_label %}"
    ).render(context)
    assert written == expected and "<script>" not in written
