"""The browser tests' pages are kept between tests (tests/conftest.py, `new_page`): a page comes back
as a new context's would be, so that nothing a test did reaches the next one."""

import os
from urllib.parse import urlsplit

import pytest

from .conftest import _empty, sign_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's event loop; see tests/test_browser.py

pytestmark = pytest.mark.browser

STORED = """async () => {
  localStorage.setItem("k", "v");
  sessionStorage.setItem("k", "v");
  await new Promise((done) => {
    const open = indexedDB.open("kept", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("s");
    open.onsuccess = () => { open.result.close(); done(); };
  });
  await (await caches.open("kept")).put("/x", new Response("x"));
}"""
WHAT_IS_STORED = """async () => ({
  local: localStorage.length,
  session: sessionStorage.length,
  databases: (await indexedDB.databases()).map((d) => d.name),
  caches: await caches.keys(),
  online: navigator.onLine,
})"""


def test_an_emptied_page_is_signed_out_online_and_stores_nothing(new_page, live_server, world):
    page = new_page()
    sign_in(page, world.people["backbone"].username)
    page.evaluate(STORED)
    page.context.new_page()  # a second tab
    page.route("**/static/**", lambda route: route.abort())
    page.context.set_offline(True)

    assert _empty(page, live_server.url)

    assert len(page.context.pages) == 1
    assert page.context.cookies() == []
    page.goto("/accounts/login/")
    assert page.evaluate(WHAT_IS_STORED) == {
        "local": 0,
        "session": 0,
        "databases": [],
        "caches": [],
        "online": True,
    }
    page.goto("/")  # signed out: the home page sends to the sign-in form
    assert "/accounts/login/" in page.url
    assert page.evaluate("() => document.styleSheets.length") > 0  # the route is gone


def test_a_page_a_test_listened_to_resized_or_took_elsewhere_is_not_kept(new_page, live_server):
    listened, resized, travelled = new_page(), new_page(), new_page()
    assert all(_empty(page, live_server.url) for page in (listened, resized, travelled))
    listened.on("dialog", lambda dialog: dialog.dismiss())
    resized.set_viewport_size({"width": 400, "height": 800})
    host = urlsplit(live_server.url).hostname
    elsewhere = live_server.url.replace(host, "localhost" if host != "localhost" else "127.0.0.1")
    travelled.goto(elsewhere + "/accounts/login/")  # the same server under another name: another site
    assert not _empty(listened, live_server.url)
    assert not _empty(resized, live_server.url)
    assert not _empty(travelled, live_server.url)
