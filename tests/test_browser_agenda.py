"""The common agenda in headless Chromium: backbone staff draft and publish v1 and v2 through the
forms, compare them, a steering committee member endorses v2; and the comparison in Hebrew.

Same browser set-up as tests/test_browser.py (Debian's Chromium, no `playwright install`).
"""

import os
import re

import pytest
from playwright.sync_api import expect

from agenda.choices import Decision, VersionStatus
from agenda.models import AgendaVersion, Endorsement

from .agenda.helpers import publish
from .conftest import sign_in

# See tests/test_browser.py: Playwright's event loop trips Django's async-safety check on the
# test's own (synchronous) ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

AGENDA = "/initiatives/c2c/agenda/"


def publish_from_the_draft_page(page, summary: str) -> None:
    if summary:
        page.fill("#id_change_summary", summary)
    page.get_by_role("button", name="Publish", exact=True).click()


def columns_x(page, section: str) -> tuple[float, float]:
    """Left edges of the old and the new side of one text section of the comparison."""
    box = page.locator(f'#comparison section[data-section="{section}"]')
    return box.locator(".diff-old").bounding_box()["x"], box.locator(".diff-new").bounding_box()["x"]


def test_backbone_publishes_v2_compares_it_and_steering_endorses(new_page, world):
    page = new_page()
    sign_in(page, "backbone")
    page.get_by_role("link", name="Cradle to Career").click()
    page.locator("aside").get_by_role("link", name="Common agenda").click()
    expect(page).to_have_url(re.compile(rf"{AGENDA}$"))
    expect(page.locator(".alert-info")).to_contain_text(
        "No version of the common agenda has been published yet."
    )

    # v1, through the draft form.
    page.get_by_role("button", name="Draft the agenda").click()
    expect(page).to_have_url(re.compile(rf"{AGENDA}draft/$"))
    page.fill("#id_agenda-problem_statement", "Fewer than half of the children start school ready to learn.")
    page.fill("#id_agenda-goal", "All children ready for school")
    page.fill("#id_strategies-0-title", "Early childhood development")
    page.fill("#id_strategies-0-rationale", "Readiness at five predicts the rest of the path.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Draft saved.")
    expect(page.locator("#id_strategies-0-title")).to_have_value("Early childhood development")
    publish_from_the_draft_page(page, summary="")
    expect(page).to_have_url(re.compile(rf"{AGENDA}v/1/$"))
    expect(page.locator(".alert-success")).to_contain_text("Published as v1.")
    expect(page.locator("#goal-h + p")).to_have_text("All children ready for school")

    # v2: a new draft starts from v1; change the goal, add a strategy.
    page.locator("main .breadcrumb").get_by_role("link", name="Common agenda").click()
    page.get_by_role("button", name="Start a new draft").click()
    expect(page).to_have_url(re.compile(rf"{AGENDA}draft/$"))
    expect(page.locator("#id_agenda-goal")).to_have_value("All children ready for school")
    expect(page.locator("#id_strategies-0-title")).to_have_value("Early childhood development")
    page.fill("#id_agenda-goal", "All children in the south ready for school")
    page.fill("#id_strategies-1-title", "Transition to work")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.locator(".alert-success")).to_contain_text("Draft saved.")
    publish_from_the_draft_page(page, summary="The goal names the south; a strategy for work.")
    expect(page).to_have_url(re.compile(rf"{AGENDA}v/2/$"))
    expect(page.locator(".alert-success")).to_contain_text("Published as v2.")

    v1, v2 = AgendaVersion.objects.filter(initiative=world.initiative).order_by("number")
    assert (v1.number, v2.number, v2.status) == (1, 2, VersionStatus.PUBLISHED)
    assert v2.goal == "All children in the south ready for school"
    assert v1.goal == "All children ready for school"  # v1 is as it was published
    assert v2.change_summary == "The goal names the south; a strategy for work."
    assert [s.title for s in v2.strategy_items.all()] == ["Early childhood development", "Transition to work"]
    assert v2.strategy_items.first().strategy_id == v1.strategy_items.get().strategy_id

    # Compare v1 with v2 from the agenda's home page.
    page.locator("main .breadcrumb").get_by_role("link", name="Common agenda").click()
    expect(page.locator("#cmp-a")).to_have_value("1")
    expect(page.locator("#cmp-b")).to_have_value("2")
    page.locator(f'form[action="{AGENDA}compare/"] button').click()
    expect(page).to_have_url(re.compile(rf"{AGENDA}compare/\?a=1&b=2$"))
    expect(page.locator("main")).to_contain_text("From v1 to v2")
    goal = page.locator('#comparison section[data-section="goal"]')
    expect(goal.locator("ins.diff-ins")).to_have_count(1)
    expect(goal.locator("ins.diff-ins")).to_contain_text("in the south")
    expect(goal.locator("del.diff-del")).to_have_count(0)
    added = page.locator('#comparison li[data-status="added"]')
    expect(added).to_have_count(1)
    expect(added).to_contain_text("Transition to work")
    expect(added.locator("ins.diff-ins")).to_have_text("Transition to work")
    expect(page.locator('#comparison li[data-status="same"]')).to_contain_text("Early childhood development")
    # Left to right: the older version on the left.
    old_x, new_x = columns_x(page, "goal")
    assert old_x < new_x

    # A steering committee member, in a browser of their own, endorses v2.
    steering = new_page()
    sign_in(steering, "steering")
    steering.goto(f"{AGENDA}v/2/")
    steering.get_by_label("Endorse", exact=True).check()
    steering.get_by_role("button", name="Record my decision").click()
    expect(steering).to_have_url(re.compile(rf"{AGENDA}v/2/$"))
    expect(steering.locator(".alert-success")).to_contain_text("Your decision on v2 is recorded.")
    expect(steering.locator('#endorsements li[data-endorser="steering"]')).to_have_attribute(
        "data-decision", Decision.ENDORSE.value
    )

    steering.locator("aside").get_by_role("link", name="Common agenda").click()
    endorsement = steering.locator('li[data-endorser="steering"]')
    expect(endorsement).to_contain_text("endorsed")
    expect(endorsement.get_by_role("link", name="v2")).to_be_visible()
    expect(steering.locator("main")).to_contain_text(
        "1 of 1 steering committee members endorse the current version"
    )
    e = Endorsement.objects.get()
    assert (e.version_id, e.user, e.decision) == (v2.pk, world.people["steering"], Decision.ENDORSE)
    assert AgendaVersion.objects.get(pk=v2.pk).adopted_at is not None


def test_the_comparison_in_hebrew_reads_right_to_left(new_page, world):
    publish(world, goal="כל הילדים מוכנים לבית הספר")
    v1 = AgendaVersion.objects.get()
    strategy = v1.strategy_items.get()
    publish(
        world,
        goal="כל הילדים בדרום מוכנים לבית הספר",
        strategies=[
            {"strategy_id": strategy.strategy_id, "title": strategy.title},
            {"title": "מעבר לעבודה"},
        ],
    )
    page = new_page()
    sign_in(page, "backbone")
    page.goto(AGENDA)
    page.locator('nav button[name="language"][value="he"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{AGENDA}compare/?a=1&b=2")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    goal = page.locator('#comparison section[data-section="goal"]')
    expect(goal.locator("ins.diff-ins")).to_have_count(1)
    expect(goal.locator("ins.diff-ins")).to_contain_text("בדרום")
    expect(goal.locator(".diff-new")).to_contain_text("כל הילדים בדרום מוכנים לבית הספר")
    added = page.locator('#comparison li[data-status="added"]')
    expect(added.locator("ins.diff-ins")).to_have_text("מעבר לעבודה")
    # Right to left: the older version, read first, is on the right.
    old_x, new_x = columns_x(page, "goal")
    assert old_x > new_x
