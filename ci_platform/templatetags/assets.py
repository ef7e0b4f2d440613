"""Script addresses chosen in settings, for the templates that load them."""

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.simple_tag
def plotly_js() -> str:
    """The address of plotly.js (settings.PLOTLY_JS: npm's basic build, or the plotly package's)."""
    return static(settings.PLOTLY_JS)
