"""Every page and endpoint of mutually reinforcing activities in the uniform permission matrix.

Who may do what: backbone staff everything; the group's chair (the steering committee member
in these tests) changes the group's plan; a partner updates the activities its organisation
leads (the viewer works for the same organisation but only reads); the steering committee
member and the partner answer the survey for their organisation; everyone in the initiative
reads; outsiders get 404."""

import pytest
from django.urls import reverse

from workgroups import services

from ..permission_matrix import (
    BACKBONE_ONLY,
    EVERY_MEMBER,
    Endpoint,
    build_world,
    check_permission,
    module_world,
    permission_cases,
)
from .conftest import build_wg

# The workgroups world (tests/workgroups/conftest.py's `wg`), built once for the module.
wg_once, wg = module_world("wg", lambda: build_wg(build_world()))


PLAN_EDITORS = frozenset({"backbone", "steering"})  # backbone staff and the group's chair
LEAD_UPDATERS = frozenset({"backbone", "steering", "partner"})  # ... and the lead organisation's partner
SURVEY_RESPONDENTS = frozenset({"backbone", "steering", "partner"})


def page(name, **kwargs):
    def url(w):
        resolved = {key: value(w) if callable(value) else value for key, value in kwargs.items()}
        return reverse(f"workgroups:{name}", kwargs={"slug": w.initiative.slug, **resolved})

    return url


def api(path):
    return lambda w: f"/api/v1/initiatives/{w.initiative.slug}/{path(w) if callable(path) else path}"


def _group(w):
    return w.group.pk


def _activity(w):
    return w.activity.pk


def _openable_wave(w):
    """The planned wave, the open one closed first: one wave is open at a time."""
    if w.open_wave.is_open:
        w.open_wave = services.wave_close(wave=w.open_wave, by=w.people["backbone"])
    return w.planned_wave


def _survey_answer(w):
    return {
        f"{w.community.pk}-contact": "3",
        f"{w.community.pk}-kinds": ["joint_planning"],
        f"{w.community.pk}-trust": "4",
        f"{w.community.pk}-value": "5",
    }


def _activity_form(w):
    return {
        "title": "Reading camps, summer",
        "description": "",
        "lead_organization": w.orgs["partner"].pk,
        "contributing_organizations": [w.orgs["funder"].pk],
        "start_date": "2026-01-01",
        "end_date": "2026-07-31",
        "status": "under_way",
        "strategy": w.strategies[0].pk,
    }


PAGES = [
    Endpoint("home", page("home"), EVERY_MEMBER),
    Endpoint("groups", page("groups"), EVERY_MEMBER),
    Endpoint("group-detail", page("group_detail", pk=_group), EVERY_MEMBER),
    Endpoint("activity-detail", page("activity_detail", pk=_activity), EVERY_MEMBER),
    Endpoint("alignment", page("alignment"), EVERY_MEMBER),
    Endpoint("network", page("network"), EVERY_MEMBER),
    Endpoint("network-wave", lambda w: page("network")(w) + f"?wave={w.closed_wave.pk}", EVERY_MEMBER),
    Endpoint("network-records", lambda w: page("network")(w) + "?wave=records", EVERY_MEMBER),
    Endpoint("waves", page("waves"), EVERY_MEMBER),
    # The steering committee: backbone staff.
    Endpoint("seat-add", page("seat_add"), BACKBONE_ONLY),
    Endpoint(
        "seat-add",
        page("seat_add"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "person_name": "A resident",
            "is_community_representative": "on",
            "seat_role": "member",
            "since": "2026-01-05",
        },
        ok=(302,),
    ),
    Endpoint("seat-edit", page("seat_edit", pk=lambda w: w.seat.pk), BACKBONE_ONLY),
    Endpoint(
        "seat-edit",
        page("seat_edit", pk=lambda w: w.seat.pk),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"seat_role": "chair", "since": "2026-01-05"},
        ok=(302,),
    ),
    Endpoint(
        "seat-remove", page("seat_remove", pk=lambda w: w.seat.pk), BACKBONE_ONLY, method="post", ok=(302,)
    ),
    # Working groups: backbone staff form and change them.
    Endpoint("group-create", page("group_create"), BACKBONE_ONLY),
    Endpoint(
        "group-create",
        page("group_create"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Work", "strategy": w.strategies[1].pk, "formed_on": "2026-02-01"},
        ok=(302,),
    ),
    Endpoint("group-edit", page("group_edit", pk=_group), BACKBONE_ONLY),
    Endpoint(
        "group-edit",
        page("group_edit", pk=_group),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "name": "Early Literacy Group",
            "strategy": w.strategies[0].pk,
            "chair": w.memberships["steering"].pk,
            "formed_on": "2026-02-01",
        },
        ok=(302,),
    ),
    # The group's plan and members: backbone staff and the chair.
    Endpoint("member-add", page("group_member_add", pk=_group), PLAN_EDITORS),
    Endpoint(
        "member-add",
        page("group_member_add", pk=_group),
        PLAN_EDITORS,
        method="post",
        data=lambda w: {"organization": w.orgs["backbone"].pk},
        ok=(302,),
    ),
    Endpoint(
        "member-remove",
        page("group_member_remove", pk=_group, member=lambda w: w.partner_member.pk),
        PLAN_EDITORS,
        method="post",
        ok=(302,),
    ),
    Endpoint("activity-create", page("activity_create", pk=_group), PLAN_EDITORS),
    Endpoint(
        "activity-create",
        page("activity_create", pk=_group),
        PLAN_EDITORS,
        method="post",
        data=_activity_form,
        ok=(302,),
    ),
    # An activity: also the partner whose organisation leads it.
    Endpoint("activity-edit", page("activity_edit", pk=_activity), LEAD_UPDATERS),
    Endpoint(
        "activity-edit",
        page("activity_edit", pk=_activity),
        LEAD_UPDATERS,
        method="post",
        data=_activity_form,
        ok=(302,),
    ),
    Endpoint(
        "activity-progress",
        page("activity_progress", pk=_activity),
        LEAD_UPDATERS,
        method="post",
        data=lambda w: {"note": "Camps full.", "status": "under_way"},
        ok=(302,),
    ),
    # Survey waves: backbone staff run them; respondents answer.
    Endpoint(
        "wave-create",
        page("waves"),
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Wave 9"},
        ok=(302,),
    ),
    Endpoint(
        "wave-open",
        page("wave_open", pk=lambda w: w.planned_wave.pk),
        BACKBONE_ONLY,
        method="post",
        ok=(302,),
    ),
    Endpoint(
        "wave-close", page("wave_close", pk=lambda w: w.open_wave.pk), BACKBONE_ONLY, method="post", ok=(302,)
    ),
    Endpoint(
        "wave-compute",
        page("wave_compute", pk=lambda w: w.closed_wave.pk),
        BACKBONE_ONLY,
        method="post",
        ok=(302,),
    ),
    Endpoint("survey", page("survey", pk=lambda w: w.open_wave.pk), SURVEY_RESPONDENTS),
    Endpoint(
        "survey",
        page("survey", pk=lambda w: w.open_wave.pk),
        SURVEY_RESPONDENTS,
        method="post",
        data=_survey_answer,
        ok=(302,),
    ),
]

API = [
    Endpoint("api-seats", api("steering-seats/"), EVERY_MEMBER, api=True),
    Endpoint("api-seat", api(lambda w: f"steering-seats/{w.seat.pk}/"), EVERY_MEMBER, api=True),
    Endpoint("api-groups", api("working-groups/"), EVERY_MEMBER, api=True),
    Endpoint("api-group", api(lambda w: f"working-groups/{w.group.pk}/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-group-create",
        api("working-groups/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        data=lambda w: {"name": "Work", "strategy": w.strategies[1].pk},
        ok=(201,),
    ),
    Endpoint(
        "api-group-patch",
        api(lambda w: f"working-groups/{w.group.pk}/"),
        BACKBONE_ONLY,
        method="patch",
        api=True,
        data=lambda w: {"meeting_rhythm": "Weekly"},
    ),
    Endpoint("api-members", api("working-group-members/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-member-add",
        api("working-group-members/"),
        PLAN_EDITORS,
        method="post",
        api=True,
        data=lambda w: {"group": w.group.pk, "organization": w.orgs["backbone"].pk},
        ok=(201,),
    ),
    Endpoint(
        "api-member-delete",
        api(lambda w: f"working-group-members/{w.partner_member.pk}/"),
        PLAN_EDITORS,
        method="delete",
        api=True,
        ok=(204,),
    ),
    Endpoint("api-activities", api("activities/"), EVERY_MEMBER, api=True),
    Endpoint("api-activity", api(lambda w: f"activities/{w.activity.pk}/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-activity-create",
        api("activities/"),
        PLAN_EDITORS,
        method="post",
        api=True,
        data=lambda w: {
            "working_group": w.group.pk,
            "title": "Library hours",
            "lead_organization": w.orgs["funder"].pk,
            "start_date": "2026-03-01",
        },
        ok=(201,),
    ),
    Endpoint(
        "api-activity-patch",
        api(lambda w: f"activities/{w.activity.pk}/"),
        LEAD_UPDATERS,
        method="patch",
        api=True,
        data=lambda w: {"end_date": "2026-08-31"},
    ),
    Endpoint("api-updates", api(lambda w: f"activities/{w.activity.pk}/updates/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-update-add",
        api(lambda w: f"activities/{w.activity.pk}/updates/"),
        LEAD_UPDATERS,
        method="post",
        api=True,
        data=lambda w: {"note": "Half way.", "status": "under_way"},
        ok=(201,),
    ),
    Endpoint("api-waves", api("tie-waves/"), EVERY_MEMBER, api=True),
    Endpoint("api-wave", api(lambda w: f"tie-waves/{w.closed_wave.pk}/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-wave-open",
        api(lambda w: f"tie-waves/{_openable_wave(w).pk}/open/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        route="workgroups-api:tie-wave-open",
    ),
    Endpoint(
        "api-wave-close",
        api(lambda w: f"tie-waves/{w.open_wave.pk}/close/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
    ),
    Endpoint(
        "api-wave-compute",
        api(lambda w: f"tie-waves/{w.closed_wave.pk}/compute/"),
        BACKBONE_ONLY,
        method="post",
        api=True,
        ok=(202,),
    ),
    Endpoint("api-ties", api("ties/"), EVERY_MEMBER, api=True),
    Endpoint(
        "api-tie-add",
        api("ties/"),
        SURVEY_RESPONDENTS,
        method="post",
        api=True,
        data=lambda w: {
            "wave": w.open_wave.pk,
            "to_organization": w.community.pk,
            "contact_frequency": 3,
            "kinds": ["information_sharing"],
            "trust": 4,
            "value": 4,
        },
        ok=(201,),
    ),
    Endpoint("api-metrics", api("network-metrics/"), EVERY_MEMBER, api=True),
    Endpoint("api-metric", api(lambda w: f"network-metrics/{w.metrics.pk}/"), EVERY_MEMBER, api=True),
    Endpoint("api-record-ties", api("record-ties/"), EVERY_MEMBER, api=True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(PAGES))
def test_workgroups_page_permissions(client, wg, endpoint, persona):
    check_permission(client, wg, endpoint, persona)


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "persona"), permission_cases(API))
def test_workgroups_api_permissions(client, wg, endpoint, persona):
    check_permission(client, wg, endpoint, persona)


# Another initiative's objects, asked for below this initiative's address: 404, never their data.
FOREIGN = [
    page("seat_edit", pk=lambda w: w.other_seat.pk),
    page("seat_remove", pk=lambda w: w.other_seat.pk),
    page("group_detail", pk=lambda w: w.other_group.pk),
    page("group_edit", pk=lambda w: w.other_group.pk),
    page("group_member_add", pk=lambda w: w.other_group.pk),
    page("group_member_remove", pk=_group, member=lambda w: w.other_member.pk),
    page("activity_create", pk=lambda w: w.other_group.pk),
    page("activity_detail", pk=lambda w: w.other_activity.pk),
    page("activity_edit", pk=lambda w: w.other_activity.pk),
    page("activity_progress", pk=lambda w: w.other_activity.pk),
    page("wave_open", pk=lambda w: w.other_wave.pk),
    page("wave_close", pk=lambda w: w.other_wave.pk),
    page("wave_compute", pk=lambda w: w.other_wave.pk),
    page("survey", pk=lambda w: w.other_wave.pk),
    lambda w: page("network")(w) + f"?wave={w.other_wave.pk}",
    api(lambda w: f"steering-seats/{w.other_seat.pk}/"),
    api(lambda w: f"working-groups/{w.other_group.pk}/"),
    api(lambda w: f"working-group-members/{w.other_member.pk}/"),
    api(lambda w: f"activities/{w.other_activity.pk}/"),
    api(lambda w: f"activities/{w.other_activity.pk}/updates/"),
    api(lambda w: f"tie-waves/{w.other_wave.pk}/"),
    api(lambda w: f"tie-waves/{w.other_wave.pk}/close/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", FOREIGN)
def test_another_initiatives_objects_are_404(client, wg, url):
    client.force_login(wg.people["backbone"])
    responses = [client.get(url(wg)), client.post(url(wg))]
    statuses = [r.status_code for r in responses]
    # 404 for the method the address serves (405 only for a method it never serves).
    assert 404 in statuses and set(statuses) <= {404, 405}, statuses
    for response in responses:
        assert b"Their" not in response.content and b"Someone" not in response.content
