"""Filters for the measurement templates. Markup lives in the templates
(templates/measurement/_measure_card.html, _grid_rows.html, …); these only turn a value into text."""

import hashlib
from functools import lru_cache

from django import template
from django.template import loader
from django.template.defaultfilters import floatformat
from django.utils.formats import localize

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def figure(value, places: int = 2) -> str:
    """A figure of the dashboards as `floatformat:"-places"` writes it (no decimals for a whole
    number), its thousands grouped in the reader's format (2,727 and 1,234,567, not 2727 and
    1234567), "—" for no value."""
    return "—" if value is None else floatformat(value, f"-{int(places)}g")


@register.filter
def decimal(value) -> str:
    """A stored decimal without its trailing zeros, in the reader's format; "—" for none."""
    return "—" if value is None else localize(value.normalize())


@register.simple_tag
def source_digest(*names: str) -> str:
    """A digest of templates' source, part of a cached fragment's key: a template changed by a new
    release (or an edit in development) is never served a fragment rendered by the old one."""
    # The Django engine's template wraps the compiled one, which keeps its source.
    return _digest(tuple(loader.get_template(name).template.source for name in names))  # type: ignore[attr-defined]


@lru_cache(maxsize=64)
def _digest(sources: tuple[str, ...]) -> str:
    return hashlib.blake2b("\0".join(sources).encode(), digest_size=8).hexdigest()
