"""The REST endpoints: groups, memberships, activities and their progress, survey waves and ties,
network figures and record ties; the same refusals as the pages, as 400 with the message."""

import pytest

from workgroups import services
from workgroups.models import Activity, TieResponse, WorkingGroup

from ..permission_matrix import build_world, module_world
from .conftest import build_wg

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
wg_once, wg = module_world("wg", lambda: build_wg(build_world()))

BASE = "/api/v1/initiatives/c2c/"


def login(client, wg, persona="backbone"):
    client.force_login(wg.people[persona])
    return client


def post(client, path, data):
    return client.post(BASE + path, data=data, content_type="application/json")


def patch(client, path, data):
    return client.patch(BASE + path, data=data, content_type="application/json")


class TestGroups:
    def test_list_with_chair_members_and_strategy(self, client, wg):
        data = login(client, wg, "viewer").get(BASE + "working-groups/").json()
        assert data["count"] == 1
        group = data["results"][0]
        assert (group["name"], group["strategy"], group["strategy_title"]) == (
            "Early Literacy",
            wg.strategies[0].pk,
            "Early literacy",
        )
        assert group["chair"]["name"] == "steering" and group["chair"]["organization"]["name"] == "Funder Org"
        assert [m["name"] for m in group["members"]] == ["steering", "partner"]
        assert group["activity_count"] == 2

    def test_form_and_change_a_group(self, client, wg):
        login(client, wg)
        response = post(client, "working-groups/", {"name": "Work", "strategy": wg.strategies[1].pk})
        assert response.status_code == 201, response.content
        pk = response.json()["id"]
        response = patch(client, f"working-groups/{pk}/", {"meeting_rhythm": "Weekly"})
        assert response.json()["meeting_rhythm"] == "Weekly"
        response = post(client, "working-groups/", {"name": "Again", "strategy": wg.strategies[1].pk})
        assert response.status_code == 400
        assert "already has a working group (Work)" in response.json()["errors"]["strategy"][0]

    def test_another_initiatives_strategy_is_refused(self, client, wg):
        response = post(
            login(client, wg), "working-groups/", {"name": "X", "strategy": wg.other_group.strategy_id}
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {"strategy": ["This key strategy belongs to another initiative."]}


class TestMembers:
    def test_the_chair_adds_a_member_and_twice_is_refused(self, client, wg):
        login(client, wg, "steering")
        response = post(
            client, "working-group-members/", {"group": wg.group.pk, "organization": wg.community.pk}
        )
        assert response.status_code == 201
        assert response.json()["organization"]["name"] == "Community Org"
        response = post(
            client, "working-group-members/", {"group": wg.group.pk, "organization": wg.community.pk}
        )
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "organization: Community Org is already a member of this working group.",
            "errors": {"organization": ["Community Org is already a member of this working group."]},
        }
        assert client.get(BASE + f"working-group-members/?group={wg.group.pk}").json()["count"] == 3

    def test_another_initiatives_group_is_refused(self, client, wg):
        response = post(
            login(client, wg),
            "working-group-members/",
            {"group": wg.other_group.pk, "organization": wg.community.pk},
        )
        assert response.status_code == 400
        assert wg.other_group.members.count() == 1

    def test_removing_the_chair_is_refused(self, client, wg):
        chair = wg.group.members.get(membership=wg.memberships["steering"])
        response = login(client, wg).delete(BASE + f"working-group-members/{chair.pk}/")
        assert response.status_code == 400
        assert "choose another chair first" in response.json()["message"]


class TestActivities:
    def test_create_with_the_groups_strategy(self, client, wg):
        response = post(
            login(client, wg, "steering"),
            "activities/",
            {
                "working_group": wg.group.pk,
                "title": "Library hours",
                "lead_organization": wg.orgs["funder"].pk,
                "contributing_organizations": [wg.community.pk],
                "start_date": "2026-03-01",
                "end_date": "2026-06-01",
            },
        )
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["strategy"], data["strategy_title"], data["status"]) == (
            wg.strategies[0].pk,
            "Early literacy",
            "planned",
        )
        assert [o["name"] for o in data["contributing_organizations"]] == ["Community Org"]

    def test_ending_before_it_starts_is_a_400_with_nothing_saved(self, client, wg):
        before = Activity.objects.count()
        response = post(
            login(client, wg),
            "activities/",
            {
                "working_group": wg.group.pk,
                "title": "Backwards",
                "lead_organization": wg.orgs["funder"].pk,
                "start_date": "2026-03-01",
                "end_date": "2026-02-01",
            },
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {"end_date": ["An activity cannot end before it starts."]}
        assert Activity.objects.count() == before

    def test_the_lead_partner_reports_progress(self, client, wg):
        login(client, wg, "partner")
        response = post(
            client, f"activities/{wg.activity.pk}/updates/", {"note": "Camps full.", "status": "done"}
        )
        assert response.status_code == 201
        detail = client.get(BASE + f"activities/{wg.activity.pk}/").json()
        assert detail["status"] == "done" and detail["latest_update"]["note"] == "Camps full."
        notes = client.get(BASE + f"activities/{wg.activity.pk}/updates/").json()
        assert notes["count"] == 2  # a page, as the schema says
        assert [u["note"] for u in notes["results"]] == ["Camps full.", "Two camps booked."]
        response = patch(client, f"activities/{wg.activity.pk}/", {"lead_organization": wg.orgs["funder"].pk})
        assert (
            response.status_code == 400
            and "hand the lead" in response.json()["errors"]["lead_organization"][0]
        )
        assert patch(client, f"activities/{wg.backbone_activity.pk}/", {"title": "Mine"}).status_code == 403

    def test_filters(self, client, wg):
        login(client, wg)
        assert client.get(BASE + "activities/?status=under_way").json()["count"] == 1
        assert (
            client.get(BASE + f"activities/?lead_organization={wg.orgs['backbone'].pk}").json()["count"] == 1
        )
        assert client.get(BASE + f"activities/?working_group={wg.other_group.pk}").json()["count"] == 0


class TestTies:
    def _tie(self, client, wg, **changes):
        data = {
            "wave": wg.open_wave.pk,
            "to_organization": wg.community.pk,
            "contact_frequency": 3,
            "kinds": ["information_sharing"],
            "trust": 4,
            "value": 5,
            **changes,
        }
        return post(client, "ties/", data)

    def test_a_partner_rates_a_tie_for_its_organisation(self, client, wg):
        response = self._tie(login(client, wg, "partner"), wg)
        assert response.status_code == 201, response.content
        data = response.json()
        assert (data["from_organization"]["name"], data["to_organization"]["name"], data["trust"]) == (
            "Partner Org",
            "Community Org",
            5 - 1,
        )

    def test_bad_ties_are_refused_with_nothing_saved(self, client, wg):
        login(client, wg, "partner")
        before = TieResponse.objects.count()
        response = self._tie(client, wg, to_organization=wg.orgs["partner"].pk)
        assert (response.status_code, response.json()["errors"]) == (
            400,
            {"to_organization": ["An organisation cannot rate a tie with itself."]},
        )
        response = self._tie(client, wg, to_organization=wg.orgs["other"].pk)
        assert (response.status_code, response.json()["errors"]) == (
            400,
            {"to_organization": ["Other Org is not part of this initiative."]},
        )
        assert self._tie(client, wg, trust=6).status_code == 400
        assert self._tie(client, wg, wave=wg.closed_wave.pk).status_code == 400
        assert self._tie(client, wg, wave=wg.other_wave.pk).status_code == 400
        assert self._tie(client, wg, from_organization=wg.orgs["funder"].pk).status_code == 403
        assert TieResponse.objects.count() == before

    def test_ratings_are_seen_by_the_backbone_and_their_own_organisation(self, client, wg):
        login(client, wg)
        assert client.get(BASE + "ties/").json()["count"] == 2
        assert client.get(BASE + f"ties/?wave={wg.open_wave.pk}").json()["count"] == 1
        login(client, wg, "partner")
        ties = client.get(BASE + "ties/").json()["results"]
        assert [t["from_organization"]["name"] for t in ties] == ["Partner Org"]
        login(client, wg, "steering")
        assert client.get(BASE + "ties/").json()["count"] == 0

    def test_a_tie_is_read_by_the_backbone_and_its_own_organisation(self, client, wg):
        tie = TieResponse.objects.get(wave=wg.open_wave, from_organization=wg.orgs["partner"])
        url = BASE + f"ties/{tie.pk}/"
        for persona, status in (("backbone", 200), ("partner", 200), ("viewer", 200), ("steering", 404)):
            assert login(client, wg, persona).get(url).status_code == status, persona


class TestWavesAndMetrics:
    def test_waves_and_their_status(self, client, wg):
        data = login(client, wg, "viewer").get(BASE + "tie-waves/").json()["results"]
        assert [(w["name"], w["status"], w["answered"]) for w in data] == [
            ("Wave 1", "closed", 1),
            ("Wave 2", "open", 1),
            ("Wave 3", "planned", 0),
        ]

    def test_closing_a_wave_computes_its_figures(
        self, client, wg, django_capture_on_commit_callbacks, eager_tasks
    ):
        login(client, wg)
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, f"tie-waves/{wg.open_wave.pk}/close/", {})
        assert response.json()["status"] == "closed"
        metrics = client.get(BASE + f"network-metrics/?wave={wg.open_wave.pk}").json()["results"][0]
        assert (metrics["status"], metrics["ties"], metrics["organizations"], metrics["previous_wave"]) == (
            "done",
            1,
            4,
            wg.closed_wave.pk,
        )
        assert metrics["density"] == pytest.approx(1 / 6)
        assert metrics["change"]["new_ties"] == 1 and metrics["change"]["lost_ties"] == 1
        response = post(client, f"tie-waves/{wg.planned_wave.pk}/open/", {})
        assert response.json()["status"] == "open"

    def test_opening_a_second_wave_is_refused(self, client, wg):
        response = post(login(client, wg), f"tie-waves/{wg.planned_wave.pk}/open/", {})
        assert response.status_code == 400
        assert response.json()["message"] == "The wave Wave 2 is still open: close it first."

    def test_record_ties(self, client, wg):
        data = login(client, wg, "viewer").get(BASE + "record-ties/").json()
        a, b = sorted((wg.orgs["funder"].pk, wg.orgs["partner"].pk))
        assert data == [{"a": a, "b": b, "activities": 1, "groups": 1}]


def test_steering_seats(client, wg):
    services.seat_add(
        initiative=wg.initiative,
        by=wg.people["backbone"],
        person_name="Sarah",
        is_community_representative=True,
    )
    data = login(client, wg, "viewer").get(BASE + "steering-seats/").json()["results"]
    assert [(s["name"], s["sector"], s["is_community_representative"]) for s in data] == [
        ("steering", "philanthropy", False),
        ("Sarah", "community", True),
    ]
    assert data[0]["member"]["organization"]["name"] == "Funder Org" and data[1]["member"] is None


def test_the_schema_documents_the_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/initiatives/{initiative_slug}/")}
    for path in (
        "working-groups/",
        "working-group-members/",
        "activities/",
        "activities/{id}/updates/",
        "tie-waves/{id}/close/",
        "ties/",
        "network-metrics/",
        "record-ties/",
        "steering-seats/",
    ):
        assert f"/api/v1/initiatives/{{initiative_slug}}/{path}" in paths
    assert schema["components"]["schemas"]["ActivityStatusEnum"]["enum"] == [
        "planned",
        "under_way",
        "done",
        "stopped",
    ]
    assert WorkingGroup._meta.get_field("strategy").one_to_one
