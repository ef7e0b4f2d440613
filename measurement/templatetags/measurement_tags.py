from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


# The dashboards' data tables hold thousands of cells (50 charts × 60 periods): rendered here in
# one pass with format_html (escaped as the template would), instead of a template node per cell,
# which made the template most of the dashboard's time (docs/performance.md).


def _number(value) -> str:
    """As `floatformat:"-2"`: two decimals, none for a whole number, "—" for no value."""
    if value is None:
        return "—"
    exact = Decimal(repr(float(value)))
    if not exact:
        return "0"
    if exact == exact.to_integral_value():
        return format(exact.quantize(ONE), "f")
    text = format(exact.quantize(HUNDREDTH, rounding=ROUND_HALF_UP), "f")
    return "0.00" if text == "-0.00" else text


HUNDREDTH, ONE = Decimal("0.01"), Decimal(1)


@register.simple_tag
def curve_table_rows(rows) -> str:
    """<tr>s of a card's table: period, value, target."""
    cell = '<td class="number">{}</td>'
    return mark_safe(  # noqa: S308 - the period is escaped; the numbers are digits only
        "".join(
            "<tr>"
            + cell.format(escape(period))
            + cell.format(_number(value))
            + cell.format(_number(target))
            + "</tr>"
            for period, (value, target) in rows
        )
    )


@register.simple_tag
def series_table_rows(rows, periods) -> str:
    """<tr>s of a table of series (a label, then one cell per period)."""
    return mark_safe(  # noqa: S308 - the label is escaped; the numbers are digits only
        "".join(
            f'<tr><th scope="row">{escape(label)}</th>'
            + "".join(f'<td class="number">{_number(values.get(p))}</td>' for p in periods)
            + "</tr>"
            for label, values in rows
        )
    )
