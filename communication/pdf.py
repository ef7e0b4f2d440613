"""Frozen reports printed to PDF with WeasyPrint (on Celery: communication.tasks).

A progress report's PDF prints the HTML frozen at generation in one language (its charts are SVG
inside that HTML: communication.charts); the public report card's PDF prints the card as it stands
for one aggregate run and state of the card (`measurement.dashboards.readers.public_report_card`, the
reader of its page and of the API too: its `fingerprint`). Hebrew is set
right to left in Culmus's Hebrew fonts (Debian's culmus package), English in DejaVu Sans
(fonts-dejavu-core); WeasyPrint embeds the subsets it uses. A PDF is printed from its HTML alone:
WeasyPrint fetches nothing (`_fetcher`).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from html import escape, unescape
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation

from initiatives.models import Initiative

if TYPE_CHECKING:
    from measurement.dashboards.readers import PublicReportCard

from .models import ProgressReport

# Font stacks, per direction of the document; every one is a Debian package (.ci/run, Dockerfile).
FONTS = {
    "rtl": '"Nachlieli CLM", "DejaVu Sans", sans-serif',
    "ltr": '"DejaVu Sans", sans-serif',
}


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: pango is loaded only where PDFs are made

    return HTML(string=svg_text_as_seen(html), url_fetcher=_fetcher()).write_pdf()


# An SVG <text> with its content (the charts' labels: communication/report/_line_chart.html), and a
# letter of a right-to-left script.
_SVG_TEXT = re.compile(r"(<text\b(?:[^>/]|/(?!>))*)>([^<]*)</text>")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def svg_text_as_seen(html: str) -> str:
    """The HTML with each SVG <text> that holds Hebrew written in the order it is seen. WeasyPrint
    applies the Unicode bidirectional algorithm to HTML text but draws an SVG <text> in the order its
    characters are stored, so a chart's "רבעון 1, 2024" came out letter by letter backwards. The
    label is reordered for the chart's left-to-right direction (python-bidi) and marked
    bidi-override, so that a renderer that does apply the algorithm draws it as given. The frozen
    HTML that the report page shows is left as it is: browsers apply the algorithm themselves."""
    from bidi import get_display

    def as_seen(match: re.Match) -> str:
        start, text = match.groups()
        if not _RTL.search(text):
            return match.group(0)
        seen = escape(get_display(unescape(text), base_dir="L"), quote=False)
        return f'{start} unicode-bidi="bidi-override" direction="ltr">{seen}</text>'

    return _SVG_TEXT.sub(as_seen, html)


@functools.cache
def _fetcher():
    """WeasyPrint's fetcher of images, stylesheets and attachments, refusing every address (it warns
    and leaves the resource out). Nothing a PDF shows is fetched: its charts are SVG in its HTML and
    its fonts are the system's. So no text in a report, however it got there, can make the worker
    read one of its files or call a server. Made once per process: WeasyPrint's own fetcher, made
    for each document, loaded the system's certificates every time (31 ms a PDF; a short one
    prints in 19)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=frozenset())


def _document_context(language: str) -> dict:
    rtl = translation.get_language_info(language)["bidi"]
    return {"lang": language, "dir": "rtl" if rtl else "ltr", "fonts": FONTS["rtl" if rtl else "ltr"]}


def report_filename(report: ProgressReport, language: str) -> str:
    period = f"{report.year}-q{report.quarter}" if report.quarter else f"{report.year}"
    return f"progress-report-{report.initiative.slug}-{period}-{language}.pdf"


def progress_report_pdf(report: ProgressReport, language: str) -> ContentFile:
    """The frozen report in `language`, as PDF: its sections as they were rendered at generation."""
    with translation.override(language):
        html = render_to_string(
            "communication/pdf/progress_report.html",
            {
                "report": report,
                "initiative": report.initiative,
                "meta": report.snapshot.get("meta", {}),
                "sections": report.sections_in(language),
                **_document_context(language),
            },
        )
    return ContentFile(html_to_pdf(html))


# --- The public report card -------------------------------------------------------------------------


# What draws the report card's PDF besides its data: a release that changes one of these prints the
# card anew (`report_card_key`) instead of serving a PDF drawn the old way until the figures change.
LAYOUT_TEMPLATES = (
    "communication/pdf/report_card.html",
    "communication/pdf/_style.html",
    "communication/report/_line_chart.html",
    "measurement/_card_figures.html",
)


@functools.cache
def _layout() -> bytes:
    """The templates' digest (the one the dashboards' cached cards use) and the code's."""
    from measurement.templatetags.measurement_tags import source_digest

    from . import charts

    code = [Path(module.__file__).read_bytes() for module in (charts, sys.modules[__name__])]  # type: ignore[arg-type]
    return hashlib.blake2b(
        b"\0".join([source_digest(*LAYOUT_TEMPLATES).encode(), *code]), digest_size=16
    ).digest()


def report_card_key(state: PublicReportCard) -> str:
    """The key a report card's PDF is stored under: the card's state (its `fingerprint`) and the
    layout that prints it."""
    return hashlib.blake2b(state.fingerprint.encode() + _layout(), digest_size=16).hexdigest()


def report_card_filename(initiative: Initiative, language: str) -> str:
    return f"report-card-{initiative.slug}-{language}.pdf"


def report_card_pdf(state: PublicReportCard, language: str) -> ContentFile:
    """The public report card as its page shows it (`readers.public_report_card`, read in `language`)."""
    from ci_platform.i18n_format import period_label

    with translation.override(language):
        measures = [
            {
                "card": c,
                "points": [
                    {"period": code, "label": period_label(code), "value": value, "target": target}
                    for code, (value, target) in c.rows
                ],
            }
            for c in state.cards
        ]
        html = render_to_string(
            "communication/pdf/report_card.html",
            {
                "initiative": state.initiative,
                "card": state.card,
                "measures": measures,
                "breakdowns": state.breakdowns,
                "worksheets": state.worksheets,
                "run": state.run,
                **_document_context(language),
            },
        )
    return ContentFile(html_to_pdf(html))
