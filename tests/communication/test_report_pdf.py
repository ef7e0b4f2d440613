"""Progress reports in both languages, and as PDF (with charts, Hebrew right to left); the public
report card as PDF, made on Celery when asked for (a GET never makes one)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from communication import charts, pdf, reports, services
from communication.choices import PeriodKind, ReportStatus
from communication.models import ProgressReport, ReportCardPdf

from .helpers import decision, measured, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def dash_world(world):
    return measured(world)  # a measure with approved figures (2024, 2025: 70) on the published report card


def _request(world, *, year=2025, kind=PeriodKind.YEAR, quarter=0, language="en"):
    with translation.override(language):
        return services.report_request(
            initiative=world.initiative,
            by=world.people["backbone"],
            period_kind=kind,
            year=year,
            quarter=quarter,
        )


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def year_report(dash_world, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = dash_world
    m = meeting(w, days=-(timezone.localdate() - date(2025, 6, 1)).days, title="Steering committee")
    decision(w, meeting_obj=m, title="Adopt the readiness baseline")
    with django_capture_on_commit_callbacks(execute=True):
        report = _request(w, language="he")
    report.refresh_from_db()
    return report


def _sections(report, language) -> dict[str, str]:
    return {s["key"]: s["html"] for s in report.sections_in(language)}


# --- Both languages, one set of figures -----------------------------------------------------------


def test_same_figures_takes_the_words_of_one_pass_and_the_numbers_of_the_other():
    figures = {"n": 1, "rows": [{"t": "Pre-Launch", "v": 2.5, "ok": True}], "extra": [1, 2]}
    words = {"n": 99, "rows": [{"t": "טרום התנעה", "v": 7, "ok": False}], "extra": [1, 2, 3]}
    assert reports.same_figures(figures, words) == {
        "n": 1,
        "rows": [{"t": "טרום התנעה", "v": 2.5, "ok": True}],
        "extra": [1, 2],  # a row added between the passes: the first pass's part as it is
    }


def test_a_report_is_rendered_in_both_languages_from_the_same_figures(world, monkeypatch):
    calls = []
    real = reports.meetings_section

    def counting(initiative, start, end):
        section = real(initiative, start, end)
        calls.append(translation.get_language())
        section.data["count"] = 7 if len(calls) == 1 else 99  # as if a meeting were added meanwhile
        return section

    monkeypatch.setattr(reports, "meetings_section", counting)
    report = _request(world, language="en")
    services.report_generate(report.pk)
    report.refresh_from_db()
    assert calls == ["en", "he"]
    assert report.languages == ["en", "he"]
    assert report.sections == report.sections_in("en")  # the requester's, where it always was
    assert [s["key"] for s in report.sections_in("he")] == [s["key"] for s in report.sections_in("en")]
    english, hebrew = _sections(report, "en"), _sections(report, "he")
    assert "Pre-Launch" in english["lifecycle"] and "טרום התנעה" in hebrew["lifecycle"]
    assert "טרום התנעה" not in english["lifecycle"]
    assert [s["title"] for s in report.sections_in("he")][0] == "שלב במחזור החיים ואבני דרך"
    # The figures of the first pass in both versions: 7 meetings, never the second pass's 99.
    assert re.search(r"\b7\b", english["meetings"]) and re.search(r"\b7\b", hebrew["meetings"])
    assert "99" not in hebrew["meetings"]
    assert report.snapshot["sections"]["meetings"]["count"] == 7


def test_the_reader_gets_the_report_in_their_language_with_a_switch(client, world):
    report = _request(world, language="en")
    services.report_generate(report.pk)
    url = report.get_absolute_url()
    client.force_login(world.people["backbone"])
    client.cookies["django_language"] = "he"
    body = client.get(url).content.decode()
    assert '<article class="progress-report" id="report" lang="he" dir="rtl">' in body
    assert "טרום התנעה" in body and 'href="?lang=en"' in body
    english = client.get(url, {"lang": "en"}).content.decode()
    assert 'lang="en" dir="ltr"' in english and "Pre-Launch" in english and 'href="?lang=he"' in english
    client.cookies["django_language"] = "en"
    assert 'lang="en" dir="ltr"' in client.get(url).content.decode()
    # An unknown version is not an error: the reader's own.
    assert 'lang="en" dir="ltr"' in client.get(url, {"lang": "xx"}).content.decode()


def test_a_report_generated_before_there_were_two_languages_is_read_in_its_own(client, world):
    report = _request(world, language="en")
    services.report_generate(report.pk)
    ProgressReport.objects.filter(pk=report.pk).update(sections_by_language={})
    client.force_login(world.people["backbone"])
    client.cookies["django_language"] = "he"
    body = client.get(report.get_absolute_url()).content.decode()
    assert 'lang="en" dir="ltr"' in body and "Pre-Launch" in body and "?lang=" not in body


# --- Charts ---------------------------------------------------------------------------------------


def test_a_chart_runs_left_to_right_and_rises_upwards():
    points = [
        {"label": str(y), "value": v, "target": None} for y, v in ((2023, 10), (2024, None), (2025, 30))
    ]
    chart = charts.line_chart(points)
    first, last = chart["dots"]
    assert first["x"] < last["x"] and first["y"] > last["y"]  # later is right, more is up
    assert chart["line"].count("M") == 2  # broken where a value is missing
    assert charts.line_chart([]) is None
    assert charts.line_chart([{"label": "2025", "value": None, "target": None}]) is None


def _x(path: str) -> float:
    return float(path.split()[0][1:])  # "M{x} {y} ..." -> x


def test_a_charts_time_is_to_scale_and_a_missing_period_is_a_gap():
    """Figures in 2024 and 2025, targets to 2030: the chart had five equal steps, the three years
    from 2027 to 2030 drawn as one. A quarter without a figure broke nothing."""
    points = [
        {"period": code, "label": code, "value": value, "target": target}
        for code, value, target in (
            ("2024", 45.2, None),
            ("2025", 49.1, 50),
            ("2026", None, 54),
            ("2027", None, 58),
            ("2030", None, 70),
        )
    ]
    chart = charts.line_chart(points)
    x2025, x2026, x2027, x2030 = (_x(d["d"]) for d in chart["diamonds"])
    assert x2030 - x2027 == pytest.approx(3 * (x2027 - x2026)) and x2026 - x2025 == pytest.approx(
        x2027 - x2026
    )
    ticks = chart["x_ticks"]
    assert [t["label"] for t in ticks] == ["2024", "2026", "2028", "2030"]  # 2028: a year without a point
    assert chart["target"].count("M") == 1  # the targets' line runs from one to the next
    quarters = [
        {"period": code, "label": code, "value": value, "target": None}
        for code, value in (("2025-Q1", 1), ("2025-Q3", 3), ("2025-Q4", 4))
    ]
    gap = charts.line_chart(quarters)
    assert gap["line"].count("M") == 2  # not drawn across 2025-Q2, which has no figure
    assert [t["label"] for t in gap["x_ticks"]][1] == "Q2 2025"  # its slot, labelled as the others


@pytest.mark.parametrize(("language", "words"), [("en", ("Actual", "Target")), ("he", ("בפועל", "יעד"))])
def test_a_chart_with_targets_says_which_line_is_which(language, words):
    """The PDF's charts drew the targets as a grey dashed line with no legend: it read as a forecast."""
    from django.template import Context, Template

    points = [
        {"period": "2025", "label": "2025", "value": 49, "target": 50},
        {"period": "2026", "label": "2026", "value": None, "target": 54},
    ]
    direction = "rtl" if language == "he" else "ltr"
    with translation.override(language):
        html = Template(
            '{% load communication_tags %}<html lang="' + language + '" dir="' + direction + '"><body>'
            '<div dir="ltr">{% line_chart points "x" %}</div></body></html>'
        ).render(Context({"points": points}))
    legend = html[html.index('class="report-chart-legend') :]
    assert f'dir="{direction}"' in legend[:80]
    assert all(word in legend for word in words)
    _reader, text = _pdf_text(pdf.html_to_pdf(html))
    assert all(word in text for word in words), text


def test_the_hebrew_report_draws_time_left_to_right(dash_world):
    report = _request(dash_world, language="he")
    services.report_generate(report.pk)
    report.refresh_from_db()
    hebrew = _sections(report, "he")["measures"]
    assert 'direction="ltr"' in hebrew and 'dir="ltr"' in hebrew
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', hebrew)]
    labels = re.findall(r"<title>([^<]+): 70</title>", hebrew)
    assert len(xs) == 2 and xs[0] < xs[1] and labels == ["2024", "2025"]
    assert report.snapshot["sections"]["measures"]["measures"][0]["latest"] == 70


# --- PDFs of progress reports ---------------------------------------------------------------------


def test_the_report_is_printed_in_both_languages_on_celery(year_report):
    assert year_report.status == ReportStatus.READY
    for language, title, fonts in (
        ("he", "דוח התקדמות", "Nachlieli-CLM"),
        ("en", "Progress report", "DejaVu"),
    ):
        stored = year_report.pdf_in(language)
        assert stored, language
        data = stored.read()
        assert data.startswith(b"%PDF-")
        reader, text = _pdf_text(data)
        assert title in text and "2025" in text
        assert "70" in text  # the measure's figure, in its table
        assert "80" in text  # the chart's axis: the curve is drawn, not only tabled
        names = _fonts(reader)
        assert any(fonts in name for name in names), names
        assert 1 <= len(reader.pages) <= 4
    _reader, hebrew = _pdf_text(year_report.pdf_in("he").open("rb").read())
    assert "שלב במחזור החיים ואבני דרך" in hebrew and "מדדים משותפים" in hebrew
    assert "Lifecycle phase" not in hebrew


def test_the_pdf_is_served_to_readers_of_the_report(client, year_report):
    url = reverse("communication:report_pdf", kwargs={"slug": "c2c", "pk": year_report.pk, "language": "he"})
    client.force_login(year_report.requested_by)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    detail = client.get(year_report.get_absolute_url()).content.decode()
    assert 'data-pdf="he"' in detail and 'data-pdf="en"' in detail and "data-pdf-missing" not in detail
    assert client.get(url.replace("/he/", "/xx/")).status_code == 404


def test_generating_again_prints_again_and_a_published_pdf_is_kept(
    year_report, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.files.storage import default_storage

    old = year_report.pdf_he.name
    with django_capture_on_commit_callbacks(execute=True):
        services.report_generate(year_report.pk)
    year_report.refresh_from_db()
    assert year_report.pdf_he and year_report.pdf_he.name != old and not default_storage.exists(old)
    services.report_publish(report=year_report, by=year_report.requested_by)
    kept = year_report.pdf_he.name
    printed = []
    monkeypatch.setattr(pdf, "progress_report_pdf", lambda *args: printed.append(args))
    services.report_pdf_make(year_report.pk, "he")
    year_report.refresh_from_db()
    assert year_report.pdf_he.name == kept
    assert printed == []  # not printed again to be thrown away (the demo's queued prints, say)


def test_a_report_without_pdfs_can_be_printed_by_the_backbone(
    client, world, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = _request(world, language="en")
    services.report_generate(report.pk)  # its print was never queued (as before there were PDFs)
    client.force_login(world.people["backbone"])
    assert "data-pdf-missing" in client.get(report.get_absolute_url()).content.decode()
    url = reverse("communication:report_pdf_request", kwargs={"slug": "c2c", "pk": report.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    report.refresh_from_db()
    assert report.pdf_en and report.pdf_he


# A Hebrew word printed backwards starts with a letter of final form (ך ם ן ף ץ), which ends a word.
REVERSED_HEBREW = re.compile("(?<![\u05d0-\u05ea])[\u05da\u05dd\u05df\u05e3\u05e5][\u05d0-\u05ea]")


def test_a_charts_hebrew_labels_are_printed_as_they_read():
    """WeasyPrint draws an SVG's text without the bidirectional algorithm: the quarters' labels of a
    Hebrew chart came out letter by letter backwards ("ןועבר 1, 2024"). They are given to it in the
    order they are seen, the page's own HTML is left as it was."""
    from django.template import Context, Template

    from ci_platform.i18n_format import period_label

    codes = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    with translation.override("he"):
        points = [
            {"label": period_label(c), "value": v, "target": None}
            for c, v in zip(codes, (3, 4, 5, 6), strict=True)
        ]
        html = Template(
            '{% load communication_tags %}<html lang="he" dir="rtl"><body><p>רבעון 1, 2024</p>'
            '<div dir="ltr">{% line_chart points "ילדים" %}</div></body></html>'
        ).render(Context({"points": points}))
    assert "<text" in html and "רבעון 1, 2024</text>" in html  # the page's HTML: logical order
    _reader, text = _pdf_text(pdf.html_to_pdf(html))
    assert not REVERSED_HEBREW.search(text), text
    assert text.count("רבעון") == 1 + len(codes)  # the paragraph and each label, all legible


def test_svg_text_is_reordered_as_seen_and_nothing_else():
    source = (
        '<p>רבעון 1</p><svg direction="ltr"><text x="1" text-anchor="middle">רבעון 1, 2024</text>'
        '<text x="2">Q1 2024</text><text x="3">א &amp; ב</text></svg>'
    )
    assert pdf.svg_text_as_seen(source) == (
        '<p>רבעון 1</p><svg direction="ltr">'
        '<text x="1" text-anchor="middle" unicode-bidi="bidi-override" direction="ltr">2024 ,1 ןועבר</text>'
        '<text x="2">Q1 2024</text>'
        '<text x="3" unicode-bidi="bidi-override" direction="ltr">ב &amp; א</text></svg>'
    )


@pytest.mark.parametrize(("language", "direction"), [("he", "rtl"), ("en", "ltr")])
def test_a_pdf_tables_figures_stand_under_their_headers(language, direction):
    """In every PDF (one stylesheet: communication/pdf/_style.html) a number's cell lines up with its
    column's header on the side its text starts from: in Hebrew the figures stood at the left of
    cells whose headers stood at the right."""
    from django.template.loader import render_to_string
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    style = render_to_string("communication/pdf/_style.html", pdf._document_context(language))
    html = (
        f'<html lang="{language}" dir="{direction}"><head>{style}</head><body><table><thead><tr>'
        "<th>תקופה</th><th>A long heading of values</th></tr></thead>"
        '<tbody><tr><th>2024</th><td class="number">45.18</td></tr></tbody></table></body></html>'
    )
    edges = {}

    def walk(box):
        if isinstance(box, boxes.TextBox):
            edges[box.text] = (box.position_x, box.position_x + box.width)
        for child in getattr(box, "children", None) or []:
            walk(child)

    walk(HTML(string=html).render().pages[0]._page_box)
    side = 1 if direction == "rtl" else 0  # where a line starts: the right edge, or the left
    assert abs(edges["A long heading of values"][side] - edges["45.18"][side]) < 0.5, edges


# --- The public report card as PDF ----------------------------------------------------------------


def test_the_report_card_pdf_is_made_on_request_and_a_get_never_makes_one(
    client, dash_world, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("report_card_pdf", kwargs={"slug": "c2c"})
    page = client.get(url, {"lang": "he"})
    assert page.status_code == 200 and b"data-pdf-make" in page.content
    assert ReportCardPdf.objects.count() == 0  # a GET never writes
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"lang": "he"})
    assert response.status_code == 303 and response["Location"].endswith("?lang=he")
    row = ReportCardPdf.objects.get()
    assert row.status == ReportStatus.READY and row.language == "he" and row.run is not None
    served = client.get(url, {"lang": "he"})
    assert served["Content-Type"] == "application/pdf"
    reader, text = _pdf_text(b"".join(served.streaming_content))
    assert "Our report card" in text and "70" in text and "2025" in text
    assert "נתונים מאושרים בלבד" in text  # the card's own words, in Hebrew
    assert any("Nachlieli-CLM" in name for name in _fonts(reader))
    # Asking again for the same state changes nothing; English is a PDF of its own.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"lang": "he"})
        client.post(url, {"lang": "en"})
    assert sorted(ReportCardPdf.objects.values_list("language", flat=True)) == ["en", "he"]
    # A change to the card is a new state: its PDF is offered to be made again.
    dash_world.initiative.report_card.title = "Renamed"
    dash_world.initiative.report_card.save()
    assert b"data-pdf-make" in client.get(url, {"lang": "he"}).content


def test_a_new_layout_prints_the_report_card_anew(
    client, dash_world, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path, monkeypatch
):
    """A release that draws the PDF differently (its templates, its charts) must not keep serving
    the PDF drawn the old way until the figures change: the stored PDF is keyed by the layout too."""
    settings.MEDIA_ROOT = tmp_path
    url = reverse("report_card_pdf", kwargs={"slug": "c2c"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"lang": "en"})
    assert client.get(url, {"lang": "en"})["Content-Type"] == "application/pdf"
    monkeypatch.setattr(pdf, "LAYOUT_TEMPLATES", (*pdf.LAYOUT_TEMPLATES, "communication/pdf/_style.html"))
    pdf._layout.cache_clear()
    try:
        assert b"data-pdf-make" in client.get(url, {"lang": "en"}).content  # offered anew, not the old one
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"lang": "en"})
        assert client.get(url, {"lang": "en"})["Content-Type"] == "application/pdf"
        assert ReportCardPdf.objects.filter(language="en").count() == 2
    finally:
        pdf._layout.cache_clear()


def test_the_report_card_pdf_says_what_its_page_says(
    client, dash_world, eager_tasks, django_capture_on_commit_callbacks, settings, tmp_path
):
    """Page, PDF and API read the card once (`readers.public_report_card`): the story published with a
    measure and its verdict are in the PDF as on the page, and a new story is a new state of the
    card, whose PDF is offered to be made again."""
    from learning import services as learning_services
    from measurement.models import Target

    settings.MEDIA_ROOT = tmp_path
    w = dash_world
    Target.objects.create(measure=w.children, period_code="2026", value=90)  # 70 flat: off track
    worksheet = learning_services.worksheet_save(
        initiative=w.initiative,
        by=w.people["backbone"],
        measure=w.children,
        period=w.initiative.periods.get(code="2025"),
        revision=None,
        story="Readiness is flat in the north.",
        what_works="Home visits in the first year.",
        show_on_report_card=True,
    )
    page = client.get(reverse("report_card", kwargs={"slug": "c2c"}), {"lang": "en"}).content.decode()
    api = client.get("/api/v1/public/c2c/report-card/").json()
    assert "Readiness is flat in the north." in page and 'data-worksheet="children"' in page
    assert api["measures"][0]["worksheet"]["story"] == "Readiness is flat in the north."
    assert api["measures"][0]["on_track"] is False and "off track" in page

    url = reverse("report_card_pdf", kwargs={"slug": "c2c"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"lang": "en"})
    _reader, text = _pdf_text(b"".join(client.get(url, {"lang": "en"}).streaming_content))
    flat = " ".join(text.split())
    assert "The story behind the curve" in flat and "Readiness is flat in the north." in flat
    assert "What works" in flat and "Home visits in the first year." in flat
    assert "off track" in flat and "1 of 2 partners approved" not in flat  # both approved
    assert "2 of 2 partners approved" in flat

    learning_services.worksheet_save(
        initiative=w.initiative,
        by=w.people["backbone"],
        measure=w.children,
        period=worksheet.period,
        revision=worksheet.revision,
        story="Readiness rose in the south.",
        show_on_report_card=True,
    )
    assert b"data-pdf-make" in client.get(url, {"lang": "en"}).content  # the stored PDF is of the old story


def test_the_report_card_pdf_is_404_until_published(client, dash_world):
    from measurement.models import ReportCard

    ReportCard.objects.update(published=False)
    url = reverse("report_card_pdf", kwargs={"slug": "c2c"})
    assert client.get(url).status_code == 404
    assert client.post(url, {"lang": "he"}).status_code == 404
    assert client.get(reverse("report_card_pdf", kwargs={"slug": "nope"})).status_code == 404
    assert ReportCardPdf.objects.count() == 0


def test_the_report_card_links_to_its_pdf(client, dash_world):
    body = client.get(reverse("report_card", kwargs={"slug": "c2c"})).content.decode()
    assert reverse("report_card_pdf", kwargs={"slug": "c2c"}) in body


def test_the_api_gives_both_versions_and_the_pdfs(client, year_report):
    client.force_login(year_report.requested_by)
    detail = client.get(f"/api/v1/initiatives/c2c/reports/{year_report.pk}/").json()
    assert detail["languages"] == ["en", "he"] and detail["language"] == "he"
    assert [s["title"] for s in detail["sections_by_language"]["he"]][0] == "שלב במחזור החיים ואבני דרך"
    assert detail["sections"] == detail["sections_by_language"]["he"]
    pdf = client.get(detail["pdf"]["he"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    listed = client.get("/api/v1/initiatives/c2c/reports/").json()["results"]
    assert listed[0]["pdf"]["en"].endswith(f"/reports/{year_report.pk}/pdf/en/")
    assert "sections_by_language" not in listed[0]


def test_printing_fetches_nothing(tmp_path):
    """Whatever the HTML names, the PDF is printed from the HTML alone: no server is called, no file
    of the worker is read or attached (WeasyPrint's own fetcher would do all three)."""
    import http.server
    import threading

    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.txt"
    secret.write_text("WORKER-FILE-SENTINEL")
    here = f"http://127.0.0.1:{server.server_port}"
    html = (
        f'<html><head><link rel="stylesheet" href="{here}/style.css">'
        f'<link rel="attachment" href="{secret.as_uri()}"></head>'
        f'<body><p>Report</p><img src="{here}/chart.png"><img src="{secret.as_uri()}">'
        f'<a rel="attachment" href="{secret.as_uri()}">file</a></body></html>'
    )
    try:
        printed = pdf.html_to_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
    reader = PdfReader(io.BytesIO(printed))
    assert "Report" in reader.pages[0].extract_text()
    assert requests == []
    assert reader.attachments == {}  # WeasyPrint's own fetcher attached secret.txt
