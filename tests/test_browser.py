"""End-to-end tests in headless Chromium (Playwright's sync API) against pytest-django's live server.

They cover what only a real browser shows: signing in through the form, the overview's phase
steps and 4 × 4 milestone matrix, the switch to Hebrew (right-to-left layout and stylesheet),
changing phase through the form, and accepting an invitation as a new person.

Chromium is Debian's headless shell (CHROMIUM_HEADLESS_SHELL, default
/usr/bin/chromium-headless-shell; tests/conftest.py); `playwright install` is never needed.
Set SCREENSHOTS=1 to save the overview in English and Hebrew to /tmp/shots/.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from initiatives import tasks
from initiatives.choices import Phase, Role
from initiatives.models import Initiative, Membership

from .conftest import PASSWORD, sign_in

# Playwright's sync API keeps an asyncio event loop in this thread, which trips Django's
# async-safety check on every ORM call made by the test itself (the live server runs its own
# thread). The test code is plain synchronous code, so the check is a false alarm here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")  # noqa: S108 (only written to on request, SCREENSHOTS=1)
HEBREW = re.compile(r"[\u0590-\u05FF]")


@pytest.fixture
def page(new_page):
    return new_page()


def screenshot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_overview(page, world) -> None:
    page.get_by_role("link", name=world.initiative.name).click()
    expect(page).to_have_url(re.compile(rf"/initiatives/{world.initiative.slug}/$"))


def sidebar_x(page) -> tuple[float, float]:
    """Left edges of the initiative's sidebar and of its page column."""
    aside = page.locator("aside").bounding_box()
    content = page.locator("main .row > div.col-lg-10").bounding_box()
    return aside["x"], content["x"]


# Expected texts are English literals, not the choices' lazy labels: those would follow whatever
# language the test thread has active, while the browser asks for English.


def test_backbone_signs_in_and_sees_the_overview(page, world):
    sign_in(page, "backbone")
    expect(page.get_by_role("heading", level=1)).to_have_text("My initiatives")
    expect(page.get_by_role("link", name="Cradle to Career")).to_be_visible()
    expect(page.get_by_role("link", name="Other Initiative")).to_have_count(0)

    open_overview(page, world)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cradle to Career")
    expect(page.locator("aside [data-role]")).to_have_attribute("data-role", Role.BACKBONE)

    steps = page.locator("ol.phase-steps > li")
    expect(steps).to_have_count(4)
    current = page.locator('ol.phase-steps > li[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Pre-Launch")
    expect(steps.first).to_have_attribute("aria-current", "step")

    matrix = page.locator("table.milestone-matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("tbody > tr")).to_have_count(4)
    expect(matrix.locator("td.milestone")).to_have_count(16)
    expect(matrix.locator("td.milestone.current")).to_have_count(4)
    expect(matrix.locator('td.milestone.current[data-phase="1"]')).to_have_count(4)
    expect(matrix.locator("td.milestone").first).to_contain_text("Not started")

    # Left to right: the sidebar is on the left of the page column.
    aside_x, content_x = sidebar_x(page)
    assert aside_x < content_x
    screenshot(page, "overview-en")


def test_hebrew_switches_the_page_to_right_to_left(page, world):
    sign_in(page, "backbone")
    open_overview(page, world)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.locator('nav button[name="language"][value="he"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "he")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(rf"/initiatives/{world.initiative.slug}/$"))
    expect(page.locator('button[name="language"][value="he"]')).to_have_attribute("aria-current", "true")

    # The right-to-left Bootstrap is linked, served, and the only Bootstrap in use.
    link = page.locator('link[rel="stylesheet"][href*="bootstrap.rtl.min.css"]')
    expect(link).to_have_count(1)
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert "text/css" in response.headers["content-type"]
    page.wait_for_load_state("load")  # a stylesheet is in document.styleSheets once loaded
    sheets = page.evaluate("[...document.styleSheets].map(s => s.href || '')")
    assert any("bootstrap.rtl.min.css" in s for s in sheets)
    assert not any("bootstrap.min.css" in s for s in sheets)

    matrix = page.locator("table.milestone-matrix")
    expect(matrix.locator("td.milestone")).to_have_count(16)
    expect(page.locator("ol.phase-steps > li")).to_have_count(4)

    # Right to left: the sidebar moves to the right of the page column.
    aside_x, content_x = sidebar_x(page)
    assert aside_x > content_x
    screenshot(page, "overview-he")

    # The page itself is in Hebrew (the navbar's "עברית" button alone does not count):
    # needs locale/he/LC_MESSAGES/django.mo (`manage.py compiletranslations`).
    assert HEBREW.search(page.locator("main").inner_text()), (
        "no Hebrew in the page: is the catalogue compiled?"
    )


def test_backbone_moves_to_the_next_phase_with_a_reason(page, world):
    initiative = world.initiative
    sign_in(page, "backbone")
    open_overview(page, world)
    page.get_by_role("link", name="Change phase").click()
    expect(page).to_have_url(re.compile(rf"/initiatives/{initiative.slug}/phase/$"))
    expect(page.locator(".alert-warning li[data-area]")).to_have_count(4)  # the four open milestones
    expect(page.locator("#unmet-preconditions li")).to_have_count(3)  # none of the preconditions met
    expect(page.locator("#id_to_phase")).to_have_value(str(Phase.INITIATE_ACTION.value))

    # Milestones are open and no reason is given: refused, with the error on the field.
    page.get_by_role("button", name="Change phase").click()
    expect(page.locator("#id_reason")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_contain_text(
        "Some milestones of the current phase are not done"
    )
    expect(page).to_have_url(re.compile(rf"/initiatives/{initiative.slug}/phase/$"))
    initiative.refresh_from_db()
    assert initiative.phase == Phase.PRE_LAUNCH
    assert not initiative.phase_transitions.exists()

    page.fill("#id_reason", "The steering committee asked to start now.")
    page.get_by_role("button", name="Change phase").click()
    expect(page).to_have_url(re.compile(rf"/initiatives/{initiative.slug}/$"))
    expect(page.locator(".alert-success")).to_contain_text("Initiate Action")
    current = page.locator('ol.phase-steps > li[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Initiate Action")
    expect(page.locator("ol.phase-steps > li.past")).to_have_count(1)
    expect(page.locator('table.milestone-matrix td.milestone.current[data-phase="2"]')).to_have_count(4)

    initiative.refresh_from_db()
    assert initiative.phase == Phase.INITIATE_ACTION
    transition = initiative.phase_transitions.get()
    assert (transition.from_phase, transition.to_phase) == (Phase.PRE_LAUNCH, Phase.INITIATE_ACTION)
    assert transition.reason == "The steering committee asked to start now."
    assert transition.by == world.people["backbone"]
    assert len(transition.open_milestones) == 4


@pytest.fixture
def sent_invitations(monkeypatch):
    """Send invitation emails in-process, whatever the Celery mode, and record the task calls.

    `invitation_create` queues `invitation_send_task.delay(...)` on commit. Without REDIS_URL
    Celery runs it eagerly; with REDIS_URL (CI) it goes to a real broker that no worker of this
    test reads, so the email would never come. Overriding CELERY_TASK_ALWAYS_EAGER with
    override_settings does not help either: the Celery app has already read its configuration.
    So the task is swapped, in the module the service imports it from at call time, for a
    stand-in whose `delay` runs the real task right away in the live server's thread. The email
    then goes through Django's locmem backend into `mail.outbox` (one list for the whole
    process, shared by the server thread and the test), in both modes.
    """
    calls = []
    real_task = tasks.invitation_send_task

    class SendNow:
        @staticmethod
        def delay(*args, **kwargs):
            calls.append(args)
            real_task(*args, **kwargs)

    monkeypatch.setattr(tasks, "invitation_send_task", SendNow)
    return calls


def test_invitation_end_to_end(new_page, world, sent_invitations, mailoutbox):
    initiative = world.initiative
    page = new_page()
    sign_in(page, "backbone")
    open_overview(page, world)
    page.locator("aside").get_by_role("link", name="Members").click()
    expect(page).to_have_url(re.compile(rf"/initiatives/{initiative.slug}/members/$"))
    page.get_by_role("link", name="Invite someone").click()
    page.fill("#id_email", "new@example.org")
    page.select_option("#id_role", Role.PARTNER.value)
    page.select_option("#id_organization", label="Partner Org")
    page.locator("main").get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/initiatives/{initiative.slug}/members/$"))
    expect(page.locator(".alert-success")).to_contain_text("An invitation was sent to new@example.org.")
    expect(page.get_by_role("heading", name="Pending invitations")).to_be_visible()
    expect(page.get_by_role("cell", name="new@example.org", exact=True)).to_be_visible()

    # The email carries the one-time link; its token is the one the task was given.
    assert len(sent_invitations) == 1
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["new@example.org"]
    token = re.search(r"/invitations/([\w-]+)/", email.body).group(1)
    assert token == sent_invitations[0][1]

    # The invited person, signed out, in a browser of their own.
    guest = new_page()
    guest.goto(f"/invitations/{token}/")
    expect(guest.get_by_role("heading", level=1)).to_have_text("Join Cradle to Career")
    expect(guest.locator("main")).to_contain_text("Partner contributor")
    expect(guest.locator("main")).to_contain_text("Partner Org")
    guest.fill("#id_username", "newcomer")
    guest.fill("#id_first_name", "Noa")
    guest.fill("#id_password1", PASSWORD)
    guest.fill("#id_password2", PASSWORD)
    guest.get_by_role("button", name="Create my account and join").click()

    expect(guest).to_have_url(re.compile(rf"/initiatives/{initiative.slug}/$"))
    expect(guest.locator(".alert-success")).to_contain_text("Welcome to Cradle to Career.")
    expect(guest.locator("nav.navbar")).to_contain_text("Noa")
    expect(guest.locator("aside [data-role]")).to_have_attribute("data-role", Role.PARTNER)
    expect(guest.locator("table.milestone-matrix td.milestone")).to_have_count(16)
    # A partner does not manage the initiative.
    expect(guest.get_by_role("link", name="Change phase")).to_have_count(0)

    membership = Membership.objects.select_related("user", "organization").get(
        initiative=initiative, user__username="newcomer"
    )
    assert membership.role == Role.PARTNER
    assert membership.organization == world.orgs["partner"]
    assert membership.user.email == "new@example.org"
    assert Initiative.objects.get(pk=initiative.pk).invitations.get().accepted_at is not None

    # The link works once only.
    guest.goto(f"/invitations/{token}/")
    expect(guest.locator(".alert-warning")).to_be_visible()
