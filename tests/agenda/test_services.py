"""The agenda's writes: versioning invariants, publishing, concurrent drafts, endorsements and
adoption, and the evidence the agenda gives to the lifecycle milestones."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from agenda import services
from agenda.choices import AdoptionRule, AgendaKind, Decision, VersionStatus
from agenda.models import (
    AgendaVersion,
    Endorsement,
    ProblemFigure,
    PublishedVersionIsFrozen,
    Strategy,
    StrategyItem,
)
from initiatives.choices import Area, Phase, Role
from initiatives.selectors import platform_evidence
from tests.permission_matrix import build_world, module_world

from .helpers import GOAL, PROBLEM, figure_rows, publish, save_draft, strategy_rows

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)

FIGURE = {"statement": "46% of children ready for school", "source": "Municipal survey", "year": 2024}


def backbone(world):
    return world.people["backbone"]


def add_member(world, make_user, username: str, role: str = Role.STEERING, org: str = "funder"):
    user = make_user(username)
    world.initiative.participations.get_or_create(organization=world.orgs[org])
    world.initiative.memberships.create(user=user, organization=world.orgs[org], role=role)
    return user


def endorse(version, user, decision=Decision.ENDORSE, comment=""):
    version.refresh_from_db()
    return services.agenda_endorse(version=version, by=user, decision=decision, comment=comment)


class TestPublishedVersionIsFrozen:
    def test_saving_a_published_version_raises_and_changes_nothing(self, world):
        v1 = publish(world)
        v1.goal = "Something else entirely"
        with pytest.raises(PublishedVersionIsFrozen):
            v1.save()
        with pytest.raises(PublishedVersionIsFrozen):
            v1.save(update_fields=["goal"])
        with pytest.raises(PublishedVersionIsFrozen):
            v1.save(update_fields=["goal", "adopted_at"])
        assert AgendaVersion.objects.get(pk=v1.pk).goal == GOAL

    def test_only_the_adoption_date_may_still_be_recorded(self, world):
        v1 = publish(world)
        when = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
        v1.adopted_at = when
        v1.save(update_fields=["adopted_at"])
        assert AgendaVersion.objects.get(pk=v1.pk).adopted_at == when

    def test_deleting_a_published_version_raises(self, world):
        v1 = publish(world, figures=[FIGURE])
        with pytest.raises(PublishedVersionIsFrozen):
            v1.delete()
        assert AgendaVersion.objects.filter(pk=v1.pk, status=VersionStatus.PUBLISHED).exists()
        assert v1.figures.count() == 1 and v1.strategy_items.count() == 1

    def test_figures_of_a_published_version_cannot_change(self, world):
        v1 = publish(world, figures=[FIGURE])
        figure = v1.figures.get()
        figure.statement = "99% of children ready"
        with pytest.raises(PublishedVersionIsFrozen):
            figure.save()
        with pytest.raises(PublishedVersionIsFrozen):
            figure.delete()
        with pytest.raises(PublishedVersionIsFrozen):
            ProblemFigure.objects.create(version=v1, statement="new", source="made up")
        assert figure_rows(v1) == [(FIGURE["statement"], FIGURE["source"], 2024)]

    def test_strategies_of_a_published_version_cannot_change(self, world):
        v1 = publish(world)
        item = v1.strategy_items.get()
        item.title = "Renamed"
        with pytest.raises(PublishedVersionIsFrozen):
            item.save()
        with pytest.raises(PublishedVersionIsFrozen):
            item.delete()
        with pytest.raises(PublishedVersionIsFrozen):
            StrategyItem.objects.create(
                version=v1, strategy=Strategy.objects.create(initiative=world.initiative), title="Sneaked in"
            )
        assert [title for _id, title, _r in strategy_rows(v1)] == ["Early childhood development"]

    def test_a_draft_can_be_changed_and_discarded(self, world):
        draft = save_draft(world, figures=[FIGURE])
        figure = draft.figures.get()
        figure.statement = "Corrected"
        figure.save()
        assert draft.figures.get().statement == "Corrected"
        services.agenda_draft_discard(draft=draft, by=backbone(world))
        assert not AgendaVersion.objects.exists()
        assert not ProblemFigure.objects.exists()


class TestDraft:
    def test_only_backbone_opens_a_draft(self, world):
        for persona in ("steering", "partner", "viewer", "outsider", "other_member"):
            with pytest.raises(PermissionDenied):
                services.agenda_draft_start(initiative=world.initiative, by=world.people[persona])
        assert not AgendaVersion.objects.exists()

    def test_first_draft_is_empty(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        assert (draft.status, draft.number, draft.based_on, draft.revision) == (
            VersionStatus.DRAFT,
            None,
            None,
            1,
        )
        assert draft.problem_statement == draft.goal == ""
        assert draft.created_by == backbone(world)

    def test_one_draft_per_initiative(self, world):
        first = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        again = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        assert again.pk == first.pk
        assert world.initiative.agenda_versions.filter(status=VersionStatus.DRAFT).count() == 1
        # The database refuses a second draft too, whatever code path tries it.
        with pytest.raises(IntegrityError), transaction.atomic():
            AgendaVersion.objects.create(initiative=world.initiative, status=VersionStatus.DRAFT)
        # Another initiative has its own draft.
        other = services.agenda_draft_start(initiative=world.other, by=world.people["other_member"])
        assert other.pk != first.pk

    def test_new_draft_starts_from_the_latest_version(self, world):
        publish(world, goal="First goal", figures=[FIGURE])
        v2 = publish(
            world,
            goal="Second goal",
            boundary_geographic="The south of the city",
            evaluation_approach="Yearly indicators",
            kind=AgendaKind.FULL,
            principles=["Shared data", "No one speaks for another"],
            figures=[FIGURE, {"statement": "61% matriculate", "source": "Ministry", "year": None}],
            strategies=[
                {
                    "strategy_id": StrategyItem.objects.get().strategy_id,
                    "title": "Early years",
                    "rationale": "r",
                },
                {"title": "Reading by third grade", "rationale": "Readers keep up."},
            ],
        )
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        assert draft.pk != v2.pk
        assert draft.based_on == v2
        assert (draft.status, draft.number, draft.change_summary) == (VersionStatus.DRAFT, None, "")
        for name in AgendaVersion.TEXT_SECTIONS:
            assert getattr(draft, name) == getattr(v2, name), name
        assert draft.kind == AgendaKind.FULL
        assert draft.guiding_principles == ["Shared data", "No one speaks for another"]
        assert figure_rows(draft) == figure_rows(v2)
        assert set(draft.figures.values_list("pk", flat=True)).isdisjoint(
            v2.figures.values_list("pk", flat=True)
        )
        # The strategies keep their identity: same Strategy ids, new rows for the draft's wording.
        assert strategy_rows(draft) == strategy_rows(v2)
        assert Strategy.objects.count() == 2
        assert set(draft.strategy_items.values_list("pk", flat=True)).isdisjoint(
            v2.strategy_items.values_list("pk", flat=True)
        )

    def test_editing_the_draft_leaves_the_published_version_alone(self, world):
        v1 = publish(world, figures=[FIGURE])
        before = (strategy_rows(v1), figure_rows(v1))
        strategy_id = v1.strategy_items.get().strategy_id
        save_draft(
            world,
            goal="A new goal",
            figures=[],
            strategies=[{"strategy_id": strategy_id, "title": "Renamed", "rationale": ""}],
        )
        v1.refresh_from_db()
        assert v1.goal == GOAL
        assert (strategy_rows(v1), figure_rows(v1)) == before

    def test_save_replaces_the_whole_draft_and_bumps_the_revision(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        saved = services.agenda_draft_save(
            draft=draft,
            by=world.people["backbone"],
            revision=1,
            fields={"problem_statement": PROBLEM, "goal": GOAL, "boundary_process": "Quarterly reviews"},
            figures=[FIGURE],
            strategies=[{"title": "A", "rationale": "ra"}, {"title": "B"}],
            principles=["  Shared data  ", "", "   ", "Trust"],
        )
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert stored.revision == saved.revision == 2
        assert (stored.problem_statement, stored.goal, stored.boundary_process) == (
            PROBLEM,
            GOAL,
            "Quarterly reviews",
        )
        assert stored.guiding_principles == ["Shared data", "Trust"]
        assert [(t, r) for _id, t, r in strategy_rows(stored)] == [("A", "ra"), ("B", "")]
        assert figure_rows(stored) == [(FIGURE["statement"], FIGURE["source"], 2024)]

        ids = [i for i, _t, _r in strategy_rows(stored)]
        services.agenda_draft_save(
            draft=stored,
            by=world.people["backbone"],
            revision=2,
            fields={},
            figures=[],
            strategies=[{"strategy_id": ids[1], "title": "B first"}],
            principles=[],
        )
        stored.refresh_from_db()
        assert stored.revision == 3
        assert strategy_rows(stored) == [(ids[1], "B first", "")]
        assert figure_rows(stored) == []
        assert stored.goal == GOAL  # fields not sent are kept

    def test_only_backbone_saves_a_draft(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        with pytest.raises(PermissionDenied):
            services.agenda_draft_save(
                draft=draft,
                by=world.people["steering"],
                revision=1,
                fields={"goal": "mine"},
                figures=[],
                strategies=[],
                principles=[],
            )
        draft.refresh_from_db()
        assert (draft.goal, draft.revision) == ("", 1)

    def test_a_field_that_is_not_a_draft_field_is_refused(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        with pytest.raises(ValueError, match="number"):
            services.agenda_draft_save(
                draft=draft,
                by=backbone(world),
                revision=1,
                fields={"goal": "x", "number": 7},
                figures=[],
                strategies=[],
                principles=[],
            )
        draft.refresh_from_db()
        assert (draft.goal, draft.number, draft.revision) == ("", None, 1)

    def test_saving_a_draft_published_in_the_meantime_is_refused(self, world):
        draft = save_draft(world)
        services.agenda_publish(draft=draft, by=backbone(world), change_summary="")
        with pytest.raises(ValidationError, match="published in the meantime"):
            services.agenda_draft_save(
                draft=draft,
                by=backbone(world),
                revision=draft.revision,
                fields={"goal": "changed"},
                figures=[],
                strategies=[],
                principles=[],
            )
        assert AgendaVersion.objects.get(pk=draft.pk).goal == GOAL


class TestOptimisticConcurrency:
    def test_a_save_from_a_stale_revision_raises_and_writes_nothing(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        loaded = draft.revision
        services.agenda_draft_save(
            draft=draft,
            by=backbone(world),
            revision=loaded,
            fields={"goal": "Alice's goal"},
            figures=[FIGURE],
            strategies=[{"title": "Alice's strategy"}],
            principles=["Alice"],
        )
        strategies_before = Strategy.objects.count()
        with pytest.raises(services.DraftConflict) as exc:
            services.agenda_draft_save(
                draft=draft,
                by=backbone(world),
                revision=loaded,
                fields={"goal": "Bob's goal", "problem_statement": "Bob's problem"},
                figures=[],
                strategies=[{"title": "Bob's strategy"}, {"title": "Bob's other"}],
                principles=["Bob"],
            )
        assert exc.value.current.revision == loaded + 1
        assert exc.value.current.goal == "Alice's goal"
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert (stored.goal, stored.problem_statement, stored.revision) == ("Alice's goal", "", loaded + 1)
        assert stored.guiding_principles == ["Alice"]
        assert [t for _i, t, _r in strategy_rows(stored)] == ["Alice's strategy"]
        assert len(figure_rows(stored)) == 1
        assert Strategy.objects.count() == strategies_before  # no orphan strategies either

    def test_saving_from_the_current_revision_after_a_conflict_succeeds(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        kwargs = {"draft": draft, "by": backbone(world), "figures": [], "strategies": [], "principles": []}
        services.agenda_draft_save(revision=1, fields={"goal": "first"}, **kwargs)
        with pytest.raises(services.DraftConflict) as exc:
            services.agenda_draft_save(revision=1, fields={"goal": "second"}, **kwargs)
        services.agenda_draft_save(revision=exc.value.current.revision, fields={"goal": "second"}, **kwargs)
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert (stored.goal, stored.revision) == ("second", 3)


class TestStrategyIdentity:
    def test_a_strategy_of_another_initiative_is_refused(self, world):
        other_draft = services.agenda_draft_start(initiative=world.other, by=world.people["other_member"])
        services.agenda_draft_save(
            draft=other_draft,
            by=world.people["other_member"],
            revision=1,
            fields={},
            figures=[],
            strategies=[{"title": "Theirs"}],
            principles=[],
        )
        foreign = Strategy.objects.get(initiative=world.other).pk
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        with pytest.raises(ValidationError, match="does not belong to this initiative"):
            services.agenda_draft_save(
                draft=draft,
                by=backbone(world),
                revision=1,
                fields={"goal": "should not stick"},
                figures=[],
                strategies=[{"title": "Ours, new"}, {"strategy_id": foreign, "title": "Stolen"}],
                principles=[],
            )
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert (stored.goal, stored.revision) == ("", 1)
        assert not stored.strategy_items.exists()
        assert not Strategy.objects.filter(initiative=world.initiative).exists()
        assert StrategyItem.objects.get(strategy_id=foreign).version == other_draft

    def test_unknown_and_repeated_strategy_ids_are_refused(self, world):
        draft = save_draft(world)
        own = draft.strategy_items.get().strategy_id
        for strategies in (
            [{"strategy_id": own, "title": "a"}, {"strategy_id": own, "title": "b"}],
            [{"strategy_id": own + 1000, "title": "ghost"}],
        ):
            with pytest.raises(ValidationError):
                services.agenda_draft_save(
                    draft=draft,
                    by=backbone(world),
                    revision=draft.revision,
                    fields={},
                    figures=[],
                    strategies=strategies,
                    principles=[],
                )
        assert strategy_rows(AgendaVersion.objects.get(pk=draft.pk)) == [
            (own, "Early childhood development", "Readiness at five predicts later.")
        ]

    def test_a_strategy_removed_in_one_version_can_return_with_its_identity(self, world):
        v1 = publish(world, strategies=[{"title": "A"}, {"title": "B"}])
        a, b = [i for i, _t, _r in strategy_rows(v1)]
        publish(world, strategies=[{"strategy_id": a, "title": "A"}])
        v3 = publish(
            world, strategies=[{"strategy_id": a, "title": "A"}, {"strategy_id": b, "title": "B again"}]
        )
        assert strategy_rows(v3) == [(a, "A", ""), (b, "B again", "")]


class TestPublish:
    def test_an_empty_agenda_is_refused_with_a_clear_message(self, world):
        draft = services.agenda_draft_start(initiative=world.initiative, by=backbone(world))
        with pytest.raises(ValidationError) as exc:
            services.agenda_publish(draft=draft, by=backbone(world), change_summary="first")
        assert exc.value.messages == [
            "An empty or incomplete agenda cannot be published.",
            "Describe the problem.",
            "State the goal.",
            "Add at least one key strategy.",
        ]
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert (stored.status, stored.number, stored.published_at, stored.change_summary) == (
            VersionStatus.DRAFT,
            None,
            None,
            "",
        )
        assert not AgendaVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()

    def test_an_incomplete_agenda_names_only_what_is_missing(self, world):
        draft = save_draft(world, problem="   \n ", strategies=[])
        with pytest.raises(ValidationError) as exc:
            services.agenda_publish(draft=draft, by=backbone(world), change_summary="")
        assert exc.value.messages == [
            "An empty or incomplete agenda cannot be published.",
            "Describe the problem.",
            "Add at least one key strategy.",
        ]
        assert AgendaVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT

    def test_versions_are_numbered_one_two_three(self, world):
        versions = [publish(world, goal=f"Goal {n}") for n in range(3)]
        assert [v.number for v in versions] == [1, 2, 3]
        assert list(
            world.initiative.agenda_versions.order_by("number").values_list("number", "status", "goal")
        ) == [(1, "published", "Goal 0"), (2, "published", "Goal 1"), (3, "published", "Goal 2")]
        # Another initiative counts from one.
        other_draft = services.agenda_draft_start(initiative=world.other, by=world.people["other_member"])
        services.agenda_draft_save(
            draft=other_draft,
            by=world.people["other_member"],
            revision=1,
            fields={"problem_statement": "p", "goal": "g"},
            figures=[],
            strategies=[{"title": "s"}],
            principles=[],
        )
        other_v1 = services.agenda_publish(
            draft=other_draft, by=world.people["other_member"], change_summary=""
        )
        assert other_v1.number == 1

    def test_publish_records_who_when_kind_and_summary(self, world):
        publish(world)
        draft = save_draft(world, goal="Changed")
        v2 = services.agenda_publish(
            draft=draft, by=backbone(world), change_summary="  The goal is sharper.  ", kind=AgendaKind.FULL
        )
        stored = AgendaVersion.objects.get(pk=v2.pk)
        assert (stored.number, stored.status, stored.kind) == (2, VersionStatus.PUBLISHED, AgendaKind.FULL)
        assert stored.change_summary == "The goal is sharper."
        assert stored.published_by == backbone(world)
        assert stored.published_at is not None
        assert stored.adopted_at is None

    @pytest.mark.parametrize("summary", ["", "  \n "])
    def test_after_v1_a_change_summary_is_required(self, world, summary):
        v1 = publish(world, summary="")
        assert v1.change_summary == ""
        draft = save_draft(world, goal="Changed")
        with pytest.raises(ValidationError) as exc:
            services.agenda_publish(draft=draft, by=backbone(world), change_summary=summary)
        assert exc.value.message_dict == {"change_summary": ["Say what changed since the previous version."]}
        stored = AgendaVersion.objects.get(pk=draft.pk)
        assert (stored.status, stored.number) == (VersionStatus.DRAFT, None)
        assert list(
            world.initiative.agenda_versions.exclude(number=None).values_list("number", flat=True)
        ) == [1]

    def test_only_backbone_publishes(self, world):
        draft = save_draft(world)
        for persona in ("steering", "partner", "viewer", "outsider"):
            with pytest.raises(PermissionDenied):
                services.agenda_publish(draft=draft, by=world.people[persona], change_summary="")
        assert AgendaVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT

    def test_a_published_version_cannot_be_published_again(self, world):
        v1 = publish(world)
        with pytest.raises(ValidationError, match="already published"):
            services.agenda_publish(draft=v1, by=backbone(world), change_summary="again")
        assert list(AgendaVersion.objects.values_list("number", flat=True)) == [1]


class TestEndorsement:
    @pytest.mark.parametrize(("persona", "org"), [("steering", "funder"), ("partner", "partner")])
    def test_steering_and_partners_endorse(self, world, persona, org):
        v1 = publish(world)
        e = endorse(v1, world.people[persona], comment="  Good work  ")
        stored = Endorsement.objects.get()
        assert stored.pk == e.pk
        assert (stored.version, stored.user, stored.decision, stored.comment) == (
            v1,
            world.people[persona],
            Decision.ENDORSE,
            "Good work",
        )
        assert (stored.organization, stored.role) == (world.orgs[org], persona)

    @pytest.mark.parametrize("persona", ["backbone", "viewer", "outsider", "other_member"])
    def test_others_may_not_endorse(self, world, persona):
        v1 = publish(world)
        with pytest.raises(PermissionDenied):
            endorse(v1, world.people[persona])
        assert not Endorsement.objects.exists()

    def test_a_superseded_version_is_refused(self, world):
        v1 = publish(world)
        publish(world, goal="v2")
        with pytest.raises(ValidationError) as exc:
            endorse(v1, world.people["steering"])
        assert exc.value.messages == ["Version v1 was superseded by v2: endorse the current version instead."]
        assert not Endorsement.objects.exists()

    def test_a_draft_cannot_be_endorsed(self, world):
        publish(world)
        draft = save_draft(world, goal="next")
        with pytest.raises(ValidationError, match="Only a published version"):
            endorse(draft, world.people["steering"])
        assert not Endorsement.objects.exists()

    @pytest.mark.parametrize("comment", ["", "   \n"])
    def test_declining_needs_a_comment(self, world, comment):
        v1 = publish(world)
        with pytest.raises(ValidationError) as exc:
            endorse(v1, world.people["steering"], Decision.DECLINE, comment)
        assert list(exc.value.message_dict) == ["comment"]
        assert not Endorsement.objects.exists()
        endorse(v1, world.people["steering"], Decision.DECLINE, "The goal is not population-level.")
        assert Endorsement.objects.get().comment == "The goal is not population-level."

    def test_an_unknown_decision_is_refused(self, world):
        v1 = publish(world)
        with pytest.raises(ValidationError) as exc:
            endorse(v1, world.people["steering"], "abstain")
        assert list(exc.value.message_dict) == ["decision"]
        assert not Endorsement.objects.exists()

    def test_deciding_again_updates_the_same_row(self, world):
        v1 = publish(world)
        first = endorse(v1, world.people["steering"])
        second = endorse(v1, world.people["steering"], Decision.DECLINE, "On reflection, no.")
        assert second.pk == first.pk
        stored = Endorsement.objects.get()
        assert (stored.decision, stored.comment) == (Decision.DECLINE, "On reflection, no.")
        assert stored.updated_at >= stored.created_at

    def test_endorsements_of_an_older_version_stay_when_a_new_one_is_published(self, world):
        v1 = publish(world)
        endorse(v1, world.people["steering"])
        v2 = publish(world, goal="v2")
        endorse(v2, world.people["partner"])
        assert sorted(Endorsement.objects.values_list("version__number", "user__username")) == [
            (1, "steering"),
            (2, "partner"),
        ]


class TestAdoption:
    @pytest.mark.parametrize(("steering_total", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3)])
    def test_majority_needs_more_than_half(self, world, make_user, steering_total, needed):
        members = [world.people["steering"]]
        members += [add_member(world, make_user, f"steer{n}") for n in range(steering_total - 1)]
        v1 = publish(world)
        for n, member in enumerate(members[:needed], start=1):
            assert AgendaVersion.objects.get(pk=v1.pk).adopted_at is None
            endorse(v1, member)
            state = services.adoption_state(v1)
            assert (state["steering_total"], state["endorsed"], state["needed"]) == (
                steering_total,
                n,
                needed,
            )
        assert state["met"] is True
        assert state["rule"] == AdoptionRule.MAJORITY
        assert AgendaVersion.objects.get(pk=v1.pk).adopted_at is not None

    def test_majority_of_three(self, world, make_user):
        a, b = add_member(world, make_user, "steer_a"), add_member(world, make_user, "steer_b")
        v1 = publish(world)
        # Only the steering committee counts: the partner endorses, one member declines.
        endorse(v1, world.people["partner"])
        endorse(v1, world.people["steering"], Decision.DECLINE, "Not yet")
        endorse(v1, a)
        v1.refresh_from_db()
        assert v1.adopted_at is None
        assert services.adoption_state(v1) == {
            "rule": AdoptionRule.MAJORITY,
            "steering_total": 3,
            "endorsed": 1,
            "declined": 1,
            "needed": 2,
            "met": False,
        }
        endorse(v1, b)
        v1.refresh_from_db()
        assert v1.adopted_at is not None
        assert services.adoption_state(v1)["met"] is True

    def test_all_needs_every_steering_member(self, world, make_user):
        services.agenda_settings_update(
            initiative=world.initiative, by=backbone(world), adoption_rule=AdoptionRule.ALL
        )
        a, b = add_member(world, make_user, "steer_a"), add_member(world, make_user, "steer_b")
        v1 = publish(world)
        endorse(v1, world.people["steering"])
        endorse(v1, a)
        endorse(v1, b, Decision.DECLINE, "Missing the north")
        v1.refresh_from_db()
        assert v1.adopted_at is None
        state = services.adoption_state(v1)
        assert (state["rule"], state["endorsed"], state["declined"], state["needed"], state["met"]) == (
            AdoptionRule.ALL,
            2,
            1,
            3,
            False,
        )
        endorse(v1, b)
        v1.refresh_from_db()
        assert v1.adopted_at is not None

    def test_adoption_is_recorded_once(self, world, make_user):
        a = add_member(world, make_user, "steer_a")
        v1 = publish(world)
        endorse(v1, world.people["steering"])
        endorse(v1, a)
        v1.refresh_from_db()
        assert v1.adopted_at is not None
        # Pin the date to tell a rewrite apart from keeping it.
        pinned = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
        AgendaVersion.objects.filter(pk=v1.pk).update(adopted_at=pinned)
        endorse(v1, add_member(world, make_user, "steer_late"))
        endorse(v1, a, Decision.DECLINE, "Changed my mind")
        assert AgendaVersion.objects.get(pk=v1.pk).adopted_at == pinned

    def test_without_a_steering_committee_nothing_is_adopted(self, world):
        world.initiative.memberships.filter(role=Role.STEERING).update(role=Role.PARTNER)
        v1 = publish(world)
        endorse(v1, world.people["steering"])
        endorse(v1, world.people["partner"])
        v1.refresh_from_db()
        assert v1.adopted_at is None
        assert services.adoption_state(v1)["met"] is False

    def test_only_backbone_sets_the_rule(self, world):
        with pytest.raises(PermissionDenied):
            services.agenda_settings_update(
                initiative=world.initiative, by=world.people["steering"], adoption_rule=AdoptionRule.ALL
            )
        assert services.agenda_settings(world.initiative).adoption_rule == AdoptionRule.MAJORITY


class TestMilestoneEvidence:
    STRATEGY_II = (Phase.INITIATE_ACTION.value, Area.STRATEGY.value)
    STRATEGY_III = (Phase.ORGANIZE_FOR_IMPACT.value, Area.STRATEGY.value)

    def test_no_published_version_gives_no_evidence(self, world):
        save_draft(world)
        evidence = platform_evidence(world.initiative)
        assert self.STRATEGY_II not in evidence
        assert self.STRATEGY_III not in evidence

    def test_a_published_preliminary_agenda_is_phase_two_evidence(self, world):
        publish(world, kind=AgendaKind.PRELIMINARY)
        evidence = platform_evidence(world.initiative)
        assert evidence[self.STRATEGY_II] == [
            ("Preliminary common agenda \u2068v1\u2069 published", "/initiatives/c2c/agenda/v/1/")
        ]
        assert self.STRATEGY_III not in evidence
        assert self.STRATEGY_II not in platform_evidence(world.other)

    def test_an_adopted_full_agenda_is_phase_three_evidence(self, world):
        publish(world, kind=AgendaKind.PRELIMINARY)
        v2 = publish(world, kind=AgendaKind.FULL, goal="The full goal")
        # Published but not adopted yet: no phase III evidence.
        assert self.STRATEGY_III not in platform_evidence(world.initiative)
        endorse(v2, world.people["steering"])  # the only steering member: a majority
        evidence = platform_evidence(world.initiative)
        assert evidence[self.STRATEGY_III] == [
            (
                "Full common agenda \u2068v2\u2069 adopted by the steering committee",
                "/initiatives/c2c/agenda/v/2/",
            )
        ]
        assert evidence[self.STRATEGY_II][0][1] == "/initiatives/c2c/agenda/v/1/"

    def test_an_adopted_preliminary_agenda_is_not_phase_three_evidence(self, world):
        v1 = publish(world, kind=AgendaKind.PRELIMINARY)
        endorse(v1, world.people["steering"])
        assert AgendaVersion.objects.get(pk=v1.pk).adopted_at is not None
        assert self.STRATEGY_III not in platform_evidence(world.initiative)
