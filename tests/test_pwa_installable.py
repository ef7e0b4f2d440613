"""The platform is an installable web app (docs/measurement.md, "Offline data entry"), as Debian's
full Chromium (CHROMIUM), headless, judges it: on the data-entry grid (the page that links the
manifest), the DevTools protocol's `Page.getInstallabilityErrors` is empty, in English and Hebrew.

Chromium never offers to install from an incognito profile (its error `in-incognito`), and every
context of the shared `browser` fixture is one; so each test here opens a persistent profile in a
temporary directory, with the flags and Playwright of tests/conftest.py but the full browser: the
headless shell the other browser tests run on (HEADLESS_SHELL) judges nothing (it reports no error
for a manifest without icons). A control with no icons in the manifest shows that the check does
report what is missing here.
"""

import json
import os

import pytest
from playwright.sync_api import expect

from ci_platform import pwa

from .conftest import CHROMIUM, CHROMIUM_FLAGS, sign_in
from .measurement.conftest import build_measurement_world

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-US", "he": "he-IL"}


@pytest.fixture
def mworld(world, make_user):
    return build_measurement_world(world, make_user)


@pytest.fixture
def installable_page(browser, live_server, tmp_path):
    """A page in a fresh persistent (not incognito) profile: (page, its DevTools session)."""
    contexts = []

    def make(language: str):
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / f"profile-{len(contexts)}"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            base_url=live_server.url,
            locale=LOCALES[language],
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.pages[0] if context.pages else context.new_page()
        return page, context.new_cdp_session(page)

    yield make
    for context in contexts:
        context.close()


def open_grid(page, mworld) -> None:
    sign_in(page, "partner")
    year = mworld.periods["year"]
    page.goto(f"/initiatives/c2c/measurement/entry/{mworld.org.pk}/yearly/{year.code}/")
    # The service worker is active (offline.js marks the grid once it is).
    expect(page.locator("#entry-grid")).to_have_attribute("data-offline-ready", "true")


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_grid_is_installable_in_headless_chromium(installable_page, mworld, language):
    page, cdp = installable_page(language)
    open_grid(page, mworld)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    data = json.loads(manifest["data"])
    assert data["lang"] == language
    assert {(icon["sizes"], icon["type"]) for icon in data["icons"]} >= {
        ("192x192", "image/png"),
        ("512x512", "image/png"),
    }
    assert any(icon["purpose"] == "maskable" for icon in data["icons"])
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []


def test_the_check_reports_a_manifest_without_icons(installable_page, mworld, monkeypatch):
    monkeypatch.setattr(pwa, "ICONS", [])  # the live server runs in this process
    page, cdp = installable_page("en")
    open_grid(page, mworld)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert "manifest-missing-suitable-icon" in {error["errorId"] for error in errors}
