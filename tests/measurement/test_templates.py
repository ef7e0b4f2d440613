"""The measurement pages' markup is in templates (templates/measurement/_*.html): user text is
escaped and isolated, and the dashboards' cards are cached on what they show, so a new run, another
language or another viewer is never served someone else's card."""

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from measurement import services
from measurement.dashboards import readers
from measurement.selectors import AuditRow, ValueRow
from measurement.templatetags.measurement_tags import source_digest
from tests.measurement.test_provisional import _client, _enter, _recompute, build_pworld


@pytest.fixture
def pworld(world):
    return build_pworld(world)


EVIL = "<script>alert('x')</script> & \"co\""
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;co&quot;"


def test_the_grid_escapes_names_values_comments_and_errors():
    row = {
        "measure": SimpleNamespace(name=EVIL, code="m1", required=True),
        "row": SimpleNamespace(name=EVIL),
        "first": True,
        "span": 1,
        "value_type": "Count",
        "cells": [
            {
                "name": "v1_2_0",
                "column": SimpleNamespace(name=EVIL),
                "value": EVIL,
                "comment": EVIL,
                "errors": [EVIL],
                "closed": False,
            },
            {"name": "v1_3_0", "column": None, "value": "", "comment": "", "errors": [], "closed": True},
        ],
    }
    context = {"rows": [row], "editable": True, "value_label": "Value", "comment_label": "Comment"}
    html = render_to_string("measurement/_grid_rows.html", context | {"comment_placeholder": "c"})
    assert "<script>" not in html and ESCAPED in html
    assert 'aria-invalid="true" aria-describedby="v1_2_0-err"' in html and 'id="v1_2_0-err"' in html
    # The closed cell is disabled and labelled "Value" (no column); the open one is not disabled.
    first, second = html.split('<div class="entry-cell">')[1:]
    assert "disabled" not in first
    assert ">Value<span" in second and second.count("disabled") == 2  # value and comment
    # The measure's and the breakdown's names take their own direction.
    assert f'<div dir="auto">{ESCAPED}</div>' in html and f'dir="auto">{ESCAPED}</th>' in html


def test_the_submission_page_escapes_codes_names_comments_and_reasons():
    values = [
        ValueRow(7, EVIL, EVIL, EVIL, Decimal("0.000000"), EVIL, unlocked=True),
        ValueRow(8, "m2", None, None, Decimal("12.500000"), "", unlocked=False),
    ]
    table = render_to_string("measurement/_value_rows.html", {"values": values, "unlocked_label": EVIL})
    assert "<script>" not in table and table.count(ESCAPED) == 5
    assert (
        f'<td class="number">0 <span class="badge text-bg-warning" data-unlocked="7">{ESCAPED}</span>'
        in table
    )
    assert '<td class="number">12.5</td><td class="small" dir="auto"></td>' in table
    options = render_to_string("measurement/_value_options.html", {"values": values})
    assert options.strip().endswith('<option value="8">m2: 12.5</option>')  # the unlocked one is not offered
    assert options.count("<option") == 1
    row = AuditRow(
        datetime(2026, 1, 2, 3, 4, tzinfo=UTC), EVIL, EVIL, EVIL, EVIL, EVIL, None, None, Decimal(0), EVIL
    )
    items = render_to_string("measurement/_audit_items.html", {"audit": [row]})
    assert "<script>" not in items and items.count(ESCAPED) == 6
    assert (
        f'<span class="number">{ESCAPED}</span> · <bdi>{ESCAPED}</bdi> <span class="number text-nowrap" dir="ltr">— → 0</span>'
        in items
    )


@pytest.mark.parametrize(
    ("value", "places", "written"),
    [
        (None, 2, "—"),
        (190.0, 1, "190"),
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (12.25, 1, "12.3"),
        (-3.0, 1, "-3"),
    ],
)
def test_figures_read_as_floatformat_writes_them(value, places, written):
    from django.template.defaultfilters import floatformat

    from measurement.templatetags.measurement_tags import figure

    assert figure(value, places) == written
    assert value is None or written == floatformat(value, f"-{places}")


# --- The cards' cache -----------------------------------------------------------------------------


@pytest.fixture
def cached(settings):
    """A real cache for these tests (the project's own: Redis where REDIS_URL is set), emptied."""
    cache.clear()
    yield cache
    cache.clear()


def _dashboard(client, w, language="en", persona="steering"):
    response = _client(client, w, language, persona=persona).get(
        reverse("measurement:dashboard", kwargs={"slug": "c2c"})
    )
    assert response.status_code == 200
    body = response.content.decode()
    card = body[body.index('data-measure="hours"') :]
    return card[: card.index("</details>")]


def _card_key(w, language="en", link=True):
    from django.core.cache.utils import make_template_fragment_key

    with translation.override(language):
        groups, _run = readers.measure_cards(w.initiative)
        (card,) = [c for g in groups for c in g.cards]
        version = source_digest(
            "measurement/_measure_card.html",
            "measurement/_card_figures.html",
            "measurement/_provisional_mark.html",
        )
        return make_template_fragment_key("measure_card", [card.fingerprint, language, link, "c2c", version])


def test_a_card_is_served_from_the_cache(client, pworld, cached):  # noqa: F811
    first = _dashboard(client, pworld)
    key = _card_key(pworld)
    assert "Tutoring hours" in cache.get(key)
    # What the cache holds under the card's key is what the page shows.
    cache.set(key, '<div data-measure="hours">from the cache</details>')
    assert _dashboard(client, pworld) == 'data-measure="hours">from the cache'
    cache.delete(key)
    assert _dashboard(client, pworld) == first


def test_a_new_active_run_is_never_served_the_old_runs_card(client, pworld, cached):  # noqa: F811
    before = _dashboard(client, pworld)
    assert '<span class="fs-4 number">190</span>' in before
    # The partner corrects its latest complete quarter (Q3): the next run's figure is new.
    q3 = pworld.periods[2]
    submission = services.submission_for(
        initiative=pworld.initiative,
        organization=pworld.orgs["partner"],
        period=q3,
        by=pworld.people["backbone"],
    )
    services.submission_unlock(submission=submission, by=pworld.people["backbone"], reason="typo")
    _enter(pworld, "partner", q3, 500, 10, approve=True)
    _recompute(pworld.initiative)
    after = _dashboard(client, pworld)
    assert '<span class="fs-4 number">580</span>' in after and "190" not in after.split("<table")[0]


def test_each_language_is_served_its_own_card(client, pworld, cached):  # noqa: F811
    english = _dashboard(client, pworld, "en")
    hebrew = _dashboard(client, pworld, "he")
    assert "Tutoring hours" in english and "שעות חונכות" not in english
    assert "שעות חונכות" in hebrew and "Tutoring hours" not in hebrew
    assert _card_key(pworld, "en") != _card_key(pworld, "he")
    assert _dashboard(client, pworld, "en") == english


def test_a_viewer_without_the_organisations_scope_never_sees_them(client, pworld, cached):  # noqa: F811
    url = reverse("measurement:measure_dashboard", kwargs={"slug": "c2c", "code": "hours"})
    staff = _client(client, pworld, "en", persona="backbone").get(url).content.decode()
    assert "Partner Org" in staff  # backbone staff see each organisation's figures
    client.logout()
    steering = _client(client, pworld, "en", persona="steering").get(url).content.decode()
    assert "Partner Org" not in steering and "Funder Org" not in steering
    # The card itself (scope-free) is the same for both.
    assert (
        staff[staff.index('data-measure="hours"') :].split("</details>")[0]
        == steering[steering.index('data-measure="hours"') :].split("</details>")[0]
    )


# --- The turn-the-curve conversation beside the curve ----------------------------------------------


def test_the_measure_page_and_the_report_card_show_the_conversation(client, pworld, cached):  # noqa: F811
    from learning.models import CurveStory, CurveWorksheet

    q3 = pworld.periods[2]
    CurveWorksheet.objects.create(
        initiative=pworld.initiative,
        measure=pworld.hours,
        period=q3,
        story="Fewer tutors <b>after</b> the summer",
        what_works="Pairing older pupils",
        show_on_report_card=False,
    )
    CurveStory.objects.create(
        initiative=pworld.initiative,
        measure=pworld.hours,
        period=q3,
        title="Dana's year",
        text="From 2 to 9 hours",
    )
    url = reverse("measurement:measure_dashboard", kwargs={"slug": "c2c", "code": "hours"})
    page = _client(client, pworld, "en", persona="steering").get(url).content.decode()
    section = page[page.index('id="turn-the-curve"') :]
    assert "Fewer tutors &lt;b&gt;after&lt;/b&gt; the summer" in section and "Pairing older pupils" in section
    assert "Dana&#x27;s year" in section
    # The public report card shows it only once the backbone chose to publish it.
    client.logout()
    assert "Fewer tutors" not in client.get("/public/c2c/").content.decode()
    CurveWorksheet.objects.update(show_on_report_card=True)
    public = client.get("/public/c2c/").content.decode()
    assert "Fewer tutors" in public and "Pairing older pupils" in public and "Dana" not in public


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_figure_groups_its_thousands(language):
    """The cards' headline, their tables, the embed and the report card's PDF wrote 2727 and
    1234567 where the funding page wrote 7,600,000."""
    from measurement.templatetags.measurement_tags import figure

    with translation.override(language):
        assert figure(2727.0, 1) == "2,727"
        assert figure(1234567.891) == "1,234,567.89"
        assert figure(49.06) == "49.06" and figure(None) == "—"
