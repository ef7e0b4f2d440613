"""Learning in headless Chromium: backbone staff open the next period's turn-the-curve worksheet
(started from the last version), change it and save it; a partner tells a story in Hebrew, right
to left; the pages pass axe-core's WCAG 2.1 AA audit in both languages, without console errors.

Same browser set-up as tests/test_browser.py (Debian's Chromium, no `playwright install`).
"""

import os
import re

import pytest
from playwright.sync_api import expect

from learning.models import CurveStory, CurveWorksheet

from ..conftest import IN_CI, sign_in
from ..test_accessibility import AXE, BLOCKING, describe, run_axe, with_axe

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_TIMEOUT_MS = 15_000
BROWSER_VIEWPORT = (1400, 950)

pytestmark = pytest.mark.browser

BASE = "/initiatives/c2c/learning/"


def test_backbone_staff_write_the_next_periods_worksheet(new_page, lw):
    page = new_page()
    sign_in(page, "backbone")
    page.get_by_role("link", name="Cradle to Career").click()
    page.locator("aside").get_by_role("link", name="What the field knows").click()
    expect(page).to_have_url(re.compile(rf"{BASE}$"))
    expect(page.locator('#coverage [data-level="interaction"]')).to_have_attribute("data-covered", "no")

    page.get_by_role("link", name="Turn the curve").first.click()
    page.locator("#curve-table").get_by_role("link", name=re.compile("read")).click()
    page.select_option("#id_period", str(lw.mine.next_period.pk))
    page.locator("#period-picker").get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"{BASE}curve/read/{lw.mine.next_period.pk}/$"))
    expect(page.locator("main")).to_contain_text("No worksheet for this period yet.")
    page.get_by_role("link", name="Start this period's worksheet").click()

    # Started from the last version; nothing is saved until the form is.
    expect(page.locator("#id_story")).to_have_value("The curve is flat.")
    assert not CurveWorksheet.objects.filter(period=lw.mine.next_period).exists()
    page.fill("#id_story", "The curve bends upward in 2026.")
    page.fill("#id_actions-1-description", "Open a second camp")
    page.locator("#learning-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"{BASE}curve/read/{lw.mine.next_period.pk}/$"))
    expect(page.locator(".alert-success")).to_contain_text("The worksheet was saved.")
    expect(page.locator("#ws-story")).to_contain_text("The curve bends upward in 2026.")
    expect(page.locator("#ws-partners")).to_contain_text("Runs the camps.")
    expect(page.locator("#ws-actions li")).to_have_count(2)
    saved = CurveWorksheet.objects.get(period=lw.mine.next_period)
    assert saved.carried_from == lw.mine.worksheet and saved.updated_by == lw.people["backbone"]
    assert page.console_errors == []


def switch_language(page, language: str) -> None:
    page.locator(f'button[name="language"][value="{language}"]').click()
    page.wait_for_load_state()


def test_a_partner_tells_a_story_in_hebrew(new_page, lw):
    page = new_page()
    sign_in(page, "partner")
    page.goto(f"{BASE}curve/read/{lw.mine.period.pk}/")
    page.get_by_role("link", name="Tell a story").click()
    page.fill("#id_title", "הקיץ של נועה")
    page.fill("#id_text", "נועה קראה עשרה ספרים במחנה הקיץ.")
    page.locator("#learning-form button[type=submit]").click()
    expect(page.locator("#stories")).to_contain_text("הקיץ של נועה")
    story = CurveStory.objects.get(title="הקיץ של נועה")
    assert story.organization == lw.orgs["partner"]

    # The same page in Hebrew: right to left, the story isolated in its own direction.
    switch_language(page, "he")
    page.goto(f"{BASE}curve/read/{lw.mine.period.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main")).to_contain_text("סיפורי התקופה")
    expect(page.locator(f'[data-story="{story.pk}"] [dir="auto"]')).to_contain_text("נועה קראה")
    assert page.console_errors == []


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_pages_pass_the_accessibility_audit(browser, live_server, lw, language):
    if not AXE.exists():
        message = f"needs axe-core at {AXE}: run `npm ci`"
        pytest.fail(message, pytrace=False) if IN_CI else pytest.skip(message)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    with_axe(context)
    try:
        page = context.new_page()
        sign_in(page, "backbone")
        switch_language(page, language)
        m = lw.mine
        failures = []
        for path in (
            "",
            "risks/",
            f"risks/{m.risk.pk}/",
            "risks/starting-list/",
            "assumptions/",
            f"assumptions/{m.assumption.pk}/",
            f"assumptions/{m.assumption.pk}/learned/",
            "curve/",
            "curve/read/",
            f"curve/read/{m.period.pk}/",
            f"curve/read/{m.period.pk}/edit/",
        ):
            page.goto(BASE + path)
            assert page.locator("html").get_attribute("lang") == language
            blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
            if blocking:
                failures.append(f"{path} ({language}):\n{describe(blocking)}")
        assert not failures, "\n".join(failures)
    finally:
        context.close()
