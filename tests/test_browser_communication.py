"""Continuous communication in headless Chromium: backbone staff schedule a meeting, record who
came, write the minutes (script typed into them is neutralised) and record a decision linked to a
shared measure; in English and in Hebrew (right to left).

Elements are found by id, name and address, not by their English labels, so that the same steps run
in both languages. Same browser set-up as tests/test_browser.py (Debian's Chromium).
"""

import os
import re

import pytest
from playwright.sync_api import expect

from communication.choices import AttendanceStatus
from communication.models import Decision, Meeting

from .communication.helpers import measure
from .conftest import sign_in

# See tests/test_browser.py: Playwright's event loop trips Django's async-safety check on the
# test's own (synchronous) ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

COMM = "/initiatives/c2c/communication/"


@pytest.fixture
def page(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()


def to_hebrew(page) -> None:
    page.locator('nav button[name="language"][value="he"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


@pytest.mark.parametrize("language", ["en", "he"])
def test_backbone_records_a_meeting_with_a_decision_linked_to_a_measure(page, world, language):
    people = world.people
    readiness = measure(world.initiative)
    sign_in(page, "backbone")
    if language == "he":
        to_hebrew(page)
    page.locator(f'a[href="/initiatives/{world.initiative.slug}/"]').first.click()
    page.locator(f'aside a[href="{COMM}"]').click()
    expect(page).to_have_url(re.compile(rf"{COMM}$"))
    page.locator(f'.comm-tabs a[href="{COMM}meetings/"]').click()
    page.locator(f'main a[href="{COMM}meetings/new/"]').first.click()

    # Schedule the meeting and invite two members.
    page.fill("#id_title", "Steering committee, March")
    page.select_option("#id_body", "steering")
    page.fill("#id_starts_at", "2026-03-02T10:00")
    page.fill("#id_location", "City hall")
    page.fill("#id_agenda_text", "Welcome\nData review\nDecisions")
    page.check(f'input[name="invitees"][value="{people["steering"].pk}"]')
    page.check(f'input[name="invitees"][value="{people["partner"].pk}"]')
    page.locator("#main-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{COMM}meetings/\d+/$"))
    meeting = Meeting.objects.get()
    expect(page.locator("#attendance li[data-attendee]")).to_have_count(2)
    expect(page.locator("#agenda ol li")).to_have_count(3)

    # Who came.
    page.locator(f'a[href="{COMM}meetings/{meeting.pk}/attendance/"]').click()
    page.select_option(f"#id_status_{people['steering'].pk}", AttendanceStatus.ATTENDED.value)
    page.select_option(f"#id_status_{people['partner'].pk}", AttendanceStatus.EXCUSED.value)
    page.locator("#attendance-form button[type=submit]").click()
    expect(page.locator('#attendance [data-attendee="steering"]')).to_have_attribute(
        "data-status", "attended"
    )
    expect(page.locator('#attendance [data-attendee="partner"]')).to_have_attribute("data-status", "excused")

    # The minutes, with a script typed into them: rendered as text formatting, never run.
    page.locator(f'a[href="{COMM}meetings/{meeting.pk}/minutes/"]').click()
    page.fill(
        "#id_minutes",
        "## Notes\n\n**Baseline agreed.**\n\n<script>alert('x')</script><img src=x onerror=alert(1)>",
    )
    page.check("#id_publish")
    page.locator("#minutes-form button[type=submit]").click()
    expect(page.locator("#minutes .rendered-markdown h2")).to_have_text("Notes")
    expect(page.locator("#minutes .rendered-markdown strong")).to_have_text("Baseline agreed.")
    expect(page.locator("#minutes script")).to_have_count(0)
    expect(page.locator("#minutes img")).to_have_count(0)

    # The decision, resting on the shared measure.
    page.locator(f'a[href="{COMM}decisions/new/?meeting={meeting.pk}"]').click()
    expect(page.locator("#id_meeting")).to_have_value(str(meeting.pk))
    page.fill("#id_title", "Adopt the municipal readiness assessment as the baseline")
    page.check(f'input[name="measures"][value="{readiness.pk}"]')
    page.fill("#id_links_text", "https://example.org/dashboards/readiness")
    page.locator("#decision-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"{COMM}meetings/{meeting.pk}/$"))
    decision_card = page.locator("#decisions article.decision")
    expect(decision_card).to_have_count(1)
    expect(decision_card).to_contain_text("Adopt the municipal readiness assessment as the baseline")
    expect(decision_card.locator('[data-measure="readiness"]')).to_contain_text("readiness")

    # The decisions list counts it as resting on a shared measure.
    page.locator(f'.comm-tabs a[href="{COMM}decisions/"]').click()
    expect(page.locator('article.decision [data-measure="readiness"]')).to_have_count(1)

    assert page.dialogs == [], "a script in the minutes ran"
    decision = Decision.objects.get()
    assert decision.meeting == meeting
    assert list(decision.measures.all()) == [readiness]
    assert decision.links == ["https://example.org/dashboards/readiness"]
    assert dict(meeting.attendances.values_list("user__username", "status")) == {
        "steering": "attended",
        "partner": "excused",
    }
    meeting.refresh_from_db()
    assert meeting.minutes_published_at is not None

    html = page.locator("html")
    if language == "he":
        expect(html).to_have_attribute("dir", "rtl")
        expect(html).to_have_attribute("lang", "he")
        aside = page.locator("aside").bounding_box()
        content = page.locator("main .row > div.col-lg-10").bounding_box()
        assert aside["x"] > content["x"], "the sidebar should be on the right in Hebrew"
        # The tabs read right to left too: the first tab is the rightmost.
        tabs = page.locator(".comm-tabs .nav-item")
        assert tabs.first.bounding_box()["x"] > tabs.nth(1).bounding_box()["x"]
    else:
        expect(html).to_have_attribute("dir", "ltr")
        expect(page.locator(".comm-tabs")).to_contain_text("Decisions")
