"""Small formatting helpers for the workgroups pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def signed(value, digits: int = 2) -> str:
    """A change with its sign: +0.12, −0.05, 0.00; empty when there is nothing to compare."""
    if value is None or value == "":
        return ""
    value = float(value)
    text = number_format(abs(value), decimal_pos=int(digits))
    if round(value, int(digits)) > 0:
        return f"+{text}"
    if round(value, int(digits)) < 0:
        return f"\u2212{text}"
    return text


@register.filter
def percent(value) -> str:
    """A share (0–1) as a whole percentage."""
    if value is None or value == "":
        return "–"
    return f"{round(float(value) * 100)}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def signed_points(value) -> str:
    """A change of a share (0–1) in whole percentage points, with its sign."""
    if value is None or value == "":
        return ""
    return signed(float(value) * 100, 0)
