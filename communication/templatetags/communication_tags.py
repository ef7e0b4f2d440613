from django import template
from django.urls import NoReverseMatch

from ..rendering import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Markdown rendered and sanitised (scripts, event handlers and javascript: links removed)."""
    return render_markdown(text)


@register.filter
def measure_url(measure) -> str:
    """A shared measure's page, when the measurement component provides one."""
    try:
        return measure.get_absolute_url()
    except NoReverseMatch:
        return ""


@register.inclusion_tag("communication/report/_line_chart.html")
def line_chart(points, title: str = ""):
    """A static SVG line chart (communication.charts) for frozen reports and their PDFs."""
    from ..charts import line_chart as geometry

    return {"chart": geometry(points or []), "title": title}
