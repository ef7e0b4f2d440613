"""A world for mutually reinforcing activities, built through the services: a published agenda
with two key strategies, a steering committee, a working group chaired by the steering committee
member, an action plan (one activity led by the partner's organisation), and three survey waves
(one closed with its figures, one open, one planned). The other initiative gets its own group,
activity and wave, to prove that they are 404 here."""

from datetime import date

import pytest

from agenda import services as agenda
from agenda.choices import AgendaKind
from initiatives.choices import Sector
from initiatives.models import Organization
from measurement.choices import Aggregation, Unit, ValueType
from workgroups import services
from workgroups.choices import ActivityStatus

from ..measurement.factories import SharedMeasureFactory


def publish_agenda(initiative, by, titles):
    """Publish a version with these key strategies (a title already in the agenda keeps its
    strategy's identity) and return its strategies in order."""
    draft = agenda.agenda_draft_start(initiative=initiative, by=by)
    known = {item.title: item.strategy_id for item in draft.strategy_items.all()}
    draft = agenda.agenda_draft_save(
        draft=draft,
        by=by,
        revision=draft.revision,
        fields={"problem_statement": "Few children read well.", "goal": "All children read by eight."},
        figures=[],
        strategies=[{"title": title, "strategy_id": known.get(title)} for title in titles],
        principles=[],
    )
    version = agenda.agenda_publish(
        draft=draft,
        by=by,
        change_summary="New strategies." if draft.based_on_id else "",
        kind=AgendaKind.FULL,
    )
    return [item.strategy for item in version.strategy_items.select_related("strategy").order_by("order")]


def answer(wave, by, organization, ratings):
    return services.tie_survey_answer(
        wave=wave,
        by=by,
        organization=organization,
        answers=[
            {
                "to_organization": to,
                "contact_frequency": contact,
                "kinds": kinds,
                "trust": trust,
                "value": value,
            }
            for to, contact, kinds, trust, value in ratings
        ],
    )


@pytest.fixture
def wg(world):
    return build_wg(world)


def build_wg(w):
    """The world with the component's objects (also built once per module by the permission matrix)."""
    backbone = w.people["backbone"]
    initiative = w.initiative
    w.community = Organization.objects.create(name="Community Org", sector=Sector.COMMUNITY)
    initiative.participations.create(organization=w.community)
    w.strategies = publish_agenda(initiative, backbone, ["Early literacy", "Transition to work"])
    w.memberships = {m.user.get_username(): m for m in initiative.memberships.select_related("user")}
    w.seat = services.seat_add(initiative=initiative, by=backbone, membership=w.memberships["steering"])
    w.group = services.working_group_create(
        initiative=initiative,
        by=backbone,
        name="Early Literacy",
        strategy=w.strategies[0],
        chair=w.memberships["steering"],
    )
    w.partner_member = services.group_member_add(
        group=w.group, by=backbone, membership=w.memberships["partner"]
    )
    w.activity = services.activity_create(
        group=w.group,
        by=backbone,
        title="Reading camps",
        lead_organization=w.orgs["partner"],
        contributing_organizations=[w.orgs["funder"]],
        start_date=date(2026, 1, 1),
        end_date=date(2026, 6, 30),
        status=ActivityStatus.UNDER_WAY,
    )
    w.backbone_activity = services.activity_create(
        group=w.group,
        by=backbone,
        title="Shared reading data",
        lead_organization=w.orgs["backbone"],
        start_date=date(2026, 2, 1),
    )
    services.activity_progress_add(activity=w.activity, by=backbone, note="Two camps booked.")

    w.closed_wave = services.wave_create(initiative=initiative, by=backbone, name="Wave 1")
    services.wave_open(wave=w.closed_wave, by=backbone)
    answer(
        w.closed_wave, backbone, w.orgs["backbone"], [(w.orgs["partner"], 3, ["information_sharing"], 4, 4)]
    )
    w.closed_wave = services.wave_close(wave=w.closed_wave, by=backbone)
    w.metrics = services.network_metrics_compute(wave_id=w.closed_wave.pk)
    w.open_wave = services.wave_create(initiative=initiative, by=backbone, name="Wave 2")
    w.open_wave = services.wave_open(wave=w.open_wave, by=backbone)
    answer(
        w.open_wave, w.people["partner"], w.orgs["partner"], [(w.orgs["funder"], 2, ["joint_planning"], 3, 4)]
    )
    w.planned_wave = services.wave_create(initiative=initiative, by=backbone, name="Wave 3")

    # The other initiative's own structure.
    other_by = w.people["other_member"]
    other_strategies = publish_agenda(w.other, other_by, ["Theirs"])
    w.other_seat = services.seat_add(
        initiative=w.other, by=other_by, person_name="Someone", is_community_representative=True
    )
    w.other_group = services.working_group_create(
        initiative=w.other, by=other_by, name="Their group", strategy=other_strategies[0]
    )
    w.other_member = services.group_member_add(group=w.other_group, by=other_by, organization=w.orgs["other"])
    w.other_activity = services.activity_create(
        group=w.other_group,
        by=other_by,
        title="Their activity",
        lead_organization=w.orgs["other"],
        start_date=date(2026, 1, 1),
    )
    w.other_wave = services.wave_create(initiative=w.other, by=other_by, name="Their wave")
    return w


def make_measure(initiative, code: str):
    """A shared measure (a percentage, averaged), made directly: the measurement app owns its own
    workflows."""
    return SharedMeasureFactory(
        initiative=initiative,
        code=code,
        unit=Unit.PERCENT,
        value_type=ValueType.PERCENT,
        aggregation=Aggregation.MEAN,
    )
