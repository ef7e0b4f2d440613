"""The demo (manage.py seed_demo) shows, in each of its two initiatives (Be'er Sheva in Hebrew,
Riverside in English), the steering committee, a working group with an action plan per key strategy
of the agenda's current version, the alignment, and a collaboration network with two survey waves
and their change, written in the initiative's language; and every page of the component answers
on it."""

import pytest
from django.urls import reverse

from agenda.selectors import current_strategies
from initiatives.choices import Area, Phase
from initiatives.selectors import platform_evidence
from workgroups import selectors
from workgroups.choices import MetricsStatus, WaveStatus
from workgroups.demo import CONTENT
from workgroups.models import (
    Activity,
    ActivityUpdate,
    NetworkMetrics,
    SteeringCommitteeSeat,
    TieSurveyWave,
    WorkingGroup,
)

from ..demo_words import assert_written_in

pytestmark = pytest.mark.django_db


# What workgroups/demo.py writes: (model, lookup to the initiative, fields).
WRITTEN = [
    (SteeringCommitteeSeat, "initiative", ["person_name"]),
    (WorkingGroup, "initiative", ["name", "purpose", "meeting_rhythm"]),
    (Activity, "working_group__initiative", ["title"]),
    (ActivityUpdate, "activity__working_group__initiative", ["note"]),
    (TieSurveyWave, "initiative", ["name"]),
]


@pytest.fixture
def seeded(demo_languages):
    return demo_languages


@pytest.fixture
def demo(seeded):
    return seeded["he"]


def test_both_initiatives_have_the_whole_component_in_their_language(seeded):
    for language, initiative in seeded.items():
        assert_written_in(initiative, WRITTEN, language)
        _has_the_whole_component(initiative)
    names = {
        language: sorted(g.name for g in initiative.working_groups.all())
        for language, initiative in seeded.items()
    }
    assert names == {language: sorted(g[0] for g in words["groups"]) for language, words in CONTENT.items()}


def _has_the_whole_component(demo):
    seats = list(selectors.steering_committee(demo))
    assert len(seats) >= 4 and any(s.is_community_representative for s in seats)
    assert len({s.sector for s in seats}) >= 3

    groups = selectors.working_groups(demo)
    strategies = [item.strategy_id for item in current_strategies(demo)]
    assert len(groups) >= 3
    assert sorted(g.strategy_id for g in groups) == sorted(strategies)  # one per key strategy of v2
    for group in groups:
        assert group.chair is not None
        assert len(selectors.action_plan(group)) >= 3

    alignment = selectors.alignment(demo)
    assert [s.id for s in alignment.strategies] == strategies
    assert all(n > 0 for n in alignment.activity_counts)

    waves = selectors.tie_waves(demo)
    assert [w.status for w in waves] == [WaveStatus.CLOSED, WaveStatus.CLOSED]
    first, second = (NetworkMetrics.objects.get(wave=w) for w in waves)
    assert first.status == second.status == MetricsStatus.DONE
    assert second.previous_wave_id == first.wave_id
    assert second.density > first.density and second.change["density"] > 0
    assert second.change["new_ties"] > 0

    evidence = platform_evidence(demo)
    assert (Phase.INITIATE_ACTION, Area.GOVERNANCE) in evidence
    assert (Phase.ORGANIZE_FOR_IMPACT, Area.GOVERNANCE) in evidence


def test_every_page_answers_on_the_demo(client, demo):
    client.force_login(demo.memberships.get(user__username="backbone").user)
    group = demo.working_groups.first()
    activity = group.activities.first()
    wave = demo.tie_waves.first()
    for name, kwargs in (
        ("home", {}),
        ("groups", {}),
        ("group_detail", {"pk": group.pk}),
        ("group_edit", {"pk": group.pk}),
        ("activity_detail", {"pk": activity.pk}),
        ("activity_edit", {"pk": activity.pk}),
        ("activity_create", {"pk": group.pk}),
        ("alignment", {}),
        ("network", {}),
        ("waves", {}),
        ("survey", {"pk": wave.pk}),
    ):
        response = client.get(reverse(f"workgroups:{name}", kwargs={"slug": demo.slug, **kwargs}))
        assert response.status_code == 200, name
    body = client.get(reverse("workgroups:network", kwargs={"slug": demo.slug})).content.decode()
    assert f"Change since {CONTENT['he']['waves'][0]}" in body
