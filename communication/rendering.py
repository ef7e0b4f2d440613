"""Markdown for minutes, decisions, posts and comments, rendered safely.

Python-Markdown turns the text into HTML (it passes raw HTML through), then nh3 (ammonia) keeps
only the tags and attributes below: scripts, styles, event handlers, iframes and javascript:
links are dropped, whatever the author typed.
"""

from __future__ import annotations

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    """Markdown → sanitised HTML, safe to put in a page or a frozen report."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned.strip())  # noqa: S308 - sanitised by nh3 just above


def plain_text(text: str, limit: int = 300) -> str:
    """The text of a Markdown snippet without any markup, for emails and previews."""
    html = md.markdown(text or "", extensions=["extra"])
    stripped = nh3.clean(html, tags=set()).strip()
    import html as html_lib

    stripped = html_lib.unescape(stripped)
    return stripped if len(stripped) <= limit else stripped[: limit - 1].rstrip() + "…"
