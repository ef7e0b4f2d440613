"""Mutually reinforcing activities in headless Chromium: a working group's chair adds an activity to
the action plan through the form and sees it on the alignment view, in English and in Hebrew
(right to left); the network page draws its graph with Plotly served as a local static file, under the
Content Security Policy, without errors in the console.

Same browser set-up as tests/test_browser.py (Debian's Chromium, no `playwright install`).
"""

import os
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from initiatives.choices import Sector
from initiatives.models import Organization
from workgroups import services
from workgroups.models import Activity

from .conftest import sign_in
from .workgroups.conftest import answer, publish_agenda

# See tests/test_browser.py: Playwright's event loop trips Django's async-safety check on the
# test's own (synchronous) ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

BROWSER_TIMEOUT_MS = 15_000
BROWSER_VIEWPORT = (1400, 950)

pytestmark = pytest.mark.browser

BASE = "/initiatives/c2c/workgroups/"


@pytest.fixture
def plan(world):
    """Two key strategies; a working group for the first, chaired by the steering committee member."""
    backbone = world.people["backbone"]
    world.community = Organization.objects.create(name="Community Org", sector=Sector.COMMUNITY)
    world.initiative.participations.create(organization=world.community)
    world.strategies = publish_agenda(world.initiative, backbone, ["Early literacy", "Transition to work"])
    steering = world.initiative.memberships.get(user=world.people["steering"])
    world.group = services.working_group_create(
        initiative=world.initiative,
        by=backbone,
        name="Early Literacy",
        strategy=world.strategies[0],
        chair=steering,
    )
    return world


def add_activity(page, world, title: str, start: str, end: str) -> None:
    page.fill("#id_title", title)
    page.select_option("#id_lead_organization", str(world.orgs["partner"].pk))
    page.check(f'input[name="contributing_organizations"][value="{world.community.pk}"]')
    page.fill("#id_start_date", start)
    page.fill("#id_end_date", end)
    page.select_option("#id_status", "under_way")
    page.locator("#workgroups-form").get_by_role("button").first.click()


def alignment_cell(page, world, org, strategy):
    return page.locator(f'#alignment tr[data-org="{org.pk}"] td[data-strategy="{strategy.pk}"]')


def test_the_chair_adds_an_activity_and_sees_it_on_the_alignment_view(new_page, plan):
    page = new_page()
    sign_in(page, "steering")
    page.get_by_role("link", name="Cradle to Career").click()
    page.locator("aside").get_by_role("link", name="Mutually reinforcing activities").click()
    expect(page).to_have_url(re.compile(rf"{BASE}$"))
    expect(page.locator("#groups")).to_contain_text("Early Literacy")

    # Before: no activity anywhere; every strategy and the community organisation are gaps.
    page.get_by_role("link", name="Alignment").click()
    expect(page.locator("#gap-strategies")).to_contain_text("Early literacy")
    expect(page.locator("#gap-organizations")).to_contain_text("Community Org")

    page.get_by_role("link", name="Working groups").first.click()
    page.locator("#group-list").get_by_role("link", name="Early Literacy").click()
    page.get_by_role("link", name="Add an activity").click()

    # Ending before it starts is refused, with the reason, and nothing is saved.
    add_activity(page, plan, "Summer reading camps", "2026-07-01", "2026-06-01")
    expect(page.locator("#workgroups-form")).to_contain_text("An activity cannot end before it starts.")
    assert not Activity.objects.exists()

    page.fill("#id_end_date", "2026-08-31")
    page.locator("#workgroups-form").get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(rf"{BASE}groups/{plan.group.pk}/$"))
    expect(page.locator(".alert-success")).to_contain_text(
        "The activity Summer reading camps was added to the plan."
    )
    row = page.locator("#action-plan tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Summer reading camps")
    expect(row).to_contain_text("Partner Org")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "under_way")

    page.get_by_role("link", name="Alignment").click()
    lead = alignment_cell(page, plan, plan.orgs["partner"], plan.strategies[0])
    expect(lead).to_have_attribute("data-leads", "1")
    expect(alignment_cell(page, plan, plan.community, plan.strategies[0])).to_have_attribute(
        "data-contributes", "1"
    )
    expect(page.locator("#gap-strategies")).not_to_contain_text("Early literacy")
    expect(page.locator("#gap-strategies")).to_contain_text("Transition to work")
    expect(page.locator("#gap-organizations")).not_to_contain_text("Community Org")
    activity = Activity.objects.get()
    assert (activity.lead_organization, activity.strategy, activity.created_by) == (
        plan.orgs["partner"],
        plan.strategies[0],
        plan.people["steering"],
    )
    assert page.console_errors == []


def test_in_hebrew_the_activity_shows_on_the_alignment_view_right_to_left(new_page, plan):
    page = new_page()
    sign_in(page, "backbone")
    page.goto(BASE)
    page.locator('nav button[name="language"][value="he"]').click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{BASE}groups/{plan.group.pk}/activities/new/")
    expect(page.locator("html")).to_have_attribute("lang", "he")
    add_activity(page, plan, "מחנות קריאה בקיץ", "2026-07-01", "2026-08-31")
    expect(page).to_have_url(re.compile(rf"{BASE}groups/{plan.group.pk}/$"))
    expect(page.locator("#action-plan")).to_contain_text("מחנות קריאה בקיץ")

    page.goto(f"{BASE}alignment/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    lead = alignment_cell(page, plan, plan.orgs["partner"], plan.strategies[0])
    expect(lead).to_have_attribute("data-leads", "1")
    # Right to left: the organisations' column is on the right of the strategies.
    name = page.locator(f'#alignment tr[data-org="{plan.orgs["partner"].pk}"] th').bounding_box()
    assert name["x"] > lead.bounding_box()["x"]
    # The sidebar is on the right too.
    assert page.locator("aside").bounding_box()["x"] > page.locator("#alignment").bounding_box()["x"]
    assert page.console_errors == []


def test_the_network_is_drawn_with_the_local_plotly(new_page, plan):
    backbone = plan.people["backbone"]
    wave = services.wave_create(initiative=plan.initiative, by=backbone, name="Spring")
    wave = services.wave_open(wave=wave, by=backbone)
    answer(wave, backbone, plan.orgs["backbone"], [(plan.orgs["partner"], 3, ["joint_planning"], 4, 4)])
    answer(wave, plan.people["partner"], plan.orgs["partner"], [(plan.community, 2, [], 3, 4)])
    wave = services.wave_close(wave=wave, by=backbone)
    services.network_metrics_compute(wave_id=wave.pk)

    page = new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, "viewer")
    page.goto(f"{BASE}network/")
    expect(page.locator("#network-graph")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#network-graph .main-svg").first).to_be_visible()
    expect(page.locator('#figures [data-figure="ties"]')).to_have_text("2")
    expect(page.locator("#tie-list")).to_contain_text("Backbone Org — Partner Org")
    assert any(url.endswith(f"/static/{settings.PLOTLY_JS}") for url in requests)
    assert all(url.startswith(page.url.split(BASE)[0]) for url in requests), "nothing from another host"
    assert page.console_errors == []
