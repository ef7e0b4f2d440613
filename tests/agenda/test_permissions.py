"""The common agenda's pages and endpoints in the uniform permission matrix."""

import pytest
from django.urls import reverse

from agenda import services
from agenda.choices import AgendaKind
from initiatives.choices import Role
from initiatives.permissions import ROLE_ACTIONS

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)

ENDORSERS = frozenset(role.value for role, actions in ROLE_ACTIONS.items() if "endorse" in actions)


# The world with a published v1 and an open draft, built once for the module.
agenda_world_once, agenda_world = module_world("agenda_world", lambda: _agenda(build_world()))


def _agenda(world):
    by = world.people["backbone"]
    draft = services.agenda_draft_start(initiative=world.initiative, by=by)
    draft = services.agenda_draft_save(
        draft=draft,
        by=by,
        revision=draft.revision,
        fields={"problem_statement": "Few children read well.", "goal": "All children read by eight."},
        figures=[{"statement": "38% read at grade level", "source": "Ministry", "year": 2025}],
        strategies=[{"title": "Early literacy", "rationale": "Start early."}],
        principles=["Data first"],
    )
    services.agenda_publish(draft=draft, by=by, change_summary="", kind=AgendaKind.PRELIMINARY)
    services.agenda_draft_start(initiative=world.initiative, by=by)
    return world


def page(name, **kwargs):
    return lambda w: reverse(name, kwargs={"slug": w.initiative.slug, **kwargs})


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path}"


def _strategy(w):
    return api(f"strategies/{w.initiative.strategies.first().pk}/")(w)


def _endorsement(w):
    """The steering member's endorsement of v1 (made the first time it is asked for)."""
    version = w.initiative.agenda_versions.get(number=1)
    endorsement = version.endorsements.first() or services.agenda_endorse(
        version=version, by=w.people["steering"], decision="endorse"
    )
    return api(f"endorsements/{endorsement.pk}/")(w)


PAGES = [
    Endpoint("agenda-home", page("agenda:home"), EVERY_MEMBER),
    Endpoint("agenda-version", page("agenda:version", number=1), EVERY_MEMBER),
    Endpoint("agenda-compare", lambda w: page("agenda:compare")(w) + "?a=1&b=1", EVERY_MEMBER),
    Endpoint(
        "agenda-endorse",
        page("agenda:endorse", number=1),
        ENDORSERS,
        method="post",
        data=lambda w: {"decision": "endorse", "comment": ""},
        ok=(302,),
    ),
    Endpoint("agenda-draft", page("agenda:draft"), BACKBONE_ONLY),
    Endpoint("agenda-draft-start", page("agenda:draft_start"), BACKBONE_ONLY, method="post", ok=(302,)),
    Endpoint(
        "agenda-publish",
        page("agenda:publish"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"kind": "full", "change_summary": "More"},
        ok=(302,),
    ),
    Endpoint("agenda-discard", page("agenda:discard"), BACKBONE_ONLY, method="post", ok=(302,)),
    Endpoint("agenda-settings", page("agenda:settings"), BACKBONE_ONLY),
    Endpoint(
        "agenda-settings",
        page("agenda:settings"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"adoption_rule": "all"},
        ok=(302,),
    ),
]

API = [
    Endpoint("api-agenda-versions", api("agenda-versions/"), EVERY_MEMBER, api=True),
    Endpoint("api-agenda-version", api("agenda-versions/1/"), EVERY_MEMBER, api=True),
    Endpoint("api-strategies", api("strategies/"), EVERY_MEMBER, api=True),
    Endpoint("api-strategy", _strategy, EVERY_MEMBER, api=True),
    Endpoint("api-endorsements", api("endorsements/"), EVERY_MEMBER, api=True),
    Endpoint("api-endorsement", _endorsement, EVERY_MEMBER, api=True),
    Endpoint(
        "api-endorse",
        api("endorsements/"),
        ENDORSERS,
        method="post",
        api=True,
        data=lambda w: {"version": 1, "decision": "endorse"},
        ok=(201,),
    ),
    Endpoint("api-agenda-draft", api("agenda-draft/"), BACKBONE_ONLY, api=True),
    Endpoint(
        "api-agenda-publish",
        api("agenda-draft/publish/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"kind": "full", "change_summary": "Second"},
        ok=(201,),
    ),
]


def test_endorsers_are_the_steering_committee_and_partners():
    assert frozenset({Role.STEERING, Role.PARTNER}) == ENDORSERS


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_agenda_page_permissions(client, agenda_world, endpoint, persona):
    check_permission(client, agenda_world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_agenda_api_permissions(client, agenda_world, endpoint, persona):
    check_permission(client, agenda_world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("agenda:version", kwargs={"slug": w.initiative.slug, "number": 99}),
        lambda w: f"/api/v1/initiatives/{w.initiative.slug}/agenda-versions/99/",
        lambda w: f"/api/v1/initiatives/{w.initiative.slug}/strategies/{w.other.pk * 1000}/",
    ],
)
def test_unknown_versions_are_404(client, agenda_world, url):
    client.force_login(agenda_world.people["backbone"])
    assert client.get(url(agenda_world)).status_code == 404


@pytest.mark.django_db
def test_other_initiatives_strategy_is_404(client, agenda_world):
    other = agenda_world.other
    by = agenda_world.people["other_member"]
    draft = services.agenda_draft_start(initiative=other, by=by)
    services.agenda_draft_save(
        draft=draft,
        by=by,
        revision=draft.revision,
        fields={"problem_statement": "p", "goal": "g"},
        figures=[],
        strategies=[{"title": "Theirs"}],
        principles=[],
    )
    foreign = other.strategies.get()
    client.force_login(agenda_world.people["backbone"])
    response = client.get(f"/api/v1/initiatives/{agenda_world.initiative.slug}/strategies/{foreign.pk}/")
    assert response.status_code == 404
