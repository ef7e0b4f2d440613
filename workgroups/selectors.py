"""Reads of mutually reinforcing activities, with their joins decided here. Lists take a fixed
number of queries, however many groups, activities or organisations there are."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from agenda.choices import VersionStatus
from agenda.models import StrategyItem
from ci_platform.i18n_format import isolate
from initiatives.choices import Area, Phase, Role
from initiatives.models import Initiative, Membership, Organization

from . import network
from . import permissions as perms
from .choices import ActivityStatus, MetricsStatus
from .models import (
    Activity,
    ActivityUpdate,
    NetworkMetrics,
    SteeringCommitteeSeat,
    TieResponse,
    TieSurveyWave,
    WorkingGroup,
    WorkingGroupMember,
)

# --- Key strategies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrategyLabel:
    id: int
    title: str
    order: int
    is_current: bool  # in the latest published version of the common agenda


def strategy_labels(initiative: Initiative) -> dict[int, StrategyLabel]:
    """Every key strategy ever published, by id, in its latest wording: the current ones first (in
    the agenda's order), then those dropped from the agenda since. One query."""
    items = (
        StrategyItem.objects.filter(version__initiative=initiative, version__status=VersionStatus.PUBLISHED)
        .order_by("-version__number", "order", "id")
        .values_list("strategy_id", "title", "order", "version__number")
    )
    labels: dict[int, StrategyLabel] = {}
    latest = None
    for strategy_id, title, order, number in items:
        latest = latest if latest is not None else number
        if strategy_id not in labels:
            labels[strategy_id] = StrategyLabel(strategy_id, title, order, number == latest)
    return labels


def current_strategy_labels(initiative: Initiative) -> list[StrategyLabel]:
    return [label for label in strategy_labels(initiative).values() if label.is_current]


def _label(labels: dict[int, StrategyLabel], strategy_id: int) -> StrategyLabel:
    # A strategy only ever drafted (never published) has no published wording.
    return labels.get(strategy_id) or StrategyLabel(strategy_id, _("Unpublished strategy"), 999, False)


# --- The tiered structure --------------------------------------------------------------------------


def steering_committee(initiative: Initiative) -> QuerySet[SteeringCommitteeSeat]:
    """Seats held by members in the steering committee role, and named community representatives.
    A member whose role changed since keeps the row but not the seat, until staff give it again."""
    return (
        initiative.steering_seats.filter(Q(membership__isnull=True) | Q(membership__role=Role.STEERING))
        .select_related("membership__user", "membership__organization", "organization")
        .order_by("seat_role", "id")
    )


def backbone_team(initiative: Initiative) -> QuerySet[Membership]:
    return (
        initiative.memberships.filter(role=Role.BACKBONE)
        .select_related("user", "organization")
        .order_by("organization__name", "user__last_name", "user__first_name", "user__username")
    )


def _members_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=WorkingGroupMember.objects.select_related(
            "membership__user", "membership__organization", "organization"
        ).order_by("id"),
    )


def working_group_queryset(initiative: Initiative) -> QuerySet[WorkingGroup]:
    """The groups with their chair, members, focus measures and activity counts."""
    return (
        initiative.working_groups.select_related("chair__user", "chair__organization")
        .prefetch_related(_members_prefetch(), "focus_measures")
        .annotate(
            activity_count=Count("activities", distinct=True),
            under_way_count=Count(
                "activities", filter=Q(activities__status=ActivityStatus.UNDER_WAY), distinct=True
            ),
        )
        .order_by("name")
    )


def working_groups(initiative: Initiative) -> list[WorkingGroup]:
    """The groups (see working_group_queryset), with their strategy's wording, in agenda order."""
    groups = list(working_group_queryset(initiative))
    labels = strategy_labels(initiative)
    for group in groups:
        group.strategy_label = _label(labels, group.strategy_id)
    return sorted(groups, key=lambda g: (not g.strategy_label.is_current, g.strategy_label.order, g.name))


def working_group(initiative: Initiative, pk: int) -> WorkingGroup:
    group = get_object_or_404(
        initiative.working_groups.select_related("chair__user", "chair__organization").prefetch_related(
            _members_prefetch(), "focus_measures"
        ),
        pk=pk,
    )
    group.strategy_label = _label(strategy_labels(initiative), group.strategy_id)
    return group


def _activities(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return queryset.select_related("lead_organization").prefetch_related(
        "contributing_organizations",
        "measures",
        Prefetch(
            "updates",
            queryset=ActivityUpdate.objects.select_related("by").order_by("-at", "-id")[:1],
            to_attr="latest_updates",
        ),
    )


def activity_queryset(initiative: Initiative) -> QuerySet[Activity]:
    return _activities(Activity.objects.filter(working_group__initiative=initiative)).order_by(
        "working_group_id", "start_date", "id"
    )


def action_plan(group: WorkingGroup) -> list[Activity]:
    """The group's activities, in date order, each with its latest progress note."""
    activities = list(_activities(group.activities.all()).order_by("start_date", "id"))
    labels = strategy_labels(group.initiative)
    for activity in activities:
        activity.working_group = group
        activity.strategy_label = _label(labels, activity.strategy_id)
        latest = getattr(activity, "latest_updates", [])  # the Prefetch's to_attr (_activities)
        activity.latest_update = latest[0] if latest else None
    return activities


def activity(initiative: Initiative, pk: int) -> Activity:
    found = get_object_or_404(
        _activities(Activity.objects.filter(working_group__initiative=initiative)).select_related(
            "working_group__chair__user"
        ),
        pk=pk,
    )
    found.working_group.initiative = initiative
    found.strategy_label = _label(strategy_labels(initiative), found.strategy_id)
    return found


def activity_updates(activity: Activity) -> QuerySet[ActivityUpdate]:
    return activity.updates.select_related("by").order_by("-at", "-id")


def organizations_on_strategy(
    initiative: Initiative, strategy_id: int
) -> list[tuple[Organization, list[str]]]:
    """Who works on the same strategy, and how: the point of mutually reinforcing activities is
    that each partner sees the others' part."""
    parts: dict[int, set[str]] = defaultdict(set)
    live = Activity.objects.filter(working_group__initiative=initiative, strategy_id=strategy_id).exclude(
        status=ActivityStatus.STOPPED
    )
    for lead_id in live.values_list("lead_organization_id", flat=True):
        parts[lead_id].add(_("leads an activity"))
    through = Activity.contributing_organizations.through
    for org_id in through.objects.filter(activity__in=live).values_list("organization_id", flat=True):
        parts[org_id].add(_("contributes"))
    orgs = Organization.objects.filter(pk__in=parts).order_by("name")
    return [(org, sorted(parts[org.pk])) for org in orgs]


# --- Alignment: strategies × organisations -------------------------------------------------------


@dataclass
class Cell:
    strategy_id: int
    leads: int = 0
    contributes: int = 0
    in_group: bool = False
    chairs: bool = False

    @property
    def has_role(self) -> bool:
        return bool(self.leads or self.contributes or self.in_group or self.chairs)


@dataclass
class AlignmentRow:
    organization: Organization
    steering: bool
    cells: list[Cell]

    @property
    def has_role(self) -> bool:
        return self.steering or any(cell.has_role for cell in self.cells)


@dataclass
class Alignment:
    strategies: list[StrategyLabel]
    rows: list[AlignmentRow]
    activity_counts: list[int]
    groups: dict[int, WorkingGroup] = field(default_factory=dict)

    @property
    def strategies_without_activity(self) -> list[StrategyLabel]:
        return [
            s for s, n in zip(self.strategies, self.activity_counts, strict=True) if n == 0 and s.is_current
        ]

    @property
    def organizations_without_role(self) -> list[Organization]:
        return [row.organization for row in self.rows if not row.has_role]


def alignment(initiative: Initiative) -> Alignment:
    """Who contributes to which key strategy (stopped activities do not count), and the gaps:
    current strategies with no activity, organisations with no part anywhere."""
    labels = strategy_labels(initiative)
    live = Activity.objects.filter(working_group__initiative=initiative).exclude(
        status=ActivityStatus.STOPPED
    )
    activities = list(live.values_list("pk", "strategy_id", "lead_organization_id"))
    contributions = list(
        Activity.contributing_organizations.through.objects.filter(activity__in=live).values_list(
            "activity_id", "organization_id"
        )
    )
    groups = {g.strategy_id: g for g in initiative.working_groups.select_related("chair").order_by("name")}
    members = list(
        WorkingGroupMember.objects.filter(group__initiative=initiative).values_list(
            "group__strategy_id", "membership__organization_id", "organization_id"
        )
    )
    seated = set(steering_committee(initiative).values_list("membership__organization_id", "organization_id"))
    seated_orgs = {org for pair in seated for org in pair if org}
    organizations = list(Organization.objects.filter(participations__initiative=initiative).order_by("name"))

    used = {strategy_id for _pk, strategy_id, _lead in activities} | set(groups)
    strategies = [label for label in labels.values() if label.is_current or label.id in used]
    strategies += [_label(labels, sid) for sid in sorted(used - set(labels))]
    column = {s.id: i for i, s in enumerate(strategies)}
    grid = {org.pk: [Cell(s.id) for s in strategies] for org in organizations}
    counts = [0] * len(strategies)
    strategy_of = {}
    for pk, strategy_id, lead_id in activities:
        strategy_of[pk] = strategy_id
        counts[column[strategy_id]] += 1
        if lead_id in grid:
            grid[lead_id][column[strategy_id]].leads += 1
    for activity_id, org_id in contributions:
        if org_id in grid:
            grid[org_id][column[strategy_of[activity_id]]].contributes += 1
    for strategy_id, person_org, org in members:
        org_id = person_org or org
        if org_id in grid and strategy_id in column:
            grid[org_id][column[strategy_id]].in_group = True
    for strategy_id, group in groups.items():
        if group.chair is not None and group.chair.organization_id in grid and strategy_id in column:
            grid[group.chair.organization_id][column[strategy_id]].chairs = True
    rows = [AlignmentRow(org, org.pk in seated_orgs, grid[org.pk]) for org in organizations]
    return Alignment(strategies=strategies, rows=rows, activity_counts=counts, groups=groups)


# --- The collaboration network ---------------------------------------------------------------------


def tie_wave_queryset(initiative: Initiative) -> QuerySet[TieSurveyWave]:
    """Every wave, oldest first, with its figures and how many organisations answered."""
    return (
        initiative.tie_waves.select_related("metrics__previous_wave")
        .annotate(submission_count=Count("submissions", distinct=True))
        .order_by("created_at", "id")
    )


def tie_waves(initiative: Initiative) -> list[TieSurveyWave]:
    return list(tie_wave_queryset(initiative))


def open_wave(initiative: Initiative) -> TieSurveyWave | None:
    return initiative.tie_waves.filter(opened_at__isnull=False, closed_at__isnull=True).first()


def survey_answers(wave: TieSurveyWave, organization: Organization) -> dict[int, TieResponse]:
    return {r.to_organization_id: r for r in wave.responses.filter(from_organization=organization)}


def ties_visible_to(user, initiative: Initiative) -> QuerySet[TieResponse]:
    """Survey answers: backbone staff see all; others only their own organisation's (ratings of
    trust are confidential; the network and its aggregate figures are for everyone)."""
    responses = TieResponse.objects.filter(wave__initiative=initiative).select_related(
        "wave", "from_organization", "to_organization"
    )
    if perms.can_manage_structure(user, initiative):
        return responses
    membership = perms.base.membership_of(user, initiative)
    return responses.filter(from_organization_id=membership.organization_id if membership else None)


def network_metrics(initiative: Initiative) -> QuerySet[NetworkMetrics]:
    return NetworkMetrics.objects.filter(wave__initiative=initiative).select_related("wave", "previous_wave")


def latest_metrics(initiative: Initiative) -> NetworkMetrics | None:
    return (
        network_metrics(initiative)
        .filter(status=MetricsStatus.DONE)
        .order_by("-wave__closed_at", "-wave_id")
        .first()
    )


def record_ties(initiative: Initiative) -> list[network.RecordTie]:
    """Ties the platform's records show: organisations leading or contributing to the same activity,
    and organisations sitting in the same working group (through people or as organisations)."""
    activity_orgs: dict[int, set[int]] = defaultdict(set)
    for pk, lead in Activity.objects.filter(working_group__initiative=initiative).values_list(
        "pk", "lead_organization_id"
    ):
        activity_orgs[pk].add(lead)
    for activity_id, org_id in Activity.contributing_organizations.through.objects.filter(
        activity__working_group__initiative=initiative
    ).values_list("activity_id", "organization_id"):
        activity_orgs[activity_id].add(org_id)
    group_orgs: dict[int, set[int]] = defaultdict(set)
    for group_id, person_org, org in WorkingGroupMember.objects.filter(
        group__initiative=initiative
    ).values_list("group_id", "membership__organization_id", "organization_id"):
        group_orgs[group_id].add(person_org or org)
    shared_activities: Counter = Counter()
    shared_groups: Counter = Counter()
    for orgs in activity_orgs.values():
        shared_activities.update(combinations(sorted(orgs), 2))
    for orgs in group_orgs.values():
        shared_groups.update(combinations(sorted(orgs), 2))
    pairs = sorted(set(shared_activities) | set(shared_groups))
    return [network.RecordTie(a, b, shared_activities[(a, b)], shared_groups[(a, b)]) for a, b in pairs]


def records_network(initiative: Initiative) -> tuple[dict, network.Figures]:
    """The network the records show, drawn and measured now (a few queries, no survey needed)."""
    orgs = [
        network.Org(o.pk, o.name, o.sector)
        for o in Organization.objects.filter(participations__initiative=initiative).only(
            "id", "name", "sector"
        )
    ]
    graph = network.records_graph(orgs, record_ties(initiative))
    return network.drawing(graph), network.figures(graph)


# --- Evidence for the lifecycle milestones ------------------------------------------------------------


def milestone_evidence(initiative: Initiative) -> list[tuple[int, str, str, str]]:
    """(phase, area, text, url): a steering committee formed (phase II governance), working groups
    formed (phase III governance), and the collaboration measured (phase IV governance)."""
    from django.urls import reverse

    evidence: list[tuple[int, str, str, str]] = []
    seats = list(steering_committee(initiative))
    if seats:
        sectors = {seat.sector for seat in seats}
        community = sum(1 for seat in seats if seat.is_community_representative)
        evidence.append(
            (
                Phase.INITIATE_ACTION,
                Area.GOVERNANCE,
                _(
                    "Steering committee formed: %(seats)d seats from %(sectors)d sectors, "
                    "%(community)d community representatives"
                )
                % {"seats": len(seats), "sectors": len(sectors), "community": community},
                reverse("workgroups:home", kwargs={"slug": initiative.slug}),
            )
        )
    groups = list(initiative.working_groups.values_list("strategy_id", flat=True))
    if groups:
        current = {label.id for label in current_strategy_labels(initiative)}
        evidence.append(
            (
                Phase.ORGANIZE_FOR_IMPACT,
                Area.GOVERNANCE,
                _("%(groups)d working groups formed, for %(covered)d of %(strategies)d key strategies")
                % {"groups": len(groups), "covered": len(current & set(groups)), "strategies": len(current)},
                reverse("workgroups:groups", kwargs={"slug": initiative.slug}),
            )
        )
    latest = latest_metrics(initiative)
    if latest is not None and latest.density is not None:
        evidence.append(
            (
                Phase.IMPLEMENT_AND_SUSTAIN,
                Area.GOVERNANCE,
                _("Collaboration measured in %(wave)s: %(ties)d ties, density %(density).2f")
                % {"wave": isolate(latest.wave.name), "ties": latest.ties, "density": latest.density},
                reverse("workgroups:network", kwargs={"slug": initiative.slug}) + f"?wave={latest.wave_id}",
            )
        )
    return evidence
