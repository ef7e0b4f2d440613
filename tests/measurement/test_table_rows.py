"""The dashboards' data tables are rendered in Python (measurement_tags): the numbers read exactly
as the `floatformat:"-2"` filter writes them, and labels are escaped."""

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
