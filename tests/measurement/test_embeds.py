"""Embeddable charts (#21): a measure of the published report card, framed only by the origins the
initiative lists, with its numbers as CSV and JSON; the snippets page for backbone staff."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives import services as initiative_services
from initiatives.origins import parse_origin, parse_origins
from measurement.models import ReportCard
from tests.queries import assert_queries_constant

from ..permission_matrix import (
    BACKBONE_ONLY,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)
from .worlds import measure, published_card_world

pytestmark = pytest.mark.django_db

CHART = "/public/c2c/embed/children/"


# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
dash_world_once, dash_world = module_world("dash_world", lambda: published_card_world(build_world()))


def page(name):
    return lambda w: reverse(name, kwargs={"slug": w.initiative.slug})


PAGES = [
    Endpoint("embed-settings", page("measurement:embed_settings"), BACKBONE_ONLY),
    Endpoint(
        "embed-settings",
        page("measurement:embed_settings"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"origins": "https://funder.example.org"},
        ok=(302,),
    ),
]


@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_embed_settings_permissions(client, dash_world, endpoint, persona):
    check_permission(client, dash_world, endpoint, persona)


# --- Origins -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://www.Example.org", "https://www.example.org"),
        ("https://example.org/", "https://example.org"),
        ("https://example.org:443", "https://example.org"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        ("  https://funder.example.org.il  ", "https://funder.example.org.il"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_an_origin_is_normalised(text, origin):
    assert parse_origin(text) == origin


@pytest.mark.parametrize(
    "text",
    [
        "example.org",
        "ftp://example.org",
        "https://example.org/page",
        "https://example.org?x=1",
        "https://user:pw@example.org",
        "https://*.example.org",
        "*",
        "'self'",
        "https://example.org; script-src *",
        "https://example.org:99999",
        "https://exa mple.org",
        "javascript:alert(1)",
        "https://",
    ],
)
def test_what_is_not_an_origin_is_refused_with_a_message(text):
    with pytest.raises(ValidationError) as refused:
        parse_origin(text)
    assert refused.value.messages[0]


def test_origins_one_per_line_every_bad_line_reported():
    assert parse_origins("https://a.example\n\nhttps://a.example/\nhttp://b.example:8080\n") == [
        "https://a.example",
        "http://b.example:8080",
    ]
    with pytest.raises(ValidationError) as refused:
        parse_origins("https://a.example\nnope\nhttps://b.example/x")
    assert len(refused.value.messages) == 2


def test_backbone_staff_list_the_origins(client, dash_world):
    w = dash_world
    client.force_login(w.people["backbone"])
    url = reverse("measurement:embed_settings", kwargs={"slug": "c2c"})
    refused = client.post(url, {"origins": "https://ok.example\nhttps://bad.example/path"})
    assert refused.status_code == 200 and "only the scheme, host and port" in refused.content.decode()
    w.initiative.refresh_from_db()
    assert w.initiative.embed_origins == []
    assert client.post(url, {"origins": "https://OK.example/\nhttp://127.0.0.1:9000"}).status_code == 302
    w.initiative.refresh_from_db()
    assert w.initiative.embed_origins == ["https://ok.example", "http://127.0.0.1:9000"]
    with pytest.raises(ValidationError):
        initiative_services.initiative_embed_origins_set(
            initiative=w.initiative, by=w.people["backbone"], origins=["https://x.example/path"]
        )


def test_the_snippets_in_the_chosen_language(client, dash_world):
    client.force_login(dash_world.people["backbone"])
    url = reverse("measurement:embed_settings", kwargs={"slug": "c2c"})
    body = client.get(url + "?lang=he").content.decode()
    snippet = re.search(r'id="snippet-children"[^>]*>([^<]*)</textarea>', body).group(1)
    assert snippet.startswith('&lt;iframe src="http://testserver/public/c2c/embed/children/?lang=he"')
    assert 'title="children"' in snippet and snippet.endswith("&gt;&lt;/iframe&gt;")
    assert "?lang=en" in client.get(url + "?lang=en").content.decode()
    assert 'href="/public/c2c/embed/children/?lang=he"' in body  # the preview
    # Unpublished: said so (the snippets would show nothing).
    ReportCard.objects.update(published=False)
    assert 'data-unpublished="true"' in client.get(url).content.decode()
    # The report card settings page links to it.
    settings_page = client.get(reverse("measurement:report_card_settings", kwargs={"slug": "c2c"}))
    assert url in settings_page.content.decode()


# --- The chart page ---------------------------------------------------------------------------------


def test_the_chart_page_chart_and_table(client, dash_world):
    response = client.get(CHART)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert 'data-figure="fig-embed"' in body and 'id="fig-embed"' in body
    assert 'role="figure"' in body and 'aria-describedby="embed-summary"' in body
    assert "<caption" in body and '<th scope="col">Period</th>' in body
    assert re.search(r'<th scope="row"[^>]*><bdi>2025</bdi></th><td class="number">70</td>', body)
    # Nothing of the platform around it: no navigation, no form, no inline script.
    assert "<nav" not in body and "<form" not in body
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag
    assert not response.cookies


def test_the_summary_is_a_sentence_in_both_languages(client, dash_world):
    from measurement.models import Target

    Target.objects.create(measure=dash_world.children, period_code="2026", value=90)  # 70 flat: off track
    summary = re.search(
        r'<figcaption id="embed-summary"[^>]*>(.*?)</figcaption>', client.get(CHART).content.decode()
    )
    text = re.sub(r"<[^>]+>|[\u2066-\u2069]", "", summary.group(1))
    assert "in 2025. Off track. Every figure" in text, text  # a sentence starts with a capital
    hebrew = client.get(CHART + "?lang=he").content.decode()
    assert "מחוץ למסלול." in hebrew


def test_in_hebrew_right_to_left_time_left_to_right(client, dash_world):
    body = client.get(CHART + "?lang=he").content.decode()
    assert '<html lang="he" dir="rtl">' in body and "bootstrap.rtl.min.css" in body
    assert "plotly-locale-he.js" in body
    figure = re.search(r'<script id="fig-embed" type="application/json">(.*?)</script>', body, re.S).group(1)
    assert '"autorange": true' in figure and "reversed" not in figure
    assert "המספרים שמאחורי התרשים" in body and "תקופה" in body


def test_only_the_listed_origins_may_frame_it(client, dash_world):
    w = dash_world
    nobody = client.get(CHART)
    assert "frame-ancestors 'none'" in nobody["Content-Security-Policy"]
    assert nobody["X-Frame-Options"] == "DENY"
    initiative_services.initiative_embed_origins_set(
        initiative=w.initiative,
        by=w.people["backbone"],
        origins=["https://funder.example.org", "http://127.0.0.1:9000"],
    )
    listed = client.get(CHART)
    csp = listed["Content-Security-Policy"]
    assert "frame-ancestors https://funder.example.org http://127.0.0.1:9000" in csp
    assert "script-src 'self'" in csp and "'none'" not in csp.split("frame-ancestors")[1].split(";")[0]
    assert "X-Frame-Options" not in listed
    # Nothing else of the platform may be framed, the public report card included.
    for path in ("/public/c2c/", "/accounts/login/", "/public/c2c/embed/children.json"):
        other = client.get(path)
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"], path
        assert other["X-Frame-Options"] == "DENY", path


def test_cacheable_and_conditional(client, dash_world):
    w = dash_world
    first = client.get(CHART)
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    assert first["Content-Language"] == "en"
    again = client.get(CHART, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    # A 304 carries the same frame-ancestors (a cache refreshes the stored headers from it).
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    initiative_services.initiative_embed_origins_set(
        initiative=w.initiative, by=w.people["backbone"], origins=["https://funder.example.org"]
    )
    changed = client.get(CHART, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and "https://funder.example.org" in changed["Content-Security-Policy"]
    assert client.get(CHART + "?lang=he")["ETag"] != first["ETag"]


@pytest.mark.parametrize("suffix", ["/", ".csv", ".json"])
def test_unpublished_or_unlisted_is_404(client, dash_world, suffix):
    w = dash_world
    assert client.get(f"/public/c2c/embed/children{suffix}").status_code == 200
    other = measure(w, "other")  # a measure the card does not list
    assert client.get(f"/public/c2c/embed/{other.code}{suffix}").status_code == 404
    assert client.get(f"/public/c2c/embed/nope{suffix}").status_code == 404
    assert client.get(f"/public/c2c/embed/%0B{suffix}").status_code == 404  # no code is written so
    # A NUL in any address is refused before the view (ci_platform/nul.py).
    assert client.get(f"/public/c2c/embed/%00%0B{suffix}").status_code == 400
    assert client.get(f"/public/nope/embed/children{suffix}").status_code == 404
    # Another initiative without a report card.
    assert client.get(f"/public/{w.other.slug}/embed/children{suffix}").status_code == 404
    ReportCard.objects.update(published=False)
    response = client.get(f"/public/c2c/embed/children{suffix}")
    assert response.status_code == 404 and b"Our report card" not in response.content
    # Signed in as backbone staff changes nothing: an embed is what the public sees.
    client.force_login(w.people["backbone"])
    assert client.get(f"/public/c2c/embed/children{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["/", ".csv", ".json"])
def test_an_unknown_language_is_400_with_a_message(client, dash_world, suffix):
    response = client.get(f"/public/c2c/embed/children{suffix}?lang=fr")
    assert response.status_code == 400 and "lang=en or lang=he" in response.content.decode()


def test_the_chart_page_at_a_constant_number_of_queries(client, dash_world):
    w = dash_world

    def fetch():
        assert client.get(CHART).status_code == 200

    def grow():  # more rows in the table and the chart: targets of later years
        from measurement.models import Target

        Target.objects.bulk_create(
            Target(measure=w.children, period_code=str(year), value=70 + year - 2026)
            for year in range(2026, 2032)
        )

    assert_queries_constant(fetch, grow)


# --- Its numbers as CSV and JSON ----------------------------------------------------------------------


def test_json_the_same_numbers(client, dash_world):
    response = client.get("/public/c2c/embed/children.json")
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    body = response.json()
    assert (body["initiative"], body["code"], body["latest_period"], body["latest"]) == (
        "c2c",
        "children",
        "2025",
        70.0,
    )
    assert body["rows"] == [
        {"period": "2024", "start": "2024-01-01", "end": "2024-12-31", "value": 70.0, "target": None},
        {"period": "2025", "start": "2025-01-01", "end": "2025-12-31", "value": 70.0, "target": None},
    ]


def test_csv_the_same_numbers(client, dash_world):
    response = client.get("/public/c2c/embed/children.csv?lang=he")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["period"], r["period_start"], r["period_end"], r["value"], r["target"]) for r in rows] == [
        ("2024", "2024-01-01", "2024-12-31", "70", ""),
        ("2025", "2025-01-01", "2025-12-31", "70", ""),
    ]
    assert rows[0]["unit"] == "ספירה" or rows[0]["unit"]
