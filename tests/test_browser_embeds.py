"""Embeddable charts in Chromium (#21): a host page on another origin (a second little HTTP server
on another port) frames a report card measure. Chromium enforces CSP frame-ancestors: the chart
renders when the host's origin is listed by the initiative, and is refused when it is not; any other
page of the platform is refused everywhere."""

from __future__ import annotations

import functools
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from initiatives import services as initiative_services

from .measurement.worlds import published_card_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser
BROWSER_TIMEOUT_MS = 30_000  # two frames of a live server on a shared machine


@pytest.fixture
def dash_world(world):
    return published_card_world(world)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no access log in the test output
        pass


@pytest.fixture
def host_site(tmp_path, live_server):
    """A site of its own (127.0.0.1 on another port) whose page frames the embed and, beside it,
    the public report card."""
    (tmp_path / "host.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>A funder's site</title></head><body>"
        "<h1>Our grantees' results</h1>"
        f"<iframe id='embed' title='chart' width='800' height='600' src='{live_server.url}/public/c2c/embed/children/?lang=he'></iframe>"
        f"<iframe id='card' title='card' width='800' height='300' src='{live_server.url}/public/c2c/'></iframe>"
        "</body></html>",
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_host(new_page, host_site):
    page = new_page()
    refused = []
    page.on("console", lambda m: "frame-ancestors" in m.text and refused.append(m.text))
    page.goto(f"{host_site}/host.html", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="Our grantees' results")).to_be_visible()
    return page, refused


def test_a_listed_origin_frames_the_chart(new_page, dash_world, host_site, live_server):  # noqa: F811
    initiative_services.initiative_embed_origins_set(
        initiative=dash_world.initiative, by=dash_world.people["backbone"], origins=[host_site]
    )
    page, refused = open_host(new_page, host_site)
    frame = page.frame_locator("#embed")
    expect(frame.locator("main[data-embed='children']")).to_be_visible()
    expect(frame.locator(".chart[data-rendered='true']")).to_be_visible()
    # Hebrew, right to left; the table of the numbers is there, 2025's total among them.
    expect(frame.locator("html")).to_have_attribute("dir", "rtl")
    expect(frame.locator("table caption")).to_contain_text("המספרים שמאחורי התרשים")
    expect(frame.locator("tbody tr").last).to_contain_text("70")
    # Time runs left to right on the chart in Hebrew too: the years' ticks (history, then the
    # forecast's) stand in ascending order from left to right.
    ticks = frame.locator(".xtick text")
    expect(ticks.first).to_be_visible()
    placed = sorted(
        (ticks.nth(i).bounding_box()["x"], ticks.nth(i).text_content()) for i in range(ticks.count())
    )
    years = [int(re.search(r"\d{4}", text).group()) for _x, text in placed]
    assert years[:2] == [2024, 2025] and years == sorted(years) and len(years) >= 2, placed
    # The report card itself may not be framed, by this site or any.
    card = page.locator("#card").element_handle().content_frame()
    assert card is None or "/public/c2c/" not in card.url or not card.locator("h1").count()
    # Chromium names the refused frame's origin and the policy that refused it: here the card's.
    assert any("frame-ancestors 'none'" in message for message in refused), refused
    assert not any(f"frame-ancestors {host_site}" in message for message in refused), refused


def test_an_unlisted_origin_is_refused(new_page, dash_world, host_site):  # noqa: F811
    initiative_services.initiative_embed_origins_set(
        initiative=dash_world.initiative,
        by=dash_world.people["backbone"],
        origins=["https://funder.example.org"],
    )
    page, refused = open_host(new_page, host_site)
    page.wait_for_timeout(1500)  # let both frames load (or be refused)
    embed = page.locator("#embed").element_handle().content_frame()
    assert embed is None or not embed.locator("main[data-embed]").count()
    assert any('"frame-ancestors https://funder.example.org"' in message for message in refused), refused


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_chart_page_passes_axe(browser, live_server, dash_world, language):  # noqa: F811
    """WCAG 2.1 AA as the other pages are audited (tests/test_accessibility.py), the chart drawn;
    the chart has a name and its table."""
    from .test_accessibility import AXE, BLOCKING, charts_without_name_or_table, describe, run_axe, with_axe

    assert AXE.exists(), f"needs axe-core at {AXE}: run `npm ci`"
    context = browser.new_context(base_url=live_server.url)
    with_axe(context)
    try:
        page = context.new_page()
        assert page.goto(f"/public/c2c/embed/children/?lang={language}").status == 200
        expect(page.locator(".chart[data-rendered='true']")).to_be_visible(timeout=30_000)
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "he" else "ltr")
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
        assert not blocking, describe(blocking)
        assert not charts_without_name_or_table(page)
    finally:
        context.close()
