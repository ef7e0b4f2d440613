"""The dashboard's cards rendered by the worker after the aggregates change (#22): the first
steering member to open the dashboard after an approval reads cached cards instead of rendering
them, in English and in Hebrew; a card that changed is rendered again, never served stale."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from measurement import services, tasks
from measurement.dashboards import readers
from measurement.dashboards.prerender import dashboard_cards_render

from .worlds import published_card_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def dash_world(world):
    return published_card_world(world)


@pytest.fixture
def card_renders(monkeypatch):
    """How many cards' bodies were rendered: `MeasureCard.rows` is read only inside the cached
    fragment of templates/measurement/_measure_card.html."""
    for alias in ("default", "template_fragments"):
        if alias in caches:
            caches[alias].clear()
    counted = {"rows": 0}
    rows = readers.MeasureCard.rows

    def counting(card):
        counted["rows"] += 1
        return rows.fget(card)

    monkeypatch.setattr(readers.MeasureCard, "rows", property(counting))
    return counted


def dashboard(client, w, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(reverse("measurement:dashboard", kwargs={"slug": w.initiative.slug}))
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_reader_after_the_worker_renders_no_card(client, dash_world, card_renders, language):
    w = dash_world
    client.force_login(w.people["steering"])
    cold = dashboard(client, w, language)
    assert card_renders["rows"] == 1  # nothing cached: the reader rendered the card
    for alias in ("default", "template_fragments"):
        if alias in caches:
            caches[alias].clear()
    assert dashboard_cards_render(w.initiative.pk) == 2  # one card, in English and Hebrew
    card_renders["rows"] = 0
    assert dashboard(client, w, language) == cold  # the same HTML …
    assert card_renders["rows"] == 0  # … from the worker's render


def test_the_update_task_renders_the_changed_cards(client, dash_world, card_renders, eager_tasks):
    w = dash_world
    client.force_login(w.people["steering"])
    before = dashboard(client, w, "en")
    assert ">70<" in before  # 2025: 40 + 3 + 25 + 2
    # The partner's 2025 submission reopened, changed and approved again: its update task runs.
    period = w.initiative.periods.get(code="2025")
    submission = services.submission_for(
        initiative=w.initiative, organization=w.orgs["partner"], period=period, by=w.people["backbone"]
    )
    north, south = w.children.measure_dimensions.get().dimension.members.order_by("order")
    services.submission_unlock(submission=submission, by=w.people["backbone"], reason="typo")
    services.values_save(
        submission=submission,
        by=w.people["backbone"],
        raw={(w.children.pk, north.pk, None): "50", (w.children.pk, south.pk, None): "3"},
        submit=True,
    )
    services.submission_approve(submission=submission, by=w.people["backbone"])
    tasks.aggregates_update_task(w.initiative.pk, [w.children.pk], period.pk)
    card_renders["rows"] = 0
    after = dashboard(client, w, "en")
    assert ">80<" in after  # the new total, not the cached old card
    assert card_renders["rows"] == 0
