"""The data-entry grid by keyboard alone, in headless Chromium: a partner reaches the grid with Tab,
moves between the cells with the arrow keys (static/measurement/grid.js; right to left in Hebrew),
fills it, saves a draft with Enter, is taken to the first wrong cell after a failed save, fixes it
and submits with the keyboard. The focus is visible all the way, and every field, comments
included, is labelled with its cell.

Same browser set-up as tests/measurement/test_browser.py (Debian's Chromium, no `playwright install`).
"""

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from measurement.choices import SubmissionStatus
from measurement.models import DataValue, Submission

from ..conftest import sign_in
from .conftest import build_measurement_world, field_name

# See tests/test_browser.py: Playwright's event loop trips Django's async-safety check.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

HOME = "/initiatives/c2c/measurement/"


@pytest.fixture
def mworld(world, make_user):
    return build_measurement_world(world, make_user)


def focused(page, attribute: str = "name") -> str | None:
    return page.evaluate(
        f"() => document.activeElement && document.activeElement.getAttribute('{attribute}')"
    )


def tab_to(page, selector: str, *, limit: int = 80) -> int:
    """Press Tab until the element matching `selector` has the focus; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def focus_is_visible(page) -> bool:
    """The focused element shows it: it matches :focus-visible and draws a ring (outline or shadow)."""
    return page.evaluate(
        """() => {
            const e = document.activeElement, s = getComputedStyle(e);
            const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
            return e.matches(':focus-visible') && ring;
        }"""
    )


def test_fill_save_fix_and_submit_the_grid_with_the_keyboard_only(new_page, mworld):
    year = mworld.periods["year"]
    ready = field_name(mworld.cell("ready-pct"))
    typed = {
        field_name(cell): value
        for cell, value in mworld.valid_year({mworld.cell("ready-pct"): "120"}).items()
    }
    page = new_page()
    sign_in(page, "partner")
    page.goto(HOME)

    # From "What is due", the year's "Enter data" link, with Tab and Enter.
    tab_to(page, f'tr[data-period="{year.code}"] a')
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{HOME}entry/{mworld.org.pk}/yearly/{year.code}/$"))

    # Each field says which cell it is, the comments too.
    expect(page.get_by_role("textbox", name="Value — Ready pct", exact=True)).to_have_attribute("name", ready)
    comment = page.get_by_role("textbox", name="Comment: Enrolled, Hey", exact=True)
    expect(comment).to_have_attribute("name", "c" + field_name(mworld.cell("enrolled", "area:hey")))

    # Tab reaches the first cell; then the arrow keys go down the column, typing replaces.
    cells = page.locator("#entry-grid input[inputmode=decimal]").evaluate_all("es => es.map(e => e.name)")
    assert sorted(cells) == sorted(typed)
    tab_to(page, "#entry-grid input[inputmode=decimal]")
    assert focused(page) == cells[0]
    assert focus_is_visible(page)
    for cell in cells:
        assert focused(page) == cell
        page.keyboard.type(typed[cell])
        page.keyboard.press("ArrowDown")
    assert focused(page) == cells[-1]  # the last row: ArrowDown stays
    assert focus_is_visible(page)
    # Left and Right edit the text until the caret reaches its edge, then move to the next field.
    page.keyboard.press("ArrowLeft")
    assert focused(page) == cells[-1]
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")
    assert focused(page) == cells[-2]
    page.keyboard.press("ArrowUp")
    assert focused(page) == cells[-3]
    page.keyboard.press("ArrowRight")  # the whole value is selected on arrival: Right moves on
    assert focused(page) == cells[-2]

    # Enter saves the draft; 120 % is refused and the focus lands on that cell, with its error.
    page.keyboard.press("Enter")
    expect(page.locator(".alert-danger")).to_contain_text("Nothing was saved: correct the marked cells.")
    wrong = page.locator(f'#entry-grid input[name="{ready}"]')
    expect(wrong).to_be_focused()
    expect(wrong).to_have_attribute("aria-invalid", "true")
    expect(wrong).to_have_attribute("aria-describedby", f"{ready}-err")
    expect(page.locator(f"#{ready}-err")).to_have_text("Enter a percentage between 0 and 100.")
    assert not DataValue.objects.filter(organization=mworld.org, period=year).exists()

    page.keyboard.press("Control+a")
    page.keyboard.type("55.5")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-danger")).to_have_count(0)
    expect(page.locator("#submission-status")).to_have_text("Draft")
    assert DataValue.objects.filter(organization=mworld.org, period=year).count() == 6

    # Submit: Tab to the button, Enter.
    tab_to(page, 'button[name="submit"]', limit=120)
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator("#submission-status")).to_have_text("Submitted")
    submission = Submission.objects.get(organization=mworld.org, period=year)
    assert submission.status == SubmissionStatus.SUBMITTED
    stored = {
        field_name((v.measure_id, v.member1_id, v.member2_id)): v.value
        for v in DataValue.objects.filter(submission=submission)
    }
    assert stored == {cell: Decimal(value) for cell, value in {**typed, ready: "55.5"}.items()}


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_arrow_keys_follow_the_direction_of_the_page(new_page, mworld, language):
    """In the quarter's area × gender grid: Right goes to the next column in English, Left in Hebrew."""
    quarter = mworld.periods["quarter"]
    page = new_page()
    sign_in(page, "partner")
    if language == "he":
        page.goto(HOME)
        page.locator('nav button[name="language"][value="he"]').click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{HOME}entry/{mworld.org.pk}/quarterly/{quarter.code}/")

    def cell(area: str, gender: str) -> str:
        return field_name(mworld.cell("sessions", f"area:{area}", f"gender:{gender}"))

    forward, back = ("ArrowLeft", "ArrowRight") if language == "he" else ("ArrowRight", "ArrowLeft")
    tab_to(page, "#entry-grid input[inputmode=decimal]")
    assert focused(page) == cell("dalet", "girls")
    page.keyboard.press("ArrowUp")  # the first row: nowhere to go
    assert focused(page) == cell("dalet", "girls")
    page.keyboard.press(forward)
    assert focused(page) == cell("dalet", "boys")
    page.keyboard.press("ArrowDown")
    assert focused(page) == cell("hey", "boys")
    page.keyboard.press(back)
    assert focused(page) == cell("hey", "girls")
    page.keyboard.press(back)  # the row's first column: back to the end of the row above
    assert focused(page) == cell("dalet", "boys")
    # The fields sit where the keys say: the next column is to the right in English, left in Hebrew.
    first = page.locator(f'input[name="{cell("dalet", "girls")}"]').bounding_box()
    second = page.locator(f'input[name="{cell("dalet", "boys")}"]').bounding_box()
    assert (second["x"] < first["x"]) == (language == "he")
