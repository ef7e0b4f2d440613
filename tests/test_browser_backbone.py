"""The backbone in headless Chromium: respondents fill the survey by their personal links, in
English and in Hebrew (right to left), without an account; backbone staff close the wave; the
steering committee's scorecard moves from "insufficient evidence" to a score, in both languages.

Same browser set-up as tests/test_browser.py (Debian's Chromium, no `playwright install`).
"""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backbone.choices import RespondentGroup
from backbone.models import Response
from backbone.periods import half_year_of

from .backbone.conftest import load_catalogue
from .backbone.helpers import answer, invite, link_path, make_wave, open_wave, recompute
from .conftest import sign_in

# See tests/test_browser.py: Playwright's event loop trips Django's async-safety check on the
# test's own (synchronous) ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_TIMEOUT_MS = 15_000

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(transactional_db, world, eager_tasks):
    """A wave of the current half-year on indicator 10 for six partners; four have answered, so
    the indicator has too little evidence to be scored (five are needed)."""
    load_catalogue()  # a live server's tests flush the database, catalogue included
    period = half_year_of(timezone.localdate()).code
    wave = make_wave(world, "partner-10", period=period, days=7)
    people = invite(world, wave, RespondentGroup.PARTNER, 6, prefix="staff")
    open_wave(world, wave)
    for person in people[:4]:
        answer(person, 4)  # 4 × 75
    recompute(world)
    world.wave, world.people_asked, world.period = wave, people, period
    return world


def fill_survey(page, path: str, rating: str) -> None:
    page.goto(path)
    for group in page.locator("fieldset[data-item]").all():
        group.locator(f'input[value="{rating}"]').check()
    page.locator("#survey-form button[type=submit]").click()
    expect(page.locator("#survey-done")).to_be_visible()


def indicator_cell(page, number: int):
    return page.locator(f'tr[data-indicator="{number}"] [data-score]')


def test_fill_the_survey_by_link_in_english_and_hebrew_then_see_the_scorecard_move(new_page, survey):
    w = survey
    scorecard = f"/initiatives/{w.initiative.slug}/backbone/"

    # The steering committee sees indicator 10 without a number.
    steering = new_page()
    sign_in(steering, "steering")
    steering.goto(scorecard)
    expect(indicator_cell(steering, 10)).to_have_attribute("data-score", "insufficient")

    # A partner answers through the personal link, in English, with no account.
    fifth, sixth = w.people_asked[4], w.people_asked[5]
    respondent = new_page()
    respondent.goto(link_path(fifth))
    expect(respondent.locator("html")).to_have_attribute("dir", "ltr")
    expect(respondent.locator("main")).to_contain_text(
        "Taking part in the initiative has improved the quality"
    )
    # Sending without an answer is refused, and nothing is stored.
    respondent.locator("#survey-form button[type=submit]").click()
    expect(respondent.locator(".alert-danger")).to_be_visible()
    assert Response.objects.count() == 4
    fill_survey(respondent, link_path(fifth), "2")  # 25
    # The link is used up.
    respondent.goto(link_path(fifth))
    expect(respondent.locator("#survey-problem")).to_have_attribute("data-problem", "used")

    # Another answers in Hebrew: the link from a Hebrew invitation carries the language.
    hebrew = new_page()
    hebrew.goto(link_path(sixth) + "?lang=he")
    expect(hebrew.locator("html")).to_have_attribute("dir", "rtl")
    expect(hebrew.locator("main")).to_contain_text("ההשתתפות ביוזמה שיפרה את איכות העבודה של הארגון שלי.")
    fill_survey(hebrew, link_path(sixth), "5")  # 100
    assert Response.objects.get(language="he")

    # Backbone staff close the wave; the scores are recomputed.
    staff = new_page()
    sign_in(staff, "backbone")
    staff.goto(scorecard)
    staff.get_by_role("link", name="Surveys", exact=True).click()
    staff.get_by_role("link", name="Wave", exact=True).click()
    expect(staff.locator("#wave-rate")).to_have_text("100%")
    staff.get_by_role("button", name="Close the wave").click()
    expect(staff.locator(".alert-success")).to_contain_text("The wave is closed")

    # The scorecard moved: (4 × 75 + 25 + 100) / 6 = 70.8.
    steering.goto(scorecard)
    expect(indicator_cell(steering, 10)).to_have_attribute("data-score", "70.8")
    steering.get_by_role("link", name="Partners improve the quality of their work").click()
    expect(steering.locator("[data-responses]")).to_have_text("6")
    expect(steering.locator("#distribution")).to_be_visible()
    expect(steering.locator('[data-figure="fig-distribution"]')).to_have_attribute("data-rendered", "true")

    # And in Hebrew, right to left, with the indicators' Hebrew wording.
    steering.goto(scorecard)
    steering.get_by_role("button", name="עברית").click()
    expect(steering.locator("html")).to_have_attribute("dir", "rtl")
    expect(indicator_cell(steering, 10)).to_have_attribute("data-score", "70.8")
    expect(steering.locator('tr[data-indicator="10"]')).to_contain_text("השותפים משפרים את איכות עבודתם")
    expect(steering.locator('[data-function="B"]')).to_contain_text("קידום פעילויות התואמות את המצע המשותף")
