"""The writes of mutually reinforcing activities: the structure's invariants, the plan's rules,
the survey's bad input refused with a clear message and nothing saved, and who may do what."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from initiatives import services as initiatives
from initiatives.choices import Area, Phase, Role
from initiatives.models import Organization
from initiatives.selectors import platform_evidence
from workgroups import selectors, services
from workgroups.choices import ActivityStatus, MetricsStatus, SeatRole
from workgroups.models import (
    Activity,
    ActivityUpdate,
    NetworkMetrics,
    SteeringCommitteeSeat,
    TieResponse,
    TieSurveySubmission,
    TieSurveyWave,
    WorkingGroup,
    WorkingGroupMember,
)

from ..factories import InitiativeFactory
from ..permission_matrix import build_world, module_world
from .conftest import answer, build_wg, make_measure, publish_agenda

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
wg_once, wg = module_world("wg", lambda: build_wg(build_world()))


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


class TestSteeringCommittee:
    def test_a_member_in_the_steering_role_takes_a_seat_for_their_organisation(self, wg):
        seat = wg.seat
        assert seat.membership == wg.memberships["steering"]
        assert seat.seat_organization == wg.orgs["funder"]
        assert seat.sector == "philanthropy"
        assert (seat.seat_role, seat.is_community_representative) == (SeatRole.MEMBER, False)

    def test_a_named_community_representative_needs_no_account(self, wg):
        seat = services.seat_add(
            initiative=wg.initiative,
            by=wg.people["backbone"],
            person_name="  Sarah Amsalem ",
            is_community_representative=True,
        )
        assert (seat.name, seat.seat_organization, seat.sector) == ("Sarah Amsalem", None, "community")
        assert list(selectors.steering_committee(wg.initiative)) == [wg.seat, seat]

    def test_a_member_in_another_role_is_refused(self, wg):
        with pytest.raises(ValidationError) as excinfo:
            services.seat_add(
                initiative=wg.initiative, by=wg.people["backbone"], membership=wg.memberships["partner"]
            )
        assert "is not in the steering committee role" in messages_of(excinfo)
        assert SteeringCommitteeSeat.objects.filter(initiative=wg.initiative).count() == 1

    def test_a_member_seated_twice_is_refused(self, wg):
        with pytest.raises(ValidationError) as excinfo:
            services.seat_add(
                initiative=wg.initiative, by=wg.people["backbone"], membership=wg.memberships["steering"]
            )
        assert "steering already holds a seat on the steering committee." in messages_of(excinfo)
        assert SteeringCommitteeSeat.objects.filter(initiative=wg.initiative).count() == 1
        # The database refuses it too, whatever code path tries.
        with pytest.raises(IntegrityError), transaction.atomic():
            SteeringCommitteeSeat.objects.create(
                initiative=wg.initiative, membership=wg.memberships["steering"]
            )

    def test_a_named_person_sits_for_an_organisation_or_the_community(self, wg):
        with pytest.raises(ValidationError) as excinfo:
            services.seat_add(
                initiative=wg.initiative, by=wg.people["backbone"], person_name="Nobody in particular"
            )
        assert "Say which organisation they sit for" in messages_of(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.seat_add(
                initiative=wg.initiative,
                by=wg.people["backbone"],
                person_name="From elsewhere",
                organization=wg.orgs["other"],
            )
        assert "Other Org is not part of this initiative." in messages_of(excinfo)

    def test_another_initiatives_member_is_refused(self, wg):
        foreign = wg.other.memberships.get()
        with pytest.raises(ValidationError):
            services.seat_add(initiative=wg.initiative, by=wg.people["backbone"], membership=foreign)

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer", "outsider"])
    def test_only_backbone_staff_seat_people(self, wg, persona):
        with pytest.raises(PermissionDenied):
            services.seat_add(
                initiative=wg.initiative,
                by=wg.people[persona],
                person_name="X",
                is_community_representative=True,
            )
        with pytest.raises(PermissionDenied):
            services.seat_remove(seat=wg.seat, by=wg.people[persona])

    def test_a_seat_follows_the_role(self, wg):
        membership = wg.memberships["steering"]
        initiatives.membership_change(
            membership=membership, by=wg.people["backbone"], role=Role.PARTNER, organization=wg.orgs["funder"]
        )
        assert list(selectors.steering_committee(wg.initiative)) == []

    def test_leaving_the_initiative_leaves_the_seat_the_group_and_the_chair(self, wg):
        initiatives.membership_remove(membership=wg.memberships["steering"], by=wg.people["backbone"])
        assert not SteeringCommitteeSeat.objects.filter(pk=wg.seat.pk).exists()
        wg.group.refresh_from_db()
        assert wg.group.chair is None
        assert not wg.group.members.filter(membership__user=wg.people["steering"]).exists()


class TestWorkingGroups:
    def test_the_chair_is_a_member_of_the_group(self, wg):
        members = list(wg.group.members.values_list("membership__user__username", flat=True))
        assert members == ["steering", "partner"]

    def test_one_group_per_key_strategy(self, wg):
        with pytest.raises(ValidationError) as excinfo:
            services.working_group_create(
                initiative=wg.initiative, by=wg.people["backbone"], name="Second", strategy=wg.strategies[0]
            )
        assert "already has a working group (Early Literacy)" in messages_of(excinfo)
        assert WorkingGroup.objects.filter(initiative=wg.initiative).count() == 1
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkingGroup.objects.create(initiative=wg.initiative, name="Sneaked", strategy=wg.strategies[0])

    def test_another_initiatives_strategy_chair_or_measure_is_refused(self, wg):
        backbone = wg.people["backbone"]
        with pytest.raises(ValidationError, match="another initiative"):
            services.working_group_create(
                initiative=wg.initiative, by=backbone, name="X", strategy=wg.other_group.strategy
            )
        with pytest.raises(ValidationError, match="not a member of the initiative"):
            services.working_group_create(
                initiative=wg.initiative,
                by=backbone,
                name="X",
                strategy=wg.strategies[1],
                chair=wg.other.memberships.get(),
            )
        with pytest.raises(ValidationError, match="another initiative"):
            services.working_group_create(
                initiative=wg.initiative,
                by=backbone,
                name="X",
                strategy=wg.strategies[1],
                focus_measures=[make_measure(wg.other, "theirs")],
            )
        assert WorkingGroup.objects.filter(initiative=wg.initiative).count() == 1

    def test_focus_measures_and_changes(self, wg):
        measure = make_measure(wg.initiative, "read-3")
        group = services.working_group_update(
            group=wg.group,
            by=wg.people["backbone"],
            name=" Literacy ",
            focus_measures=[measure],
            chair=wg.memberships["viewer"],
        )
        assert group.name == "Literacy"
        assert list(group.focus_measures.all()) == [measure]
        assert group.members.filter(membership=wg.memberships["viewer"]).exists()  # the new chair joined

    def test_the_same_name_twice_is_refused(self, wg):
        with pytest.raises(ValidationError, match="Another working group already has this name."):
            services.working_group_create(
                initiative=wg.initiative,
                by=wg.people["backbone"],
                name="early literacy",
                strategy=wg.strategies[1],
            )

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer"])
    def test_only_backbone_staff_form_and_change_groups(self, wg, persona):
        with pytest.raises(PermissionDenied):
            services.working_group_create(
                initiative=wg.initiative, by=wg.people[persona], name="X", strategy=wg.strategies[1]
            )
        with pytest.raises(PermissionDenied):
            services.working_group_update(group=wg.group, by=wg.people[persona], name="Mine")


class TestGroupMembers:
    def test_the_chair_adds_people_and_organisations(self, wg):
        chair = wg.people["steering"]
        person = services.group_member_add(group=wg.group, by=chair, membership=wg.memberships["viewer"])
        org = services.group_member_add(group=wg.group, by=chair, organization=wg.community)
        assert (person.name, person.member_organization) == ("viewer", wg.orgs["partner"])
        assert (org.name, org.member_organization, org.is_person) == ("Community Org", wg.community, False)

    def test_a_person_added_twice_is_refused(self, wg):
        with pytest.raises(ValidationError) as excinfo:
            services.group_member_add(
                group=wg.group, by=wg.people["backbone"], membership=wg.memberships["partner"]
            )
        assert messages_of(excinfo) == "partner is already a member of this working group."
        assert wg.group.members.count() == 2

    def test_an_organisation_added_twice_is_refused(self, wg):
        services.group_member_add(group=wg.group, by=wg.people["backbone"], organization=wg.community)
        with pytest.raises(ValidationError) as excinfo:
            services.group_member_add(group=wg.group, by=wg.people["backbone"], organization=wg.community)
        assert messages_of(excinfo) == "Community Org is already a member of this working group."
        assert wg.group.members.count() == 3
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkingGroupMember.objects.create(group=wg.group, organization=wg.community)

    def test_an_organisation_outside_the_initiative_is_refused(self, wg):
        with pytest.raises(ValidationError, match="Other Org is not part of this initiative."):
            services.group_member_add(group=wg.group, by=wg.people["backbone"], organization=wg.orgs["other"])

    def test_a_person_or_an_organisation(self, wg):
        with pytest.raises(ValidationError, match="Choose a person or an organisation"):
            services.group_member_add(group=wg.group, by=wg.people["backbone"])

    def test_the_chair_stays_a_member(self, wg):
        chair = wg.group.members.get(membership=wg.memberships["steering"])
        with pytest.raises(ValidationError, match="choose another chair first"):
            services.group_member_remove(member=chair, by=wg.people["backbone"])

    @pytest.mark.parametrize("persona", ["partner", "viewer"])
    def test_others_cannot_change_the_members(self, wg, persona):
        with pytest.raises(PermissionDenied):
            services.group_member_add(group=wg.group, by=wg.people[persona], organization=wg.community)
        with pytest.raises(PermissionDenied):
            services.group_member_remove(member=wg.partner_member, by=wg.people[persona])


class TestActivities:
    def test_an_activity_serves_the_groups_strategy_unless_told(self, wg):
        assert wg.activity.strategy == wg.strategies[0]
        other = services.activity_create(
            group=wg.group,
            by=wg.people["steering"],
            title="Bridge to work",
            lead_organization=wg.community,
            start_date=date(2026, 5, 1),
            strategy=wg.strategies[1],
        )
        assert other.strategy == wg.strategies[1]

    def test_ending_before_it_starts_is_refused_and_nothing_is_saved(self, wg):
        before = Activity.objects.count()
        with pytest.raises(ValidationError) as excinfo:
            services.activity_create(
                group=wg.group,
                by=wg.people["backbone"],
                title="Backwards",
                lead_organization=wg.orgs["partner"],
                start_date=date(2026, 5, 1),
                end_date=date(2026, 4, 30),
            )
        assert excinfo.value.message_dict == {"end_date": ["An activity cannot end before it starts."]}
        assert Activity.objects.count() == before
        with pytest.raises(ValidationError, match="cannot end before it starts"):
            services.activity_update(
                activity=wg.activity, by=wg.people["partner"], end_date=date(2025, 12, 31)
            )
        wg.activity.refresh_from_db()
        assert wg.activity.end_date == date(2026, 6, 30)
        # The database keeps the rule too.
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.filter(pk=wg.activity.pk).update(end_date=date(2025, 1, 1))

    def test_organisations_outside_the_initiative_are_refused(self, wg):
        for field, kwargs in (
            ("lead_organization", {"lead_organization": wg.orgs["other"]}),
            (
                "contributing_organizations",
                {"lead_organization": wg.orgs["partner"], "contributing_organizations": [wg.orgs["other"]]},
            ),
        ):
            with pytest.raises(ValidationError) as excinfo:
                services.activity_create(
                    group=wg.group, by=wg.people["backbone"], title="X", start_date=date(2026, 1, 1), **kwargs
                )
            assert excinfo.value.message_dict == {field: ["Other Org is not part of this initiative."]}
        assert Activity.objects.filter(title="X").count() == 0

    def test_the_lead_is_not_also_a_contributor(self, wg):
        activity = services.activity_create(
            group=wg.group,
            by=wg.people["backbone"],
            title="Both",
            lead_organization=wg.orgs["partner"],
            contributing_organizations=[wg.orgs["partner"], wg.orgs["funder"]],
            start_date=date(2026, 1, 1),
        )
        assert list(activity.contributing_organizations.all()) == [wg.orgs["funder"]]

    def test_the_chair_plans_and_partners_of_other_organisations_do_not(self, wg):
        services.activity_create(
            group=wg.group,
            by=wg.people["steering"],
            title="Chair's",
            lead_organization=wg.orgs["funder"],
            start_date=date(2026, 1, 1),
        )
        for persona in ("partner", "viewer"):
            with pytest.raises(PermissionDenied):
                services.activity_create(
                    group=wg.group,
                    by=wg.people[persona],
                    title="Not theirs",
                    lead_organization=wg.orgs["partner"],
                    start_date=date(2026, 1, 1),
                )

    def test_the_lead_organisations_partner_updates_but_does_not_hand_the_lead_away(self, wg):
        partner = wg.people["partner"]
        services.activity_update(
            activity=wg.activity, by=partner, title="Reading camps 2026", status="under_way"
        )
        wg.activity.refresh_from_db()
        assert wg.activity.title == "Reading camps 2026"
        assert list(wg.activity.contributing_organizations.all()) == [wg.orgs["funder"]]  # kept
        with pytest.raises(ValidationError, match="hand the lead"):
            services.activity_update(activity=wg.activity, by=partner, lead_organization=wg.orgs["funder"])
        # Not the activities another organisation leads, and not as a viewer of the same organisation.
        with pytest.raises(PermissionDenied):
            services.activity_update(activity=wg.backbone_activity, by=partner, title="Mine now")
        with pytest.raises(PermissionDenied):
            services.activity_progress_add(activity=wg.activity, by=wg.people["viewer"], note="Hi")

    def test_progress_notes_record_who_when_and_the_status(self, wg):
        update = services.activity_progress_add(
            activity=wg.activity,
            by=wg.people["partner"],
            note="  All camps full. ",
            status=ActivityStatus.DONE,
        )
        wg.activity.refresh_from_db()
        assert (update.note, update.status, update.by) == ("All camps full.", "done", wg.people["partner"])
        assert wg.activity.status == ActivityStatus.DONE
        assert [u.note for u in selectors.activity_updates(wg.activity)] == [
            "All camps full.",
            "Two camps booked.",
        ]
        with pytest.raises(ValidationError, match="Write a short note"):
            services.activity_progress_add(activity=wg.activity, by=wg.people["partner"], note="   ")
        assert ActivityUpdate.objects.filter(activity=wg.activity).count() == 2


class TestSurvey:
    def test_an_answer_replaces_the_earlier_one_and_counts_as_answered(self, wg):
        partner, org = wg.people["partner"], wg.orgs["partner"]
        answer(
            wg.open_wave, partner, org, [(wg.community, 4, ["joint_programmes", "information_sharing"], 5, 5)]
        )
        rows = list(wg.open_wave.responses.filter(from_organization=org))
        assert [(r.to_organization, r.contact_frequency, r.kinds, r.trust, r.value) for r in rows] == [
            (wg.community, 4, ["information_sharing", "joint_programmes"], 5, 5)
        ]
        answer(wg.open_wave, partner, org, [])  # no ties at all: an answer too
        assert not wg.open_wave.responses.filter(from_organization=org).exists()
        assert TieSurveySubmission.objects.filter(wave=wg.open_wave, organization=org).count() == 1

    def _refused(self, wg, ratings, by="backbone", organization=None, wave=None):
        wave = wave or wg.open_wave
        before = (TieResponse.objects.count(), TieSurveySubmission.objects.count())
        with pytest.raises(ValidationError) as excinfo:
            answer(wave, wg.people[by], organization or wg.orgs["backbone"], ratings)
        assert (TieResponse.objects.count(), TieSurveySubmission.objects.count()) == before
        return messages_of(excinfo)

    def test_a_tie_to_itself_is_refused(self, wg):
        message = self._refused(wg, [(wg.community, 3, [], 4, 4), (wg.orgs["backbone"], 3, [], 4, 4)])
        assert message == "An organisation cannot rate a tie with itself."
        with pytest.raises(IntegrityError), transaction.atomic():
            TieResponse.objects.create(
                wave=wg.open_wave,
                from_organization=wg.orgs["backbone"],
                to_organization=wg.orgs["backbone"],
                contact_frequency=3,
                trust=3,
                value=3,
            )

    def test_an_answer_about_an_organisation_outside_the_initiative_is_refused(self, wg):
        message = self._refused(wg, [(wg.community, 3, [], 4, 4), (wg.orgs["other"], 3, [], 4, 4)])
        assert message == "Other Org is not part of this initiative."

    def test_bad_ratings_are_refused(self, wg):
        assert self._refused(wg, [(wg.community, 3, [], 4, 4), (wg.community, 2, [], 4, 4)]) == (
            "Community Org is rated twice."
        )
        assert "from 1 to 5" in self._refused(wg, [(wg.community, 3, [], 6, 4)])
        assert "from 1 to 5" in self._refused(wg, [(wg.community, 3, [], 4, 0)])
        assert "how often" in self._refused(wg, [(wg.community, 9, [], 4, 4)])
        assert "Unknown kind" in self._refused(wg, [(wg.community, 3, ["gossip"], 4, 4)])

    def test_only_an_open_wave_takes_answers(self, wg):
        for wave in (wg.closed_wave, wg.planned_wave):
            assert self._refused(wg, [(wg.community, 3, [], 4, 4)], wave=wave) == (
                "This survey wave is not open for answers."
            )

    def test_people_answer_for_their_own_organisation(self, wg):
        with pytest.raises(PermissionDenied):
            answer(wg.open_wave, wg.people["partner"], wg.orgs["funder"], [])
        with pytest.raises(PermissionDenied):
            answer(wg.open_wave, wg.people["viewer"], wg.orgs["partner"], [])
        with pytest.raises(PermissionDenied):
            answer(wg.open_wave, wg.people["outsider"], wg.orgs["partner"], [])
        # Backbone staff enter answers for any organisation (from a call or on paper).
        answer(wg.open_wave, wg.people["backbone"], wg.community, [(wg.orgs["partner"], 1, [], 3, 3)])

    def test_one_tie_at_a_time(self, wg):
        response = services.tie_response_save(
            wave=wg.open_wave,
            by=wg.people["steering"],
            from_organization=wg.orgs["funder"],
            to_organization=wg.community,
            contact_frequency=2,
            trust=4,
            value=3,
            kinds=["shared_resources"],
        )
        again = services.tie_response_save(
            wave=wg.open_wave,
            by=wg.people["steering"],
            from_organization=wg.orgs["funder"],
            to_organization=wg.community,
            contact_frequency=3,
            trust=5,
            value=5,
        )
        assert again.pk == response.pk and (again.contact_frequency, again.kinds) == (3, [])
        with pytest.raises(ValidationError, match="cannot rate a tie with itself"):
            services.tie_response_save(
                wave=wg.open_wave,
                by=wg.people["steering"],
                from_organization=wg.orgs["funder"],
                to_organization=wg.orgs["funder"],
                contact_frequency=3,
                trust=5,
                value=5,
            )


class TestWaves:
    def test_one_open_wave_at_a_time(self, wg):
        with pytest.raises(ValidationError, match="The wave Wave 2 is still open: close it first."):
            services.wave_open(wave=wg.planned_wave, by=wg.people["backbone"])
        with pytest.raises(IntegrityError), transaction.atomic():
            TieSurveyWave.objects.filter(pk=wg.planned_wave.pk).update(opened_at=wg.open_wave.opened_at)
        with pytest.raises(ValidationError, match="a closed wave is not reopened"):
            services.wave_open(wave=wg.closed_wave, by=wg.people["backbone"])

    def test_closing_enqueues_the_figures_on_commit(
        self, wg, django_capture_on_commit_callbacks, monkeypatch
    ):
        queued = []
        monkeypatch.setattr("workgroups.tasks.network_metrics_compute_task.delay", queued.append)
        with django_capture_on_commit_callbacks(execute=True):
            services.wave_close(wave=wg.open_wave, by=wg.people["backbone"])
        assert queued == [wg.open_wave.pk]
        assert NetworkMetrics.objects.get(wave=wg.open_wave).status == MetricsStatus.PENDING
        with pytest.raises(ValidationError, match="Only an open wave can be closed."):
            services.wave_close(wave=wg.open_wave, by=wg.people["backbone"])

    def test_figures_of_an_open_wave_are_not_computed(self, wg):
        with pytest.raises(ValidationError, match="Close the wave first"):
            services.network_metrics_request(wave=wg.open_wave, by=wg.people["backbone"])

    def test_names_are_needed_and_unique(self, wg):
        with pytest.raises(ValidationError, match="Another wave already has this name."):
            services.wave_create(initiative=wg.initiative, by=wg.people["backbone"], name="wave 1")
        with pytest.raises(ValidationError, match="Give the wave a name"):
            services.wave_create(initiative=wg.initiative, by=wg.people["backbone"], name="  ")

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer"])
    def test_only_backbone_staff_run_waves(self, wg, persona):
        by = wg.people[persona]
        for call in (
            lambda: services.wave_create(initiative=wg.initiative, by=by, name="Mine"),
            lambda: services.wave_close(wave=wg.open_wave, by=by),
            lambda: services.network_metrics_request(wave=wg.closed_wave, by=by),
        ):
            with pytest.raises(PermissionDenied):
                call()


class TestMilestoneEvidence:
    def test_the_committee_and_the_groups_show_on_the_lifecycle(self, wg):
        evidence = platform_evidence(wg.initiative)
        assert evidence[(Phase.INITIATE_ACTION, Area.GOVERNANCE)] == [
            (
                "Steering committee formed: 1 seats from 1 sectors, 0 community representatives",
                "/initiatives/c2c/workgroups/",
            )
        ]
        assert evidence[(Phase.ORGANIZE_FOR_IMPACT, Area.GOVERNANCE)] == [
            ("1 working groups formed, for 1 of 2 key strategies", "/initiatives/c2c/workgroups/groups/")
        ]
        text, url = evidence[(Phase.IMPLEMENT_AND_SUSTAIN, Area.GOVERNANCE)][0]
        assert text.startswith("Collaboration measured in \u2068Wave 1\u2069: 1 ties, density ")
        assert url == f"/initiatives/c2c/workgroups/network/?wave={wg.closed_wave.pk}"

    def test_nothing_formed_shows_nothing(self, wg):
        evidence = platform_evidence(InitiativeFactory(by=wg.people["backbone"]))
        assert (Phase.INITIATE_ACTION, Area.GOVERNANCE) not in evidence
        assert (Phase.ORGANIZE_FOR_IMPACT, Area.GOVERNANCE) not in evidence


def test_a_groups_plan_goes_with_it_and_its_strategy_stays(wg):
    from django.db.models import ProtectedError, RestrictedError

    with pytest.raises((ProtectedError, RestrictedError)):
        wg.strategies[0].delete()  # a strategy with a working group is never deleted on its own
    wg.other_group.delete()
    assert not Activity.objects.filter(title="Their activity").exists()
    assert not WorkingGroupMember.objects.filter(pk=wg.other_member.pk).exists()
    assert WorkingGroup.objects.filter(pk=wg.group.pk).exists()


def test_strategy_labels_follow_the_latest_wording(wg):
    strategies = publish_agenda(wg.initiative, wg.people["backbone"], ["Early reading and writing"])
    labels = selectors.strategy_labels(wg.initiative)
    new = strategies[-1]
    assert labels[new.pk].is_current and labels[new.pk].title == "Early reading and writing"
    # The groups' strategy was not carried into the new version: it keeps its last wording.
    assert (labels[wg.strategies[0].pk].title, labels[wg.strategies[0].pk].is_current) == (
        "Early literacy",
        False,
    )
    assert Organization.objects.filter(participations__initiative=wg.initiative).count() == 4
