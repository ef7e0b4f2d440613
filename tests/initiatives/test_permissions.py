import pytest
from django.urls import reverse

from initiatives.choices import MilestoneStatus, Role

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)

# tests/conftest.py's `world`, built once for the module.
world_once, world = module_world("world", build_world)


def page(name, **kwargs):
    return lambda w: reverse(name, kwargs={"slug": w.initiative.slug, **kwargs})


def viewer_membership(w):
    return w.initiative.memberships.get(role=Role.VIEWER).pk


PAGES = [
    Endpoint("overview", page("initiatives:overview"), EVERY_MEMBER),
    Endpoint("edit", page("initiatives:edit"), BACKBONE_ONLY),
    Endpoint(
        "edit",
        page("initiatives:edit"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Renamed", "issue": "x", "place": "y", "topic": "education"},
        ok=(302,),
    ),
    Endpoint("phase", page("initiatives:phase_change"), BACKBONE_ONLY),
    Endpoint(
        "phase",
        page("initiatives:phase_change"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"to_phase": 2, "reason": "pilot"},
        ok=(302,),
    ),
    Endpoint("milestone", page("initiatives:milestone_edit", phase=1, area="governance"), BACKBONE_ONLY),
    Endpoint(
        "milestone",
        page("initiatives:milestone_edit", phase=1, area="governance"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"status": MilestoneStatus.DONE, "evidence": "memo"},
        ok=(302,),
    ),
    Endpoint("readiness", page("initiatives:readiness"), EVERY_MEMBER),
    Endpoint(
        "readiness",
        page("initiatives:readiness"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "champion": "met",
            "champion_evidence": "a",
            "funding": "met",
            "funding_evidence": "b",
            "urgency": "met",
            "urgency_evidence": "c",
        },
        ok=(302,),
    ),
    Endpoint("fit", page("initiatives:fit"), EVERY_MEMBER),
    Endpoint(
        "fit",
        page("initiatives:fit"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: FIT_ANSWERS,
        ok=(302,),
    ),
    Endpoint("members", page("initiatives:members"), EVERY_MEMBER),
    Endpoint("invite", page("initiatives:invite"), BACKBONE_ONLY),
    Endpoint(
        "invite",
        page("initiatives:invite"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"email": "new@example.org", "role": "partner", "organization": w.orgs["partner"].pk},
        ok=(302,),
    ),
    Endpoint(
        "membership-edit",
        lambda w: page("initiatives:membership_edit", pk=viewer_membership(w))(w),
        BACKBONE_ONLY,
    ),
    Endpoint(
        "membership-edit",
        lambda w: page("initiatives:membership_edit", pk=viewer_membership(w))(w),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"role": "partner", "organization": w.orgs["partner"].pk},
        ok=(302,),
    ),
    Endpoint(
        "membership-remove",
        lambda w: page("initiatives:membership_remove", pk=viewer_membership(w))(w),
        BACKBONE_ONLY,
    ),
    Endpoint(
        "membership-remove",
        lambda w: page("initiatives:membership_remove", pk=viewer_membership(w))(w),
        BACKBONE_ONLY,
        method="post",
        ok=(302,),
    ),
    Endpoint("organizations", page("initiatives:organizations"), EVERY_MEMBER),
    Endpoint("organization-add", page("initiatives:organization_add"), BACKBONE_ONLY),
    Endpoint(
        "organization-add",
        page("initiatives:organization_add"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"organization": w.orgs["other"].pk},
        ok=(302,),
    ),
    Endpoint("organization-create", page("initiatives:organization_create"), BACKBONE_ONLY),
    Endpoint(
        "organization-create",
        page("initiatives:organization_create"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Brand New Org", "sector": "business"},
        ok=(302,),
    ),
    *[
        Endpoint(component, page(f"{component}:home"), EVERY_MEMBER)
        for component in ("agenda", "measurement", "workgroups", "communication", "backbone")
    ],
]


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path}"


def milestone_url(w):
    return api(f"milestones/{w.initiative.milestones.get(phase=1, area='governance').pk}/")(w)


API = [
    Endpoint("api-initiative", lambda w: f"/api/v1/initiatives/{w.initiative.slug}/", EVERY_MEMBER, api=True),
    Endpoint("api-members", api("members/"), EVERY_MEMBER, api=True),
    Endpoint("api-member", lambda w: api(f"members/{viewer_membership(w)}/")(w), EVERY_MEMBER, api=True),
    Endpoint("api-organizations", api("organizations/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-organization", lambda w: api(f"organizations/{w.orgs['partner'].pk}/")(w), EVERY_MEMBER, api=True
    ),
    Endpoint("api-milestones", api("milestones/"), EVERY_MEMBER, api=True),
    Endpoint("api-milestone", milestone_url, EVERY_MEMBER, api=True),
    Endpoint(
        "api-milestone",
        milestone_url,
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"status": "done"},
    ),
    Endpoint("api-phase-transitions", api("phase-transitions/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-phase-transition",
        lambda w: api(f"phase-transitions/{_transition(w).pk}/")(w),
        EVERY_MEMBER,
        api=True,
    ),
    Endpoint("api-guidance", api("guidance/"), EVERY_MEMBER, api=True),
    Endpoint("api-fit-assessments", api("fit-assessments/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-fit-assessment", lambda w: api(f"fit-assessments/{_fit(w).pk}/")(w), EVERY_MEMBER, api=True
    ),
    Endpoint(
        "api-fit-assessments",
        api("fit-assessments/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: FIT_ANSWERS,
        ok=(201,),
    ),
]

FIT_ANSWERS = {
    "solution_exists": "unknown",
    "solution_copyable": "no",
    "solver": "no_single_body",
    "problem_traits": "changing",
    "solution_knowable": "unknowable",
    "solution_traits": "everyone",
    "social_problem": "yes",
}


def _fit(w, initiative=None):
    from initiatives import services

    initiative = initiative or w.initiative
    existing = initiative.fit_assessments.first()
    by = initiative.memberships.get(role=Role.BACKBONE).user
    return existing or services.fit_assess(initiative=initiative, by=by, **FIT_ANSWERS)


def _transition(w):
    """The initiative's move to Initiate Action (made the first time it is asked for)."""
    from initiatives import services

    existing = w.initiative.phase_transitions.first()
    by = w.initiative.memberships.get(role=Role.BACKBONE).user
    return existing or services.phase_change(initiative=w.initiative, by=by, to_phase=2, reason="pilot")


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_page_permissions(client, world, endpoint, persona):
    check_permission(client, world, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_api_permissions(client, world, endpoint, persona):
    check_permission(client, world, endpoint, persona)


# Objects of another initiative, reached through this initiative's URL, are 404 even for its backbone.
CROSS_INITIATIVE = [
    (
        "get",
        lambda w: reverse(
            "initiatives:membership_edit",
            kwargs={"slug": w.initiative.slug, "pk": w.other.memberships.first().pk},
        ),
    ),
    (
        "post",
        lambda w: reverse(
            "initiatives:membership_remove",
            kwargs={"slug": w.initiative.slug, "pk": w.other.memberships.first().pk},
        ),
    ),
    (
        "post",
        lambda w: reverse(
            "initiatives:invitation_revoke", kwargs={"slug": w.initiative.slug, "pk": _other_invitation(w).pk}
        ),
    ),
    ("get", lambda w: f"/api/v1/initiatives/{w.initiative.slug}/milestones/{w.other.milestones.first().pk}/"),
    ("get", lambda w: f"/api/v1/initiatives/{w.initiative.slug}/members/{w.other.memberships.first().pk}/"),
    ("get", lambda w: f"/api/v1/initiatives/{w.initiative.slug}/fit-assessments/{_fit(w, w.other).pk}/"),
    ("get", lambda w: "/initiatives/no-such-initiative/"),
    (
        "get",
        lambda w: reverse(
            "initiatives:milestone_edit", kwargs={"slug": w.initiative.slug, "phase": 9, "area": "governance"}
        ),
    ),
    (
        "get",
        lambda w: reverse(
            "initiatives:milestone_edit", kwargs={"slug": w.initiative.slug, "phase": 1, "area": "nonsense"}
        ),
    ),
]


def _other_invitation(w):
    from initiatives import services

    invitation, _token = services.invitation_create(
        initiative=w.other,
        by=w.people["other_member"],
        email="x@example.org",
        role="viewer",
        organization=w.orgs["other"],
    )
    return invitation


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), CROSS_INITIATIVE)
def test_other_initiatives_objects_are_404_for_backbone(client, world, method, url):
    client.force_login(world.people["backbone"])
    response = getattr(client, method)(url(world))
    assert response.status_code == 404
    world.other.refresh_from_db()
    assert world.other.memberships.count() == 1


@pytest.mark.django_db
def test_api_initiative_list_shows_only_own_initiatives(client, world):
    client.force_login(world.people["viewer"])
    slugs = [i["slug"] for i in client.get("/api/v1/initiatives/").json()["results"]]
    assert slugs == ["c2c"]
    client.force_login(world.people["outsider"])
    assert client.get("/api/v1/initiatives/").json()["results"] == []
