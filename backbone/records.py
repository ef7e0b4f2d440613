"""Record-based signals: what the platform's own records say about each indicator in a period.

Each source returns (indicator number, Signal) pairs, every signal on the 0–100 scale with what it
rests on. The other components are read only where they are installed and their models exist
(`django.apps.apps.is_installed` and a guarded import), so the backbone works with whatever exists;
a component whose tables are missing or whose fields changed is skipped, logged, never fatal.

The backbone's own records (policy log, funding ledger, community engagement) are read directly.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import DatabaseError, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ci_platform.bases import Text
from initiatives.choices import Role, Sector
from initiatives.models import Initiative, Membership, Participation

from .choices import Alignment, FundingKind, PolicyKind
from .models import CommunityEvent, FundingEntry, PolicyEntry
from .periods import previous_window
from .scoring import Signal, growth, share

logger = logging.getLogger(__name__)

# The sectors DOMAIN.md section 6 names as those a collective impact initiative brings together.
CORE_SECTORS = (Sector.NONPROFIT, Sector.GOVERNMENT, Sector.PHILANTHROPY, Sector.BUSINESS, Sector.COMMUNITY)


@dataclass(frozen=True)
class SignalInfo:
    indicator: int
    component: str  # the app whose records it reads
    label: Text  # lazy: in the reader's language
    kind: str  # "share" (numerator / denominator), "growth" (current vs previous), "scale"


# Every signal the scoring reads, for the evidence shown on the page and in docs/backbone.md.
SIGNALS: dict[str, SignalInfo] = {
    "agenda_endorsed_people": SignalInfo(
        1,
        "agenda",
        _("Steering committee members and partners who endorsed the current common agenda"),
        "share",
    ),
    "agenda_endorsed_organizations": SignalInfo(
        2, "agenda", _("Organisations that endorsed a version of the common agenda"), "share"
    ),
    "activity_alignment": SignalInfo(
        3,
        "workgroups",
        _("Participating organisations leading or contributing to an aligned activity"),
        "share",
    ),
    "steering_attendance": SignalInfo(
        4, "communication", _("Attendance at steering committee meetings"), "share"
    ),
    "working_group_roles": SignalInfo(
        5, "workgroups", _("Participating organisations with a seat in a working group"), "share"
    ),
    "sectors_engaged": SignalInfo(
        6, "workgroups", _("Sectors represented in the working groups and the steering committee"), "share"
    ),
    "meeting_attendance": SignalInfo(
        7, "communication", _("Attendance at the initiative's meetings"), "share"
    ),
    "network_density": SignalInfo(
        7, "workgroups", _("Density of the partner network (relationship survey)"), "scale"
    ),
    "network_trust": SignalInfo(
        8, "workgroups", _("Mean trust between partners (relationship survey, 1–5)"), "scale"
    ),
    "collaborative_activities": SignalInfo(
        9, "workgroups", _("Activities carried out by more than one organisation"), "share"
    ),
    "cross_sector_ties": SignalInfo(
        9, "workgroups", _("Share of partner ties that cross sectors (relationship survey)"), "scale"
    ),
    "measures_with_data": SignalInfo(13, "measurement", _("Shared measures with approved data"), "share"),
    "data_submitted": SignalInfo(
        14, "measurement", _("Expected data submissions that partners submitted"), "share"
    ),
    "data_on_time": SignalInfo(15, "measurement", _("Expected data submissions made on time"), "share"),
    "data_approved": SignalInfo(
        15, "measurement", _("Expected data submissions approved by the backbone"), "share"
    ),
    "decisions_citing_sources": SignalInfo(
        16, "communication", _("Decisions that cite data (a shared measure, a document or a source)"), "share"
    ),
    "decisions_citing_measures": SignalInfo(
        17, "communication", _("Decisions that cite a shared measure"), "share"
    ),
    "community_reach_growth": SignalInfo(
        18,
        "backbone",
        _("People reached by community engagement, compared with the previous period"),
        "growth",
    ),
    "community_support": SignalInfo(19, "backbone", _("People reached who expressed support"), "share"),
    "community_led_events": SignalInfo(
        20, "backbone", _("Community engagement events led or co-led by community members"), "share"
    ),
    "community_action_growth": SignalInfo(
        21, "backbone", _("People who took action, compared with the previous period"), "growth"
    ),
    "policymakers_engaged_growth": SignalInfo(
        22, "backbone", _("Policymakers and influencers engaged, compared with the previous period"), "growth"
    ),
    "policymaker_advocates": SignalInfo(
        23, "backbone", _("Policymakers and influencers engaged who advocated for the goals"), "share"
    ),
    "policy_changes_aligned": SignalInfo(
        24, "backbone", _("Policy changes aligned with the goals (partly aligned counts half)"), "share"
    ),
    "funders_requiring_alignment": SignalInfo(
        25, "backbone", _("Funders whose grants ask grantees to align with the goals"), "share"
    ),
    "redirected_funds_growth": SignalInfo(
        26, "backbone", _("Funds redirected to the goals, compared with the previous period"), "growth"
    ),
    "new_money_growth": SignalInfo(
        27, "backbone", _("New money committed, compared with the previous period"), "growth"
    ),
    "new_funders": SignalInfo(27, "backbone", _("Funders in the period who are new sources"), "share"),
}


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    previous_start: date
    previous_end: date

    @classmethod
    def of(cls, start: date, end: date) -> Window:
        return cls(start, end, *previous_window(start, end))

    @property
    def end_at(self) -> datetime:
        """The end of the period's last day, as an aware datetime."""
        return timezone.make_aware(datetime.combine(self.end, time.max))


def _share_signal(key: str, numerator: float, denominator: float, **detail) -> Signal:
    return Signal(
        key,
        share(numerator, denominator),
        int(denominator),
        {"numerator": _number(numerator), "denominator": _number(denominator), **detail},
    )


def _growth_signal(key: str, current: float, previous: float, records: int) -> Signal:
    return Signal(
        key, growth(current, previous), records, {"current": _number(current), "previous": _number(previous)}
    )


def _number(value) -> float | int:
    value = float(value)
    return int(value) if value.is_integer() else round(value, 2)


# --- The backbone's own records -----------------------------------------------------------------


def community_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    events = CommunityEvent.objects.filter(initiative=initiative)
    now = events.filter(held_on__range=(w.start, w.end)).aggregate(
        events=Count("pk"),
        reached=Sum("reached", default=0),
        supporters=Sum("supporters", default=0),
        acted=Sum("took_action", default=0),
        led=Count("pk", filter=Q(community_led=True)),
    )
    before = events.filter(held_on__range=(w.previous_start, w.previous_end)).aggregate(
        events=Count("pk"), reached=Sum("reached", default=0), acted=Sum("took_action", default=0)
    )
    n, both = now["events"], now["events"] + before["events"]
    support = _share_signal("community_support", now["supporters"], now["reached"])
    support.n = n  # it rests on the events, not on the number of people they reached
    return [
        (18, _growth_signal("community_reach_growth", now["reached"], before["reached"], both)),
        (19, support),
        (20, _share_signal("community_led_events", now["led"], n)),
        (21, _growth_signal("community_action_growth", now["acted"], before["acted"], both)),
    ]


def _none(key: str) -> Signal:
    return Signal(key, None, 0, {})


def policy_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    entries = PolicyEntry.objects.filter(initiative=initiative)
    engaging = (PolicyKind.BRIEFING, PolicyKind.ADVOCACY)
    now = entries.filter(occurred_on__range=(w.start, w.end)).aggregate(
        engaging=Count("pk", filter=Q(kind__in=engaging)),
        engaged=Sum("policymakers", filter=Q(kind__in=engaging), default=0),
        champion_entries=Count("pk", filter=Q(kind=PolicyKind.CHAMPION)),
        champions=Sum("policymakers", filter=Q(kind=PolicyKind.CHAMPION), default=0),
        changes=Count("pk", filter=Q(kind=PolicyKind.POLICY_CHANGE)),
        aligned=Count("pk", filter=Q(kind=PolicyKind.POLICY_CHANGE, alignment=Alignment.ALIGNED)),
        partly=Count("pk", filter=Q(kind=PolicyKind.POLICY_CHANGE, alignment=Alignment.PARTLY)),
    )
    before = entries.filter(
        occurred_on__range=(w.previous_start, w.previous_end), kind__in=engaging
    ).aggregate(entries=Count("pk"), engaged=Sum("policymakers", default=0))
    advocates = _share_signal("policymaker_advocates", now["champions"], now["engaged"])
    # It rests on the entries behind both numbers, not on the number of people.
    advocates.n = now["engaging"] + now["champion_entries"] if now["engaged"] else 0
    aligned = now["aligned"] + 0.5 * now["partly"]
    return [
        (
            22,
            _growth_signal(
                "policymakers_engaged_growth",
                now["engaged"],
                before["engaged"],
                now["engaging"] + before["entries"],
            ),
        ),
        (23, advocates),
        (24, _share_signal("policy_changes_aligned", aligned, now["changes"])),
    ]


def funding_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    entries = FundingEntry.objects.filter(initiative=initiative)
    rows = list(
        entries.filter(committed_on__range=(w.start, w.end)).values_list(
            "funder_id", "kind", "amount", "requires_alignment"
        )
    )
    previous = list(
        entries.filter(committed_on__range=(w.previous_start, w.previous_end)).values_list("kind", "amount")
    )
    funders = {funder for funder, *_ in rows}
    aligning = {funder for funder, _kind, _amount, requires in rows if requires}
    first_seen = dict(
        entries.filter(funder_id__in=funders)
        .values("funder_id")
        .annotate(first=Min("committed_on"))
        .values_list("funder_id", "first")
    )
    new_funders = {f for f in funders if first_seen.get(f) and first_seen[f] >= w.start}

    def total(items, kind):
        return sum((amount for k, amount in items if k == kind), 0)

    now_pairs = [(kind, amount) for _f, kind, amount, _r in rows]
    redirected_entries = sum(1 for k, _ in now_pairs + previous if k == FundingKind.REDIRECTED)
    new_entries = sum(1 for k, _ in now_pairs + previous if k == FundingKind.NEW)
    return [
        (25, _share_signal("funders_requiring_alignment", len(aligning), len(funders))),
        (
            26,
            _growth_signal(
                "redirected_funds_growth",
                total(now_pairs, FundingKind.REDIRECTED),
                total(previous, FundingKind.REDIRECTED),
                redirected_entries,
            ),
        ),
        (
            27,
            _growth_signal(
                "new_money_growth",
                total(now_pairs, FundingKind.NEW),
                total(previous, FundingKind.NEW),
                new_entries,
            ),
        ),
        (27, _share_signal("new_funders", len(new_funders), len(funders))),
    ]


# --- Other components, where they exist -----------------------------------------------------------


def _eligible_members(initiative: Initiative, w: Window) -> list[tuple[int, int]]:
    return list(
        # Today's steering committee and partners: memberships keep no history of their own.
        Membership.objects.filter(initiative=initiative, role__in=(Role.STEERING, Role.PARTNER)).values_list(
            "user_id", "organization_id"
        )
    )


def agenda_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    from agenda.choices import Decision, VersionStatus
    from agenda.models import AgendaVersion, Endorsement

    version = (
        AgendaVersion.objects.filter(
            initiative=initiative, status=VersionStatus.PUBLISHED, published_at__lte=w.end_at
        )
        .order_by("-number")
        .first()
    )
    if version is None:
        return [(1, _none("agenda_endorsed_people")), (2, _none("agenda_endorsed_organizations"))]
    members = _eligible_members(initiative, w)
    users = {user for user, _org in members}
    orgs = {org for _user, org in members}
    endorsed = Endorsement.objects.filter(
        version=version, decision=Decision.ENDORSE, created_at__lte=w.end_at, user_id__in=users
    ).count()
    endorsing_orgs = set(
        Endorsement.objects.filter(
            version__initiative=initiative,
            version__published_at__lte=w.end_at,
            decision=Decision.ENDORSE,
            created_at__lte=w.end_at,
        ).values_list("organization_id", flat=True)
    )
    return [
        (1, _share_signal("agenda_endorsed_people", endorsed, len(users), version=version.number)),
        (2, _share_signal("agenda_endorsed_organizations", len(endorsing_orgs & orgs), len(orgs))),
    ]


def measurement_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    from measurement.choices import SubmissionStatus
    from measurement.models import (
        Assignment,
        DataValue,
        ReportingPeriod,
        SharedMeasure,
        Submission,
        holding_approved_values,
        holds_approved_values,
    )

    periods = {
        p.pk: p
        for p in ReportingPeriod.objects.filter(initiative=initiative, due_on__range=(w.start, w.end)).only(
            "pk", "frequency", "due_on"
        )
    }
    reporters: dict[str, set[int]] = defaultdict(set)
    for frequency, org in Assignment.objects.filter(initiative=initiative).values_list(
        "measure__frequency", "organization_id"
    ):
        reporters[frequency].add(org)
    expected = {(pk, org) for pk, p in periods.items() for org in reporters[p.frequency]}
    submitted = on_time = approved = 0
    for period_id, org, status, open_cells, submitted_at in Submission.objects.filter(
        period_id__in=list(periods)
    ).values_list("period_id", "organization_id", "status", "open_cells", "submitted_at"):
        if (period_id, org) not in expected or submitted_at is None:
            continue
        holds_approved = holds_approved_values(status, open_cells)
        if status == SubmissionStatus.DRAFT and not holds_approved:
            continue  # reopened whole and not sent again
        submitted += 1
        on_time += timezone.localdate(submitted_at) <= periods[period_id].due_on
        approved += holds_approved
    measures = SharedMeasure.objects.filter(initiative=initiative, created_at__lte=w.end_at).count()
    with_data = (
        DataValue.objects.filter(
            measure__initiative=initiative,
            submission__in=Submission.objects.filter(holding_approved_values()),
            period__end__lte=w.end,
        )
        .values("measure_id")
        .distinct()
        .count()
    )
    n = len(expected)
    return [
        (13, _share_signal("measures_with_data", with_data, measures)),
        (14, _share_signal("data_submitted", submitted, n)),
        (15, _share_signal("data_on_time", on_time, n)),
        (15, _share_signal("data_approved", approved, n)),
    ]


def communication_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    from communication import selectors as communication
    from communication.choices import AttendanceStatus, Body
    from communication.models import Attendance

    attendance = communication.attendance_summary(initiative, w.start, w.end)
    steering = Attendance.objects.filter(
        meeting__initiative=initiative,
        meeting__body=Body.STEERING,
        meeting__starts_at__date__range=(w.start, w.end),
        meeting__starts_at__lte=timezone.now(),
    ).aggregate(invited=Count("pk"), attended=Count("pk", filter=Q(status=AttendanceStatus.ATTENDED)))
    use = communication.decision_data_use(initiative, w.start, w.end)
    return [
        (4, _share_signal("steering_attendance", steering["attended"], steering["invited"])),
        (7, _share_signal("meeting_attendance", attendance["attended"], attendance["invited"])),
        (16, _share_signal("decisions_citing_sources", use["citing_any_source"], use["decisions"])),
        (17, _share_signal("decisions_citing_measures", use["citing_measures"], use["decisions"])),
    ]


def workgroups_signals(initiative: Initiative, w: Window) -> list[tuple[int, Signal]]:
    from initiatives.models import Organization
    from workgroups.choices import MetricsStatus
    from workgroups.models import Activity, NetworkMetrics, SteeringCommitteeSeat, WorkingGroupMember

    # Today's participating organisations (participations keep no history of leaving).
    orgs = set(Participation.objects.filter(initiative=initiative).values_list("organization_id", flat=True))
    active = Activity.objects.filter(working_group__initiative=initiative, start_date__lte=w.end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=w.start)
    )
    leads = dict(active.values_list("pk", "lead_organization_id"))
    contributors: dict[int, set[int]] = defaultdict(set)
    for activity_id, org in Activity.contributing_organizations.through.objects.filter(
        activity_id__in=list(leads)
    ).values_list("activity_id", "organization_id"):
        contributors[activity_id].add(org)
    involved = set(leads.values()) | {org for group in contributors.values() for org in group}
    joint = sum(1 for pk, lead in leads.items() if contributors[pk] - {lead})

    seated: set[int] = set()
    for via_person, direct in WorkingGroupMember.objects.filter(
        group__initiative=initiative, joined_on__lte=w.end
    ).values_list("membership__organization_id", "organization_id"):
        seated.add(via_person or direct)
    engaged = set(seated)
    for via_person, direct in SteeringCommitteeSeat.objects.filter(
        initiative=initiative, since__lte=w.end
    ).values_list("membership__organization_id", "organization_id"):
        if via_person or direct:
            engaged.add(via_person or direct)
    sectors = set(Organization.objects.filter(pk__in=engaged).values_list("sector", flat=True))
    core = [s for s in CORE_SECTORS if s in sectors]

    # An initiative that has no working groups or activities yet gives no evidence, rather than 0 %.
    has_groups = WorkingGroupMember.objects.filter(group__initiative=initiative).exists()
    has_activities = Activity.objects.filter(working_group__initiative=initiative).exists()
    signals = [
        (
            3,
            _share_signal("activity_alignment", len(involved & orgs), len(orgs))
            if has_activities
            else _none("activity_alignment"),
        ),
        (
            5,
            _share_signal("working_group_roles", len(seated & orgs), len(orgs))
            if has_groups
            else _none("working_group_roles"),
        ),
        (
            6,
            Signal(
                "sectors_engaged",
                share(len(core), len(CORE_SECTORS)),
                len(engaged),
                {"numerator": len(core), "denominator": len(CORE_SECTORS)},
            ),
        ),
        (9, _share_signal("collaborative_activities", joint, len(leads))),
    ]
    metrics = (
        NetworkMetrics.objects.filter(
            wave__initiative=initiative,
            status=MetricsStatus.DONE,
            wave__closed_at__lte=w.end_at,
            wave__closed_at__gt=w.end_at - timedelta(days=365),
        )
        .order_by("-wave__closed_at")
        .first()
    )
    if metrics is not None:
        detail = {"wave": metrics.wave.name}
        respondents = metrics.respondents
        if metrics.density is not None:
            signals.append(
                (
                    7,
                    Signal(
                        "network_density",
                        min(100.0, 100 * metrics.density),
                        respondents,
                        dict(detail, scale=round(metrics.density, 3)),
                    ),
                )
            )
        if metrics.mean_trust is not None:
            signals.append(
                (
                    8,
                    Signal(
                        "network_trust",
                        (metrics.mean_trust - 1) * 25,
                        respondents,
                        dict(detail, scale=round(metrics.mean_trust, 2)),
                    ),
                )
            )
        if metrics.cross_sector_share is not None:
            signals.append(
                (
                    9,
                    Signal(
                        "cross_sector_ties",
                        min(100.0, 100 * metrics.cross_sector_share),
                        metrics.ties,
                        dict(detail, scale=round(metrics.cross_sector_share, 3)),
                    ),
                )
            )
    return signals


OWN_SOURCES: list[Callable[[Initiative, Window], list[tuple[int, Signal]]]] = [
    community_signals,
    policy_signals,
    funding_signals,
]
# Components being built alongside this one: read only when present, skipped when not.
COMPONENT_SOURCES: list[tuple[str, Callable[[Initiative, Window], list[tuple[int, Signal]]]]] = [
    ("agenda", agenda_signals),
    ("measurement", measurement_signals),
    ("communication", communication_signals),
    ("workgroups", workgroups_signals),
]


def collect(initiative: Initiative, start: date, end: date) -> dict[int, list[Signal]]:
    """Every record signal of the period, by indicator number."""
    window = Window.of(start, end)
    signals: dict[int, list[Signal]] = defaultdict(list)
    for number, signal in _own(initiative, window):
        signals[number].append(signal)
    for app, source in COMPONENT_SOURCES:
        for number, signal in _component(app, source, initiative, window):
            signals[number].append(signal)
    return signals


def _own(initiative: Initiative, window: Window) -> Iterable[tuple[int, Signal]]:
    for source in OWN_SOURCES:
        yield from source(initiative, window)


def _component(app: str, source, initiative: Initiative, window: Window) -> list[tuple[int, Signal]]:
    if not apps.is_installed(app):
        return []
    try:
        # A savepoint: on PostgreSQL a failed query would otherwise abort the whole recompute.
        with transaction.atomic():
            return source(initiative, window)
    except (ImportError, LookupError, AttributeError, FieldError, KeyError, DatabaseError) as exc:
        logger.warning("backbone: %s records skipped: %s", app, exc)
        return []
