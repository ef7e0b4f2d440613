"""Shared measurement in headless Chromium: a partner fills the entry grid from "What is due"
(an invalid cell first: the error shows next to it and nothing is saved), fixes it and submits;
backbone staff, in a browser of their own, approve it from the review queue and see the audit
trail. And the grid once in Hebrew: right to left, with the numbers left to right.

Same browser set-up as tests/test_browser.py (Debian's Chromium, no `playwright install`).
"""

import os
import re

import pytest
from playwright.sync_api import expect

from measurement.choices import AuditAction, SubmissionStatus
from measurement.models import AuditEntry, DataValue, Submission

from ..conftest import sign_in
from .conftest import build_measurement_world, field_name

# See tests/test_browser.py: Playwright's event loop trips Django's async-safety check on the
# test's own (synchronous) ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

HOME = "/initiatives/c2c/measurement/"


@pytest.fixture
def mworld(world, make_user):
    return build_measurement_world(world, make_user)


def cell_input(page, mworld, code: str, *members: str):
    return page.locator(f'#entry-grid input[name="{field_name(mworld.cell(code, *members))}"]')


def test_partner_submits_through_the_grid_and_the_backbone_approves(new_page, mworld):
    year = mworld.periods["year"]
    partner = new_page()
    sign_in(partner, "partner")
    partner.get_by_role("link", name="Cradle to Career").click()
    partner.locator("aside").get_by_role("link", name="Shared measurement").click()
    expect(partner).to_have_url(re.compile(rf"{HOME}$"))

    # What is due: the open year and quarter; the year's row leads to its grid.
    due = partner.locator("section", has_text="What is due for Partner Org")
    expect(due.locator(f'tr[data-period="{year.code}"]')).to_contain_text("Not started")
    expect(due.locator(f'tr[data-period="{mworld.periods["quarter"].code}"]')).to_be_visible()
    due.locator(f'tr[data-period="{year.code}"]').get_by_role("link", name="Enter data").click()
    expect(partner).to_have_url(re.compile(rf"{HOME}entry/{mworld.org.pk}/yearly/{year.code}/$"))
    expect(partner.locator("h1")).to_contain_text(f"Partner Org: data for {year.code}")
    expect(partner.locator("#submission-status")).to_have_text("Draft")

    # Fill every cell, one of them wrong.
    for cell, value in mworld.valid_year().items():
        partner.locator(f'#entry-grid input[name="{field_name(cell)}"]').fill(value)
    cell_input(partner, mworld, "ready-pct").fill("120")
    partner.get_by_role("button", name="Save draft").click()

    ready = cell_input(partner, mworld, "ready-pct")
    expect(ready).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(ready).to_have_value("120")  # what was typed is kept
    error = partner.locator(f"#{field_name(mworld.cell('ready-pct'))}-err")
    expect(error).to_have_text("Enter a percentage between 0 and 100.")
    expect(ready).to_have_attribute("aria-describedby", f"{field_name(mworld.cell('ready-pct'))}-err")
    # The error sits next to its cell: inside the same cell box, just below the input.
    name = field_name(mworld.cell("ready-pct"))
    box = partner.locator(".entry-cell", has=partner.locator(f'input[name="{name}"]'))
    expect(box.locator(".invalid-feedback")).to_have_text("Enter a percentage between 0 and 100.")
    field, message = ready.bounding_box(), error.bounding_box()
    assert field["y"] + field["height"] <= message["y"] < field["y"] + 3 * field["height"]
    assert abs(message["x"] - field["x"]) < 5
    expect(partner.locator(".alert-danger")).to_contain_text("Nothing was saved: correct the marked cells.")
    expect(partner.locator(".invalid-feedback")).to_have_count(1)
    expect(cell_input(partner, mworld, "attended")).to_have_value("200")
    assert not DataValue.objects.filter(organization=mworld.org, period=year).exists()

    # Fix it and submit.
    ready.fill("55.5")
    partner.get_by_role("button", name="Submit for review").click()
    expect(partner.locator(".alert-success")).to_contain_text("Submitted for review. Thank you.")
    expect(partner.locator("#submission-status")).to_have_text("Submitted")
    expect(cell_input(partner, mworld, "ready-pct")).to_be_disabled()
    expect(partner.get_by_role("button", name="Submit for review")).to_have_count(0)
    submission = Submission.objects.get(organization=mworld.org, period=year)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert DataValue.objects.filter(submission=submission).count() == 6

    # The backbone, in a browser of its own, approves from the review queue.
    backbone = new_page()
    sign_in(backbone, "backbone")
    backbone.goto(HOME)
    backbone.locator("main").get_by_role("link", name="Review", exact=True).click()
    expect(backbone).to_have_url(re.compile(rf"{HOME}review/$"))
    row = backbone.locator("tbody tr", has_text="Partner Org")
    expect(row).to_contain_text(year.code)
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link", name="Partner Org").click()
    expect(backbone).to_have_url(re.compile(rf"{HOME}submissions/{submission.pk}/$"))
    expect(backbone.locator("main table").first).to_contain_text("55.5")
    backbone.get_by_role("button", name="Approve").click()
    expect(backbone.locator(".alert-success")).to_contain_text("Approved. The values are locked.")
    expect(backbone.locator("#submission-status")).to_have_text("Approved")
    audit = backbone.locator("#audit")
    expect(audit.locator('li[data-action="approve"]')).to_contain_text("backbone")
    expect(audit.locator('li[data-action="submit"]')).to_contain_text("partner")
    expect(audit.locator('li[data-action="create"]')).to_have_count(6)
    expect(audit.locator('li[data-action="create"]', has_text="ready-pct")).to_contain_text("— → 55.5")
    expect(backbone.get_by_role("button", name="Approve")).to_have_count(0)
    expect(backbone.get_by_role("button", name="Unlock for correction")).to_be_visible()

    submission.refresh_from_db()
    assert (submission.status, submission.reviewed_by) == (SubmissionStatus.APPROVED, mworld.backbone)
    assert list(
        AuditEntry.objects.filter(submission=submission)
        .exclude(action=AuditAction.CREATE)
        .values_list("action", flat=True)
        .order_by("id")
    ) == [AuditAction.SUBMIT, AuditAction.APPROVE]

    # Back in the partner's browser: approved and locked.
    partner.reload()
    expect(partner.locator("#submission-status")).to_have_text("Approved")
    expect(cell_input(partner, mworld, "attended")).to_be_disabled()


def test_the_grid_in_hebrew_is_right_to_left_with_numbers_left_to_right(new_page, mworld):
    page = new_page()
    sign_in(page, "partner")
    page.goto(HOME)
    page.locator('nav button[name="language"][value="he"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    year = mworld.periods["year"]
    page.goto(f"{HOME}entry/{mworld.org.pk}/yearly/{year.code}/")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    numbers = page.locator('#entry-grid input[inputmode="decimal"]')
    expect(numbers).to_have_count(6)
    for i in range(6):
        expect(numbers.nth(i)).to_have_attribute("dir", "ltr")
    # Hebrew names of the measures and members are shown.
    expect(page.locator("#entry-grid")).to_contain_text("מדד enrolled")
    expect(page.locator("#entry-grid")).to_contain_text("ד'")
    # The number is typed and read left to right: its computed direction is ltr inside the rtl page.
    assert numbers.first.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.locator("#entry-grid").evaluate("e => getComputedStyle(e).direction") == "rtl"
