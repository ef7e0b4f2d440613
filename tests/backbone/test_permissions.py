"""The backbone's pages and endpoints in the uniform permission matrix, and another initiative's
objects as 404."""

from datetime import date

import pytest
from django.urls import reverse

from backbone.models import BackboneFunction

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)
from .conftest import build_bb_world, seed_records

# The backbone's world (tests/backbone/conftest.py's `bb_world`), built once for the module.
bb_world_once, bb_world = module_world("bb_world", lambda: build_bb_world(build_world()))


DETAIL = frozenset({"backbone", "steering"})


def page(name, **kwargs):
    def url(w):
        resolved = {k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
        return reverse(f"backbone:{name}", kwargs={"slug": w.initiative.slug, **resolved})

    return url


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/backbone/{path(w) if callable(path) else path}"


def wave_pk(w):
    return w.wave.pk


FUNDING = {
    "funder_name": "Negev Fund",
    "funder_type": "philanthropy",
    "recipient": "initiative",
    "kind": "new",
    "amount": "5000",
    "year": "2025",
    "committed_on": "2025-05-01",
    "description": "",
}
POLICY = {
    "occurred_on": "2025-05-01",
    "kind": "briefing",
    "title": "A briefing",
    "level": "local",
    "policymakers": "3",
    "alignment": "",
}
COMMUNITY = {
    "held_on": "2025-05-01",
    "kind": "information",
    "title": "Stand",
    "reached": "40",
    "supporters": "5",
    "took_action": "1",
}


COMMITMENT = {
    "funder_name": "Negev Fund",
    "funder_type": "philanthropy",
    "recipient": "backbone",
    "kind": "new",
    "committed_on": "2025-05-01",
    "first_year": "2026",
    "amount_0": "1000",
    "amount_1": "1000",
}
FUNDER = {"funder_type": "philanthropy", "is_anchor": "on", "joined": "founding", "joined_on": "2024-01-01"}
PROFILE = {"kind": "nonprofit", "neutrality": "The steering committee decides; the backbone facilitates."}


def profile_url(w):
    """The profile's API address, with a profile described first (404 until then)."""
    from backbone import services
    from backbone.models import BackboneProfile

    if not BackboneProfile.objects.filter(initiative=w.initiative).exists():
        services.backbone_profile_save(initiative=w.initiative, by=w.people["backbone"], **PROFILE)
    return api("profile/")(w)


def _post(name, data=None, **kwargs):
    return Endpoint(
        f"{name}-post",
        page(name, **kwargs),
        BACKBONE_ONLY,
        method="post",
        data=(lambda w: (data(w) if callable(data) else data) or {}),
        ok=(302,),
    )


PAGES = [
    Endpoint("scorecard", page("home"), EVERY_MEMBER),
    Endpoint("scorecard-period", lambda w: page("home")(w) + "?period=2025-H1", EVERY_MEMBER),
    Endpoint("indicator", page("indicator", number=10), DETAIL),
    Endpoint("catalogue", page("catalogue"), EVERY_MEMBER),
    Endpoint("funding", page("funding"), EVERY_MEMBER),
    Endpoint("policy", page("policy"), EVERY_MEMBER),
    Endpoint("community", page("community"), EVERY_MEMBER),
    _post("recompute"),
    Endpoint("indicator-create", page("indicator_create"), BACKBONE_ONLY),
    # The function by its code: the catalogue is restored after a flush, under new keys.
    _post(
        "indicator_create",
        lambda w: {"function": BackboneFunction.objects.get(code="A").pk, "name_en": "Own"},
    ),
    Endpoint("indicator-label", page("indicator_label", number=4), BACKBONE_ONLY),
    _post("indicator_label", {"name_en": "Ours", "name_he": ""}, number=4),
    Endpoint("item-create", page("item_create"), BACKBONE_ONLY),
    Endpoint("waves", page("waves"), BACKBONE_ONLY),
    Endpoint("wave-create", page("wave_create"), BACKBONE_ONLY),
    Endpoint("wave", page("wave", pk=wave_pk), BACKBONE_ONLY),
    _post(
        "respondents_add", {"external": "x@example.org, X", "group": "funder", "language": "en"}, pk=wave_pk
    ),
    _post("wave_send", pk=wave_pk),
    _post("wave_remind", pk=wave_pk),
    _post("wave_close", pk=wave_pk),
    Endpoint("funding-create", page("funding_create"), BACKBONE_ONLY),
    _post("funding_create", FUNDING),
    Endpoint("funding-edit", page("funding_edit", pk=lambda w: w.entry.pk), BACKBONE_ONLY),
    _post("funding_delete", pk=lambda w: w.entry.pk),
    Endpoint("policy-create", page("policy_create"), BACKBONE_ONLY),
    _post("policy_create", POLICY),
    Endpoint("policy-edit", page("policy_edit", pk=lambda w: w.policy.pk), BACKBONE_ONLY),
    _post("policy_delete", pk=lambda w: w.policy.pk),
    Endpoint("community-create", page("community_create"), BACKBONE_ONLY),
    _post("community_create", COMMUNITY),
    Endpoint("community-edit", page("community_edit", pk=lambda w: w.event.pk), BACKBONE_ONLY),
    _post("community_delete", pk=lambda w: w.event.pk),
    Endpoint("profile", page("profile"), EVERY_MEMBER),
    Endpoint("profile-edit", page("profile_edit"), BACKBONE_ONLY),
    _post("profile_edit", PROFILE),
    Endpoint("funding-commitment", page("funding_commitment"), BACKBONE_ONLY),
    _post("funding_commitment", COMMITMENT),
    Endpoint("funder-edit", page("funder_edit", pk=lambda w: w.entry.funder_id), BACKBONE_ONLY),
    _post("funder_edit", FUNDER, pk=lambda w: w.entry.funder_id),
]

API = [
    Endpoint("api-functions", api("functions/"), EVERY_MEMBER, api=True),
    Endpoint("api-function", api("functions/A/"), EVERY_MEMBER, api=True),  # of the catalogue
    Endpoint("api-indicators", api("indicators/"), EVERY_MEMBER, api=True),
    Endpoint("api-indicator", api("indicators/10/"), EVERY_MEMBER, api=True),
    Endpoint("api-periods", api("periods/"), EVERY_MEMBER, api=True),
    Endpoint("api-period", api(lambda w: f"periods/{w.wave.period.code}/"), EVERY_MEMBER, api=True),
    Endpoint("api-function-scores", api("function-scores/"), EVERY_MEMBER, api=True),
    Endpoint("api-funding-summary", api("funding-summary/"), EVERY_MEMBER, api=True),
    Endpoint("api-policy", api("policy-entries/"), EVERY_MEMBER, api=True),
    Endpoint("api-policy-entry", api(lambda w: f"policy-entries/{w.policy.pk}/"), EVERY_MEMBER, api=True),
    Endpoint("api-community", api("community-events/"), EVERY_MEMBER, api=True),
    Endpoint("api-community-event", api(lambda w: f"community-events/{w.event.pk}/"), EVERY_MEMBER, api=True),
    Endpoint("api-waves", api("waves/"), DETAIL, api=True),
    Endpoint("api-wave", api(lambda w: f"waves/{w.wave.pk}/"), DETAIL, api=True),
    Endpoint("api-indicator-scores", api("indicator-scores/"), DETAIL, api=True),
    Endpoint("api-funding", api("funding-entries/"), DETAIL, api=True),
    Endpoint("api-funding-entry", api(lambda w: f"funding-entries/{w.entry.pk}/"), DETAIL, api=True),
    Endpoint(
        "api-funding-create",
        api("funding-entries/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {**{k: v for k, v in FUNDING.items() if k != "funder_name"}, "funder": "Negev Fund"},
        ok=(201,),
    ),
    Endpoint(
        "api-funding-patch",
        api(lambda w: f"funding-entries/{w.entry.pk}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"amount": "130000"},
    ),
    Endpoint(
        "api-funding-delete",
        api(lambda w: f"funding-entries/{w.entry.pk}/"),
        BACKBONE_ONLY,
        method="delete",
        api=True,
        ok=(204,),
    ),
    Endpoint(
        "api-policy-create",
        api("policy-entries/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: POLICY,
        ok=(201,),
    ),
    Endpoint(
        "api-policy-patch",
        api(lambda w: f"policy-entries/{w.policy.pk}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"policymakers": 6},
    ),
    Endpoint(
        "api-policy-delete",
        api(lambda w: f"policy-entries/{w.policy.pk}/"),
        BACKBONE_ONLY,
        method="delete",
        api=True,
        ok=(204,),
    ),
    Endpoint(
        "api-community-create",
        api("community-events/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: COMMUNITY,
        ok=(201,),
    ),
    Endpoint(
        "api-community-patch",
        api(lambda w: f"community-events/{w.event.pk}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"reached": 90},
    ),
    Endpoint(
        "api-community-delete",
        api(lambda w: f"community-events/{w.event.pk}/"),
        BACKBONE_ONLY,
        method="delete",
        api=True,
        ok=(204,),
    ),
    Endpoint("api-recompute", api("recompute/"), BACKBONE_ONLY, method="post", api=True, ok=(202,)),
    Endpoint("api-funders", api("funders/"), DETAIL, api=True),
    Endpoint("api-funder", api(lambda w: f"funders/{w.entry.funder_id}/"), DETAIL, api=True),
    Endpoint(
        "api-funder-patch",
        api(lambda w: f"funders/{w.entry.funder_id}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"is_anchor": True, "joined": "founding"},
    ),
    Endpoint(
        "api-funding-commitments",
        api("funding-commitments/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {
            "funder": "Negev Fund",
            "funder_type": "philanthropy",
            "recipient": "backbone",
            "kind": "new",
            "committed_on": "2025-05-01",
            "amounts": {"2026": "1000", "2027": "1000"},
        },
        ok=(201,),
    ),
    Endpoint("api-profile", profile_url, EVERY_MEMBER, api=True),
    Endpoint(
        "api-profile-put",
        api("profile/"),
        BACKBONE_ONLY,
        method="put",
        api=True,
        data=lambda w: {**PROFILE, "organizations": [w.orgs["backbone"].pk]},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_backbone_page_permissions(client, bb_world, endpoint, persona, eager_tasks):
    check_permission(client, bb_world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_backbone_api_permissions(client, bb_world, endpoint, persona, eager_tasks):
    check_permission(client, bb_world, endpoint, persona)


@pytest.fixture
def theirs(bb_world):
    """The other initiative's wave, ledger entry, log entry, event and own indicator."""
    w = bb_world
    by = w.people["other_member"]
    from backbone import services
    from backbone.models import BackboneFunction
    from backbone.models import SurveyItem as Item

    wave = services.wave_create(
        initiative=w.other,
        by=by,
        title="Theirs",
        period_code="2025-H1",
        closes_on=date(2099, 1, 1),
        items=list(Item.objects.filter(code="partner-1")),
    )
    entry, policy, event = seed_records(w, initiative=w.other, by=by)
    indicator = services.indicator_create(
        initiative=w.other, by=by, function=BackboneFunction.objects.get(code="A"), name_en="Their own"
    )
    return {"wave": wave, "entry": entry, "policy": policy, "event": event, "indicator": indicator}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        lambda w, t: reverse("backbone:wave", kwargs={"slug": w.initiative.slug, "pk": t["wave"].pk}),
        lambda w, t: reverse(
            "backbone:funding_edit", kwargs={"slug": w.initiative.slug, "pk": t["entry"].pk}
        ),
        lambda w, t: reverse(
            "backbone:policy_edit", kwargs={"slug": w.initiative.slug, "pk": t["policy"].pk}
        ),
        lambda w, t: reverse(
            "backbone:community_edit", kwargs={"slug": w.initiative.slug, "pk": t["event"].pk}
        ),
        lambda w, t: reverse(
            "backbone:indicator", kwargs={"slug": w.initiative.slug, "number": t["indicator"].number}
        ),
        lambda w, t: reverse("backbone:indicator", kwargs={"slug": w.initiative.slug, "number": 99}),
        lambda w, t: f"/api/v1/initiatives/{w.initiative.slug}/backbone/waves/{t['wave'].pk}/",
        lambda w, t: f"/api/v1/initiatives/{w.initiative.slug}/backbone/funding-entries/{t['entry'].pk}/",
        lambda w, t: f"/api/v1/initiatives/{w.initiative.slug}/backbone/policy-entries/{t['policy'].pk}/",
        lambda w, t: f"/api/v1/initiatives/{w.initiative.slug}/backbone/community-events/{t['event'].pk}/",
        lambda w, t: f"/api/v1/initiatives/{w.initiative.slug}/backbone/indicators/{t['indicator'].number}/",
        lambda w, t: reverse(
            "backbone:funder_edit", kwargs={"slug": w.initiative.slug, "pk": t["entry"].funder_id}
        ),
        lambda w, t: f"/api/v1/initiatives/{w.initiative.slug}/backbone/funders/{t['entry'].funder_id}/",
    ],
)
def test_another_initiatives_objects_are_404(client, bb_world, theirs, url):
    client.force_login(bb_world.people["backbone"])
    assert client.get(url(bb_world, theirs)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["wave_send", "wave_remind", "wave_close", "respondents_add"])
def test_another_initiatives_wave_cannot_be_acted_on(client, bb_world, theirs, action):
    client.force_login(bb_world.people["backbone"])
    url = reverse(f"backbone:{action}", kwargs={"slug": bb_world.initiative.slug, "pk": theirs["wave"].pk})
    assert (
        client.post(url, {"external": "a@example.org", "group": "funder", "language": "en"}).status_code
        == 404
    )
    theirs["wave"].refresh_from_db()
    assert theirs["wave"].status == "draft" and not theirs["wave"].respondents.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["funding", "policy", "community"])
def test_another_initiatives_records_cannot_be_deleted_or_changed(client, bb_world, theirs, kind):
    client.force_login(bb_world.people["backbone"])
    key = {"funding": "entry", "policy": "policy", "community": "event"}[kind]
    obj = theirs[key]
    slug = bb_world.initiative.slug
    assert (
        client.post(reverse(f"backbone:{kind}_delete", kwargs={"slug": slug, "pk": obj.pk})).status_code
        == 404
    )
    path = {"funding": "funding-entries", "policy": "policy-entries", "community": "community-events"}[kind]
    api_url = f"/api/v1/initiatives/{slug}/backbone/{path}/{obj.pk}/"
    assert client.delete(api_url).status_code == 404
    assert client.patch(api_url, data={"title": "x"}, content_type="application/json").status_code == 404
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
def test_a_wave_of_a_draft_initiative_is_not_leaked_in_the_api_list(client, bb_world, theirs):
    client.force_login(bb_world.people["backbone"])
    waves = client.get(f"/api/v1/initiatives/{bb_world.initiative.slug}/backbone/waves/").json()
    ids = [w["id"] for w in waves["results"]]
    assert ids == [bb_world.wave.pk]


def test_detail_roles_are_the_steering_committee_and_backbone():
    from backbone.permissions import DETAIL_ROLES

    assert {str(r) for r in DETAIL_ROLES} == DETAIL
