from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from initiatives import services
from initiatives.choices import Area, MilestoneStatus, Phase, Role
from initiatives.models import Initiative, Invitation, Membership, PhaseTransition
from tests.permission_matrix import build_world, module_world

pytestmark = pytest.mark.django_db

# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
world_once, world = module_world("world", build_world)


def test_initiative_create_sets_up_lifecycle_and_creator(world):
    i = world.initiative
    assert i.phase == Phase.PRE_LAUNCH
    assert i.milestones.count() == 16
    assert {(m.phase, m.area) for m in i.milestones.all()} == {(p, a) for p in Phase for a in Area}
    creator = i.memberships.get(user=world.people["backbone"])
    assert creator.role == Role.BACKBONE
    assert i.participations.filter(organization=creator.organization).exists()


def test_duplicate_slug_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.initiative_create(
            by=world.people["backbone"],
            organization=world.orgs["backbone"],
            name="Again",
            slug="c2c",
            issue="x",
            place="y",
            topic="education",
        )
    assert "slug" in exc.value.error_dict
    assert Initiative.objects.filter(slug="c2c").count() == 1


def test_creation_can_be_restricted_to_administrators(world, settings):
    settings.ALLOW_USERS_TO_CREATE_INITIATIVES = False
    with pytest.raises(PermissionDenied):
        services.initiative_create(
            by=world.people["outsider"],
            organization=world.orgs["other"],
            name="N",
            slug="n",
            issue="x",
            place="y",
            topic="education",
        )


READY = {
    "champion": "met",
    "champion_evidence": "a",
    "funding": "met",
    "funding_evidence": "b",
    "urgency": "met",
    "urgency_evidence": "c",
}


class TestPhaseChange:
    def test_forward_with_open_milestones_needs_a_reason(self, world):
        with pytest.raises(ValidationError) as exc:
            services.phase_change(initiative=world.initiative, by=world.people["backbone"], to_phase=2)
        assert "reason" in exc.value.error_dict
        world.initiative.refresh_from_db()
        assert world.initiative.phase == Phase.PRE_LAUNCH
        assert not PhaseTransition.objects.exists()

    def test_forward_with_reason_is_logged_with_open_milestones(self, world):
        i, by = world.initiative, world.people["backbone"]
        services.milestone_update(
            milestone=i.milestones.get(phase=1, area=Area.GOVERNANCE),
            by=by,
            status=MilestoneStatus.DONE,
            evidence="memo",
        )
        t = services.phase_change(initiative=i, by=by, to_phase=2, reason="Funder deadline")
        i.refresh_from_db()
        assert i.phase == 2
        assert (t.from_phase, t.to_phase, t.by, t.reason) == (1, 2, by, "Funder deadline")
        assert sorted(t.open_milestones) == sorted([Area.STRATEGY, Area.COMMUNITY, Area.EVALUATION])

    def test_forward_when_all_done_needs_no_reason(self, world):
        i, by = world.initiative, world.people["backbone"]
        services.readiness_assess(initiative=i, by=by, **READY)
        for m in i.milestones.filter(phase=1):
            services.milestone_update(milestone=m, by=by, status=MilestoneStatus.DONE, evidence="ok")
        t = services.phase_change(initiative=i, by=by, to_phase=2)
        assert t.open_milestones == [] and t.reason == ""

    def test_back_is_allowed_and_logged_with_reason(self, world):
        i, by = world.initiative, world.people["backbone"]
        services.phase_change(initiative=i, by=by, to_phase=2, reason="go")
        with pytest.raises(ValidationError):
            services.phase_change(initiative=i, by=by, to_phase=1)
        t = services.phase_change(initiative=i, by=by, to_phase=1, reason="Funding fell through")
        i.refresh_from_db()
        assert i.phase == 1 and not t.is_forward
        assert i.phase_transitions.count() == 2

    def test_leaving_pre_launch_with_preconditions_unmet_needs_a_reason(self, world):
        """Lines 137–141: the three preconditions are necessary to set up an initiative."""
        i, by = world.initiative, world.people["backbone"]
        for m in i.milestones.filter(phase=1):
            services.milestone_update(milestone=m, by=by, status=MilestoneStatus.DONE, evidence="ok")
        services.readiness_assess(initiative=i, by=by, **{**READY, "funding": "partly"})
        with pytest.raises(ValidationError) as exc:
            services.phase_change(initiative=i, by=by, to_phase=2)
        assert "preconditions" in exc.value.error_dict["reason"][0].message
        t = services.phase_change(
            initiative=i, by=by, to_phase=2, reason="The anchor funder signs next month"
        )
        assert (t.unmet_preconditions, t.open_milestones) == (["funding"], [])

    def test_leaving_pre_launch_without_any_readiness_assessment_counts_all_three(self, world):
        i, by = world.initiative, world.people["backbone"]
        t = services.phase_change(initiative=i, by=by, to_phase=2, reason="go")
        assert t.unmet_preconditions == ["champion", "funding", "urgency"]
        # Later phase changes do not ask again.
        for m in i.milestones.filter(phase=2):
            services.milestone_update(milestone=m, by=by, status=MilestoneStatus.DONE, evidence="ok")
        assert services.phase_change(initiative=i, by=by, to_phase=3).unmet_preconditions == []

    @pytest.mark.parametrize("to_phase", [3, 4, 0, 5, 1])
    def test_only_one_step_at_a_time(self, world, to_phase):
        with pytest.raises(ValidationError):
            services.phase_change(
                initiative=world.initiative, by=world.people["backbone"], to_phase=to_phase, reason="x"
            )
        world.initiative.refresh_from_db()
        assert world.initiative.phase == 1

    @pytest.mark.parametrize("persona", ["steering", "partner", "viewer", "outsider"])
    def test_only_backbone(self, world, persona):
        with pytest.raises(PermissionDenied):
            services.phase_change(
                initiative=world.initiative, by=world.people[persona], to_phase=2, reason="x"
            )


def test_milestone_update_records_who_and_when(world):
    m = world.initiative.milestones.get(phase=1, area=Area.STRATEGY)
    services.milestone_update(
        milestone=m,
        by=world.people["backbone"],
        status=MilestoneStatus.IN_PROGRESS,
        evidence="Two dialogues held",
    )
    m.refresh_from_db()
    assert m.status == MilestoneStatus.IN_PROGRESS
    assert m.updated_by == world.people["backbone"]
    assert timezone.now() - m.updated_at < timedelta(minutes=1)


def test_readiness_keeps_history_and_result(world):
    by = world.people["backbone"]
    answers = {
        "champion": "met",
        "champion_evidence": "a",
        "funding": "partly",
        "funding_evidence": "b",
        "urgency": "met",
        "urgency_evidence": "c",
    }
    first = services.readiness_assess(initiative=world.initiative, by=by, **answers)
    assert not first.is_ready and first.unmet == ["funding"]
    second = services.readiness_assess(initiative=world.initiative, by=by, **{**answers, "funding": "met"})
    assert second.is_ready
    assert world.initiative.readiness_assessments.count() == 2
    assert world.initiative.readiness_assessments.first() == second


TABLE_1_SIMPLE = {
    "solution_exists": "known",
    "hard_to_implement": "yes",
    "solution_copyable": "yes",
    "solver": "authority",
    "problem_traits": "well_defined",
    "solution_knowable": "clear",
    "solution_traits": "experts",
    "social_problem": "yes",
}


def test_fit_assessment_stores_derived_result(world):
    fit = services.fit_assess(initiative=world.initiative, by=world.people["backbone"], **TABLE_1_SIMPLE)
    assert (fit.questionnaire, fit.verdict, fit.complexity, fit.nature, fit.is_suited) == (
        2,
        "complicated",
        "complicated",
        "technical",
        False,
    )


def test_fit_assessment_refuses_unanswered_rows_and_keeps_history(world):
    by = world.people["backbone"]
    with pytest.raises(ValidationError) as exc:
        services.fit_assess(
            initiative=world.initiative, by=by, **{**TABLE_1_SIMPLE, "solver": "", "hard_to_implement": ""}
        )
    assert set(exc.value.error_dict) == {"solver", "hard_to_implement"}
    assert not world.initiative.fit_assessments.exists()
    first = services.fit_assess(initiative=world.initiative, by=by, **TABLE_1_SIMPLE)
    # The costliness is asked only of a known solution: dropped when there is none.
    second = services.fit_assess(
        initiative=world.initiative,
        by=by,
        **{**TABLE_1_SIMPLE, "solution_exists": "unknown", "hard_to_implement": "yes"},
    )
    assert second.hard_to_implement == "" and second.verdict == "mixed"
    assert list(world.initiative.fit_assessments.all()) == [second, first]


def test_the_database_refuses_complex_and_technical(world):
    from django.db import IntegrityError, transaction

    fit = services.fit_assess(initiative=world.initiative, by=world.people["backbone"], **TABLE_1_SIMPLE)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(fit).objects.filter(pk=fit.pk).update(complexity="complex", nature="technical")


@pytest.mark.parametrize("persona", ["steering", "partner", "viewer", "outsider"])
def test_fit_assessment_only_backbone(world, persona):
    with pytest.raises(PermissionDenied):
        services.fit_assess(initiative=world.initiative, by=world.people[persona], **TABLE_1_SIMPLE)


class TestInvitations:
    def test_invite_and_accept_with_existing_account(
        self, world, eager_tasks, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation, token = services.invitation_create(
                initiative=world.initiative,
                by=world.people["backbone"],
                email="outsider@example.org",
                role=Role.STEERING,
                organization=world.orgs["funder"],
            )
        assert len(mail.outbox) == 1
        assert f"/invitations/{token}/" in mail.outbox[0].body
        assert invitation.token_hash != token and token not in invitation.token_hash
        assert services.invitation_by_token(token) == invitation
        membership = services.invitation_accept(invitation=invitation, user=world.people["outsider"])
        assert (membership.role, membership.organization) == (Role.STEERING, world.orgs["funder"])
        with pytest.raises(ValidationError):  # one-time
            services.invitation_accept(invitation=invitation, user=world.people["other_member"])

    def test_new_user_sets_password_and_joins(self, world):
        invitation, _token = services.invitation_create(
            initiative=world.initiative,
            by=world.people["backbone"],
            email="NEW@Example.org",
            role=Role.PARTNER,
            organization=world.orgs["partner"],
        )
        membership = services.invitation_accept_new_user(
            invitation=invitation, username="newbie", password="x-Strong-pass-99"
        )
        assert membership.user.email.lower() == "new@example.org"
        assert membership.user.check_password("x-Strong-pass-99")

    def test_expired_or_revoked_links_do_not_work(self, world):
        by = world.people["backbone"]
        invitation, _ = services.invitation_create(
            initiative=world.initiative,
            by=by,
            email="a@example.org",
            role=Role.VIEWER,
            organization=world.orgs["partner"],
        )
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        invitation.refresh_from_db()
        with pytest.raises(ValidationError, match="expired"):
            services.invitation_accept(invitation=invitation, user=world.people["outsider"])
        again, _ = services.invitation_create(
            initiative=world.initiative,
            by=by,
            email="b@example.org",
            role=Role.VIEWER,
            organization=world.orgs["partner"],
        )
        services.invitation_revoke(invitation=again, by=by)
        with pytest.raises(ValidationError, match="withdrawn"):
            services.invitation_accept(invitation=again, user=world.people["outsider"])
        assert not world.initiative.memberships.filter(user=world.people["outsider"]).exists()

    def test_reinviting_replaces_the_pending_invitation(self, world):
        by = world.people["backbone"]
        first, _ = services.invitation_create(
            initiative=world.initiative,
            by=by,
            email="a@example.org",
            role=Role.VIEWER,
            organization=world.orgs["partner"],
        )
        services.invitation_create(
            initiative=world.initiative,
            by=by,
            email="A@example.org",
            role=Role.PARTNER,
            organization=world.orgs["partner"],
        )
        first.refresh_from_db()
        assert first.revoked_at is not None

    def test_member_cannot_be_invited_again(self, world):
        with pytest.raises(ValidationError):
            services.invitation_create(
                initiative=world.initiative,
                by=world.people["backbone"],
                email="viewer@example.org",
                role=Role.VIEWER,
                organization=world.orgs["partner"],
            )

    def test_unknown_token(self, world):
        assert services.invitation_by_token("nope") is None
        assert services.invitation_by_token("x" * 500) is None


class TestMemberships:
    def test_last_backbone_cannot_be_removed_or_demoted(self, world):
        i, by = world.initiative, world.people["backbone"]
        own = i.memberships.get(user=by)
        with pytest.raises(ValidationError):
            services.membership_remove(membership=own, by=by)
        with pytest.raises(ValidationError):
            services.membership_change(membership=own, by=by, role=Role.VIEWER, organization=own.organization)
        own.refresh_from_db()
        assert own.role == Role.BACKBONE

    def test_with_a_second_backbone_one_may_leave(self, world):
        i, by = world.initiative, world.people["backbone"]
        steering = i.memberships.get(user=world.people["steering"])
        services.membership_change(
            membership=steering, by=by, role=Role.BACKBONE, organization=steering.organization
        )
        services.membership_remove(membership=i.memberships.get(user=by), by=world.people["steering"])
        assert not Membership.objects.filter(initiative=i, user=by).exists()

    def test_change_role_and_organization(self, world):
        m = world.initiative.memberships.get(user=world.people["viewer"])
        services.membership_change(
            membership=m, by=world.people["backbone"], role=Role.PARTNER, organization=world.orgs["other"]
        )
        m.refresh_from_db()
        assert (m.role, m.organization) == (Role.PARTNER, world.orgs["other"])
        assert world.initiative.participations.filter(organization=world.orgs["other"]).exists()

    def test_non_backbone_cannot_manage_members(self, world):
        m = world.initiative.memberships.get(user=world.people["viewer"])
        with pytest.raises(PermissionDenied):
            services.membership_remove(membership=m, by=world.people["steering"])
