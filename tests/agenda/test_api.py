"""The agenda's REST endpoints: versions, strategies, endorsements, the draft and publishing."""

import pytest

from agenda import services
from agenda.choices import AgendaKind, Decision, VersionStatus
from agenda.models import AgendaVersion, Endorsement, Strategy
from initiatives.choices import Role
from tests.permission_matrix import build_world, module_world
from tests.queries import assert_queries_constant

from .helpers import GOAL, PROBLEM, figure_rows, publish, save_draft, strategy_rows

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)

BASE = "/api/v1/initiatives/c2c/"


def api(path: str) -> str:
    return BASE + path


@pytest.fixture
def two_versions(world):
    v1 = publish(
        world,
        goal="All children ready for school",
        figures=[{"statement": "46% ready", "source": "Municipal survey", "year": 2024}],
        principles=["Shared data"],
    )
    first = v1.strategy_items.get()
    v2 = publish(
        world,
        goal="All children ready for school and work",
        kind=AgendaKind.FULL,
        summary="Work added.",
        strategies=[
            {"strategy_id": first.strategy_id, "title": first.title, "rationale": first.rationale},
            {"title": "Transition to work", "rationale": "Employers plan with schools."},
        ],
    )
    return v1, v2


def login(client, world, persona: str):
    client.force_login(world.people[persona])
    return client


class TestVersions:
    def test_list_is_newest_first_with_all_sections(self, client, world, two_versions):
        v1, v2 = two_versions
        save_draft(world, goal="A draft is never listed")
        data = login(client, world, "viewer").get(api("agenda-versions/")).json()
        assert data["count"] == 2
        assert [v["number"] for v in data["results"]] == [2, 1]
        latest = data["results"][0]
        assert latest["goal"] == "All children ready for school and work"
        assert (latest["kind"], latest["change_summary"], latest["published_by"]) == (
            "full",
            "Work added.",
            "backbone",
        )
        assert latest["strategies"] == [
            {
                "strategy_id": v1.strategy_items.get().strategy_id,
                "title": "Early childhood development",
                "rationale": "Readiness at five predicts later.",
            },
            {
                "strategy_id": v2.strategy_items.get(title="Transition to work").strategy_id,
                "title": "Transition to work",
                "rationale": "Employers plan with schools.",
            },
        ]
        assert latest["figures"] == [{"statement": "46% ready", "source": "Municipal survey", "year": 2024}]
        assert latest["guiding_principles"] == ["Shared data"]
        assert latest["adopted_at"] is None
        assert "revision" not in latest

    def test_one_version_by_number(self, client, world, two_versions):
        response = login(client, world, "partner").get(api("agenda-versions/1/"))
        assert response.status_code == 200
        body = response.json()
        assert (body["number"], body["goal"], body["kind"]) == (
            1,
            "All children ready for school",
            "preliminary",
        )
        assert [s["title"] for s in body["strategies"]] == ["Early childhood development"]

    def test_unknown_number_and_draft_are_404(self, client, world, two_versions):
        save_draft(world)
        login(client, world, "backbone")
        assert client.get(api("agenda-versions/3/")).status_code == 404
        assert client.get(api("agenda-versions/99/")).status_code == 404

    def test_versions_of_another_initiative_are_not_visible(self, client, world, two_versions):
        login(client, world, "other_member")
        assert client.get(api("agenda-versions/")).status_code == 404
        assert client.get("/api/v1/initiatives/other/agenda-versions/").json()["count"] == 0

    def test_versions_are_read_only(self, client, world, two_versions):
        login(client, world, "backbone")
        response = client.patch(
            api("agenda-versions/1/"), {"goal": "hacked"}, content_type="application/json"
        )
        assert response.status_code == 405
        assert client.delete(api("agenda-versions/1/")).status_code == 405
        assert AgendaVersion.objects.get(number=1).goal == "All children ready for school"


class TestStrategies:
    def test_the_current_strategies_with_their_stable_ids(self, client, world, two_versions):
        v1, v2 = two_versions
        body = login(client, world, "viewer").get(api("strategies/")).json()
        ids = [i for i, _t, _r in strategy_rows(v2)]
        assert body == [
            {
                "id": ids[0],
                "title": "Early childhood development",
                "rationale": "Readiness at five predicts later.",
                "version": 2,
            },
            {
                "id": ids[1],
                "title": "Transition to work",
                "rationale": "Employers plan with schools.",
                "version": 2,
            },
        ]
        assert ids[0] == v1.strategy_items.get().strategy_id
        one = client.get(api(f"strategies/{ids[1]}/"))
        assert one.status_code == 200 and one.json()["title"] == "Transition to work"

    def test_a_strategy_dropped_from_the_current_version_is_404(self, client, world, two_versions):
        _v1, v2 = two_versions
        dropped = v2.strategy_items.get(title="Transition to work").strategy_id
        keep = v2.strategy_items.get(title="Early childhood development").strategy_id
        publish(world, strategies=[{"strategy_id": keep, "title": "Early years"}])
        login(client, world, "viewer")
        assert [s["id"] for s in client.get(api("strategies/")).json()] == [keep]
        assert client.get(api(f"strategies/{dropped}/")).status_code == 404

    def test_no_version_no_strategies(self, client, world):
        save_draft(world)
        assert login(client, world, "viewer").get(api("strategies/")).json() == []


class TestEndorsements:
    def test_steering_posts_an_endorsement(self, client, world, two_versions):
        login(client, world, "steering")
        response = client.post(
            api("endorsements/"),
            {"version": 2, "decision": "endorse", "comment": "Agreed"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["version"], body["decision"], body["comment"]) == (2, "endorse", "Agreed")
        assert (body["name"], body["organization"], body["role"]) == ("steering", "Funder Org", Role.STEERING)
        stored = Endorsement.objects.get()
        assert (stored.version.number, stored.user, stored.decision) == (
            2,
            world.people["steering"],
            Decision.ENDORSE,
        )
        assert body["id"] == stored.pk
        # The only steering member: the version is adopted.
        assert AgendaVersion.objects.get(number=2).adopted_at is not None

    def test_posting_again_changes_the_same_endorsement(self, client, world, two_versions):
        login(client, world, "partner")
        first = client.post(
            api("endorsements/"), {"version": 2, "decision": "endorse"}, content_type="application/json"
        )
        second = client.post(
            api("endorsements/"),
            {"version": 2, "decision": "decline", "comment": "Missing the north"},
            content_type="application/json",
        )
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json()["id"] == second.json()["id"]
        assert list(Endorsement.objects.values_list("decision", "comment")) == [
            ("decline", "Missing the north")
        ]

    @pytest.mark.parametrize("persona", ["viewer", "backbone"])
    def test_viewer_and_backbone_are_403(self, client, world, two_versions, persona):
        login(client, world, persona)
        response = client.post(
            api("endorsements/"), {"version": 2, "decision": "endorse"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert not Endorsement.objects.exists()

    def test_a_superseded_version_is_400(self, client, world, two_versions):
        login(client, world, "steering")
        response = client.post(
            api("endorsements/"), {"version": 1, "decision": "endorse"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "detail": ["Version v1 was superseded by v2: endorse the current version instead."]
        }
        assert not Endorsement.objects.exists()

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"version": 99, "decision": "endorse"}, "version"),
            ({"version": 0, "decision": "endorse"}, "version"),
            ({"version": 2, "decision": "abstain"}, "decision"),
            ({"version": 2, "decision": "decline"}, "comment"),
            ({"version": 2, "decision": "decline", "comment": "   "}, "comment"),
            ({"decision": "endorse"}, "version"),
        ],
    )
    def test_bad_input_is_400_on_the_field(self, client, world, two_versions, payload, field):
        login(client, world, "steering")
        response = client.post(api("endorsements/"), payload, content_type="application/json")
        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert not Endorsement.objects.exists()

    def test_a_draft_number_cannot_be_endorsed(self, client, world, two_versions):
        save_draft(world, goal="next")
        login(client, world, "steering")
        response = client.post(
            api("endorsements/"), {"version": 3, "decision": "endorse"}, content_type="application/json"
        )
        assert response.status_code == 400
        assert not Endorsement.objects.exists()

    def test_list_shows_every_version_s_endorsements(self, client, world, two_versions):
        v1, v2 = two_versions
        Endorsement.objects.create(
            version=v1,
            user=world.people["partner"],
            organization=world.orgs["partner"],
            role=Role.PARTNER,
            decision=Decision.ENDORSE,
        )
        services.agenda_endorse(
            version=v2, by=world.people["steering"], decision=Decision.DECLINE, comment="No"
        )
        body = login(client, world, "viewer").get(api("endorsements/")).json()
        assert body["count"] == 2
        assert sorted((e["version"], e["name"], e["decision"], e["comment"]) for e in body["results"]) == [
            (1, "partner", "endorse", ""),
            (2, "steering", "decline", "No"),
        ]


class TestDraft:
    def test_backbone_opens_reads_writes_and_publishes_the_draft(self, client, world, two_versions):
        _v1, v2 = two_versions
        login(client, world, "backbone")
        assert client.get(api("agenda-draft/")).status_code == 404

        opened = client.post(api("agenda-draft/"))
        assert opened.status_code == 201
        draft = opened.json()
        assert draft["revision"] == 1
        assert draft["goal"] == "All children ready for school and work"  # from v2
        assert [s["strategy_id"] for s in draft["strategies"]] == [i for i, _t, _r in strategy_rows(v2)]
        again = client.post(api("agenda-draft/"))
        assert again.status_code == 201
        assert AgendaVersion.objects.filter(status=VersionStatus.DRAFT).count() == 1
        assert client.get(api("agenda-draft/")).json() == draft

        keep = draft["strategies"][0]["strategy_id"]
        draft.update(
            {
                "goal": "By 2030 all children ready for school and work",
                "strategies": [
                    {"strategy_id": keep, "title": "Early years", "rationale": ""},
                    {"title": "Mentoring"},
                ],
                "figures": [{"statement": "61% matriculate", "source": "Ministry", "year": 2023}],
                "guiding_principles": ["Shared data", "Trust"],
            }
        )
        saved = client.put(api("agenda-draft/"), draft, content_type="application/json")
        assert saved.status_code == 200, saved.content
        assert saved.json()["revision"] == 2
        stored = AgendaVersion.objects.get(status=VersionStatus.DRAFT)
        assert (stored.revision, stored.goal) == (2, "By 2030 all children ready for school and work")
        assert [(i == keep, t) for i, t, _r in strategy_rows(stored)] == [
            (True, "Early years"),
            (False, "Mentoring"),
        ]
        assert figure_rows(stored) == [("61% matriculate", "Ministry", 2023)]
        assert stored.guiding_principles == ["Shared data", "Trust"]
        assert saved.json()["strategies"][1]["strategy_id"] == Strategy.objects.order_by("-pk").first().pk

        published = client.post(
            api("agenda-draft/publish/"),
            {"change_summary": "A date for the goal."},
            content_type="application/json",
        )
        assert published.status_code == 201, published.content
        body = published.json()
        assert (body["number"], body["change_summary"], body["kind"]) == (3, "A date for the goal.", "full")
        assert [s["title"] for s in body["strategies"]] == ["Early years", "Mentoring"]
        assert AgendaVersion.objects.get(pk=stored.pk).status == VersionStatus.PUBLISHED
        assert client.get(api("agenda-draft/")).status_code == 404

    def test_a_stale_revision_is_409_and_nothing_is_stored(self, client, world):
        login(client, world, "backbone")
        draft = client.post(api("agenda-draft/")).json()
        first = {**draft, "goal": "Alice's goal", "strategies": [{"title": "Alice's strategy"}]}
        assert client.put(api("agenda-draft/"), first, content_type="application/json").status_code == 200
        second = {
            **draft,
            "goal": "Bob's goal",
            "problem_statement": "Bob's",
            "strategies": [{"title": "Bob's"}],
        }
        response = client.put(api("agenda-draft/"), second, content_type="application/json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "conflict"
        assert (body["current"]["revision"], body["current"]["goal"]) == (2, "Alice's goal")
        stored = AgendaVersion.objects.get()
        assert (stored.revision, stored.goal, stored.problem_statement) == (2, "Alice's goal", "")
        assert [t for _i, t, _r in strategy_rows(stored)] == ["Alice's strategy"]
        assert Strategy.objects.count() == 1
        # With the current revision, the same write goes through.
        second["revision"] = body["current"]["revision"]
        assert client.put(api("agenda-draft/"), second, content_type="application/json").status_code == 200
        assert AgendaVersion.objects.get().goal == "Bob's goal"

    @pytest.mark.parametrize(
        "change",
        [
            {"revision": None},
            {"kind": "final"},
            {"strategies": [{"rationale": "no title"}]},
            {"figures": [{"statement": "no source"}]},
        ],
    )
    def test_invalid_drafts_are_400(self, client, world, change):
        login(client, world, "backbone")
        draft = client.post(api("agenda-draft/")).json()
        response = client.put(
            api("agenda-draft/"), {**draft, "goal": "x", **change}, content_type="application/json"
        )
        assert response.status_code == 400
        assert AgendaVersion.objects.get().revision == 1

    def test_a_strategy_of_another_initiative_is_400(self, client, world):
        other = services.agenda_draft_start(initiative=world.other, by=world.people["other_member"])
        services.agenda_draft_save(
            draft=other,
            by=world.people["other_member"],
            revision=1,
            fields={},
            figures=[],
            strategies=[{"title": "Theirs"}],
            principles=[],
        )
        foreign = Strategy.objects.get().pk
        login(client, world, "backbone")
        draft = client.post(api("agenda-draft/")).json()
        payload = {**draft, "goal": "x", "strategies": [{"strategy_id": foreign, "title": "Stolen"}]}
        response = client.put(api("agenda-draft/"), payload, content_type="application/json")
        assert response.status_code == 400
        assert "does not belong to this initiative" in str(response.json())
        assert AgendaVersion.objects.get(initiative=world.initiative).goal == ""

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer"])
    def test_only_backbone_sees_or_writes_the_draft(self, client, world, persona):
        save_draft(world)
        login(client, world, persona)
        assert client.get(api("agenda-draft/")).status_code == 403
        assert client.post(api("agenda-draft/")).status_code == 403
        response = client.put(
            api("agenda-draft/"), {"revision": 2, "goal": "mine"}, content_type="application/json"
        )
        assert response.status_code == 403
        assert (
            client.post(api("agenda-draft/publish/"), {}, content_type="application/json").status_code == 403
        )
        assert AgendaVersion.objects.get().goal == GOAL


class TestPublish:
    def test_an_empty_draft_is_400_and_nothing_changes(self, client, world):
        login(client, world, "backbone")
        client.post(api("agenda-draft/"))
        response = client.post(api("agenda-draft/publish/"), {}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "detail": [
                "An empty or incomplete agenda cannot be published.",
                "Describe the problem.",
                "State the goal.",
                "Add at least one key strategy.",
            ]
        }
        draft = AgendaVersion.objects.get()
        assert (draft.status, draft.number) == (VersionStatus.DRAFT, None)

    def test_after_v1_the_change_summary_is_required(self, client, world):
        publish(world)
        save_draft(world, goal="Changed")
        login(client, world, "backbone")
        response = client.post(
            api("agenda-draft/publish/"), {"change_summary": ""}, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "change_summary": ["Say what changed since the previous version."]
        }
        assert AgendaVersion.objects.filter(status=VersionStatus.DRAFT).exists()

    def test_first_version(self, client, world):
        save_draft(world)
        login(client, world, "backbone")
        response = client.post(
            api("agenda-draft/publish/"), {"kind": "preliminary"}, content_type="application/json"
        )
        assert response.status_code == 201
        body = response.json()
        assert (body["number"], body["problem_statement"], body["goal"]) == (1, PROBLEM, GOAL)

    def test_without_a_draft_is_404(self, client, world):
        publish(world)
        login(client, world, "backbone")
        assert (
            client.post(api("agenda-draft/publish/"), {}, content_type="application/json").status_code == 404
        )


@pytest.mark.parametrize("path", ["agenda-versions/", "strategies/", "endorsements/"])
def test_list_query_count_does_not_grow(client, world, make_user, two_versions, path):
    v1, v2 = two_versions
    services.agenda_endorse(version=v2, by=world.people["steering"], decision=Decision.ENDORSE)  # one of each
    login(client, world, "viewer")

    def page():
        assert client.get(api(path)).status_code == 200

    def grow():
        for n in range(5):
            member = make_user(f"steer{n}")
            world.initiative.memberships.create(
                user=member, organization=world.orgs["funder"], role=Role.STEERING
            )
            for version in (v1, v2):
                Endorsement.objects.create(
                    version=version,
                    user=member,
                    organization=world.orgs["funder"],
                    role=Role.STEERING,
                    decision=Decision.ENDORSE,
                )
            publish(
                world,
                goal=f"Goal {n}",
                figures=[{"statement": f"F{n}.{k}", "source": "S", "year": None} for k in range(2)],
                strategies=[{"title": f"Strategy {n}.{k}"} for k in range(3)],
            )

    assert_queries_constant(page, grow, exact=True)
