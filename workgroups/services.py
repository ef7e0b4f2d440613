"""Writes of mutually reinforcing activities. One function per state change, atomic; tasks are
enqueued on commit. Permission is checked here too, whatever calls (page, API, shell)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Strategy
from ci_platform.celery import enqueue
from initiatives import permissions as base
from initiatives.choices import Role
from initiatives.models import Initiative, Membership, Organization
from initiatives.people import display_name
from initiatives.permissions import require
from measurement.models import SharedMeasure

from . import network
from . import permissions as perms
from .choices import ActivityStatus, CollaborationKind, ContactFrequency, MetricsStatus, SeatRole
from .models import (
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

logger = logging.getLogger(__name__)


def _participating_ids(initiative: Initiative) -> set[int]:
    return set(initiative.participations.values_list("organization_id", flat=True))


def _check_organizations(initiative: Initiative, field: str, organizations: Iterable[Organization]) -> None:
    inside = _participating_ids(initiative)
    outside = [o.name for o in organizations if o is not None and o.pk not in inside]
    if outside:
        raise ValidationError(
            {field: _("%(names)s is not part of this initiative.") % {"names": ", ".join(sorted(outside))}}
        )


def _check_membership(initiative: Initiative, field: str, membership: Membership | None) -> None:
    if membership is not None and membership.initiative_id != initiative.pk:
        raise ValidationError({field: _("This person is not a member of the initiative.")})


def _check_strategy(initiative: Initiative, strategy: Strategy) -> None:
    if strategy.initiative_id != initiative.pk:
        raise ValidationError({"strategy": _("This key strategy belongs to another initiative.")})


def _check_measures(initiative: Initiative, field: str, measures: Iterable[SharedMeasure]) -> None:
    if any(m.initiative_id != initiative.pk for m in measures):
        raise ValidationError({field: _("A shared measure belongs to another initiative.")})


# --- The steering committee ----------------------------------------------------------------------


def _check_seat(
    initiative: Initiative,
    membership: Membership | None,
    person_name: str,
    organization: Organization | None,
    is_community_representative: bool,
    seat: SteeringCommitteeSeat | None = None,
) -> None:
    if membership is None and not person_name:
        raise ValidationError(
            {"membership": _("Choose a steering committee member, or name someone without an account.")}
        )
    if membership is not None and person_name:
        raise ValidationError({"person_name": _("Choose a member or name a person, not both.")})
    if membership is not None:
        _check_membership(initiative, "membership", membership)
        if membership.role != Role.STEERING:
            raise ValidationError(
                {
                    "membership": _(
                        "%(name)s is not in the steering committee role: change their role on the members "
                        "page first."
                    )
                    % {"name": display_name(membership.user)}
                }
            )
        taken = initiative.steering_seats.filter(membership=membership)
        if seat is not None:
            taken = taken.exclude(pk=seat.pk)
        if taken.exists():
            raise ValidationError(
                {
                    "membership": _("%(name)s already holds a seat on the steering committee.")
                    % {"name": display_name(membership.user)}
                }
            )
    elif organization is None and not is_community_representative:
        raise ValidationError(
            {
                "organization": _(
                    "Say which organisation they sit for, or mark them as a community representative."
                )
            }
        )
    if organization is not None:
        _check_organizations(initiative, "organization", [organization])


@transaction.atomic
def seat_add(
    *,
    initiative: Initiative,
    by,
    membership: Membership | None = None,
    person_name: str = "",
    organization: Organization | None = None,
    seat_role: str = SeatRole.MEMBER,
    is_community_representative: bool = False,
    since: date | None = None,
) -> SteeringCommitteeSeat:
    require(by, base.MANAGE, initiative)
    person_name = person_name.strip()
    _check_seat(initiative, membership, person_name, organization, is_community_representative)
    return SteeringCommitteeSeat.objects.create(
        initiative=initiative,
        membership=membership,
        person_name=person_name,
        # A member sits for the organisation of their membership.
        organization=None if membership else organization,
        seat_role=seat_role,
        is_community_representative=is_community_representative,
        since=since or timezone.localdate(),
    )


@transaction.atomic
def seat_update(
    *,
    seat: SteeringCommitteeSeat,
    by,
    seat_role: str,
    is_community_representative: bool,
    since: date,
    person_name: str | None = None,
    organization: Organization | None = None,
) -> SteeringCommitteeSeat:
    initiative = seat.initiative
    require(by, base.MANAGE, initiative)
    if seat.membership_id is None:
        seat.person_name = (person_name if person_name is not None else seat.person_name).strip()
        seat.organization = organization
    _check_seat(
        initiative,
        seat.membership,
        seat.person_name if seat.membership_id is None else "",
        seat.organization,
        is_community_representative,
        seat=seat,
    )
    seat.seat_role = seat_role
    seat.is_community_representative = is_community_representative
    seat.since = since
    seat.save()
    return seat


@transaction.atomic
def seat_remove(*, seat: SteeringCommitteeSeat, by) -> None:
    require(by, base.MANAGE, seat.initiative)
    seat.delete()


# --- Working groups ------------------------------------------------------------------------------


def _check_group(
    initiative: Initiative, *, name: str, strategy: Strategy, chair: Membership | None, group=None
) -> None:
    if not name:
        raise ValidationError({"name": _("Give the working group a name.")})
    _check_strategy(initiative, strategy)
    other = WorkingGroup.objects.filter(strategy=strategy)
    same_name = initiative.working_groups.filter(name__iexact=name)
    if group is not None:
        other = other.exclude(pk=group.pk)
        same_name = same_name.exclude(pk=group.pk)
    taken = other.first()
    if taken is not None:
        raise ValidationError(
            {
                "strategy": _(
                    "This key strategy already has a working group (%(group)s): there is one group per strategy."
                )
                % {"group": taken.name}
            }
        )
    if same_name.exists():
        raise ValidationError({"name": _("Another working group already has this name.")})
    _check_membership(initiative, "chair", chair)


def _ensure_member(group: WorkingGroup, membership: Membership) -> None:
    WorkingGroupMember.objects.get_or_create(group=group, membership=membership)


@transaction.atomic
def working_group_create(
    *,
    initiative: Initiative,
    by,
    name: str,
    strategy: Strategy,
    chair: Membership | None = None,
    purpose: str = "",
    meeting_rhythm: str = "",
    focus_measures: Iterable[SharedMeasure] = (),
    formed_on: date | None = None,
) -> WorkingGroup:
    """Form a working group around a key strategy; the chair is a member of it."""
    require(by, base.MANAGE, initiative)
    name = name.strip()
    focus_measures = list(focus_measures)
    _check_group(initiative, name=name, strategy=strategy, chair=chair)
    _check_measures(initiative, "focus_measures", focus_measures)
    try:
        with transaction.atomic():
            group = WorkingGroup.objects.create(
                initiative=initiative,
                name=name,
                strategy=strategy,
                chair=chair,
                purpose=purpose,
                meeting_rhythm=meeting_rhythm,
                formed_on=formed_on or timezone.localdate(),
            )
    except IntegrityError as exc:  # two people forming a group for the same strategy at once
        raise ValidationError(
            {"strategy": _("This key strategy already has a working group: there is one group per strategy.")}
        ) from exc
    group.focus_measures.set(focus_measures)
    if chair is not None:
        _ensure_member(group, chair)
    return group


@transaction.atomic
def working_group_update(*, group: WorkingGroup, by, **fields) -> WorkingGroup:
    initiative = group.initiative
    require(by, base.MANAGE, initiative)
    allowed = {"name", "strategy", "chair", "purpose", "meeting_rhythm", "focus_measures", "formed_on"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    measures = fields.pop("focus_measures", None)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    _check_group(
        initiative,
        name=fields.get("name", group.name),
        strategy=fields.get("strategy", group.strategy),
        chair=fields.get("chair", group.chair),
        group=group,
    )
    for name, value in fields.items():
        setattr(group, name, value)
    group.save()
    if measures is not None:
        measures = list(measures)
        _check_measures(initiative, "focus_measures", measures)
        group.focus_measures.set(measures)
    if group.chair is not None:
        _ensure_member(group, group.chair)
    return group


@transaction.atomic
def group_member_add(
    *, group: WorkingGroup, by, membership: Membership | None = None, organization: Organization | None = None
) -> WorkingGroupMember:
    """Add a person (through their membership) or a whole organisation to a working group."""
    initiative = group.initiative
    perms.require(perms.can_edit_plan(by, group))
    if (membership is None) == (organization is None):
        raise ValidationError(_("Choose a person or an organisation to add."))
    if membership is not None:
        _check_membership(initiative, "membership", membership)
        if group.members.filter(membership=membership).exists():
            raise ValidationError(
                {
                    "membership": _("%(name)s is already a member of this working group.")
                    % {"name": display_name(membership.user)}
                }
            )
    elif organization is not None:
        _check_organizations(initiative, "organization", [organization])
        if group.members.filter(organization=organization).exists():
            raise ValidationError(
                {
                    "organization": _("%(name)s is already a member of this working group.")
                    % {"name": organization.name}
                }
            )
    try:
        with transaction.atomic():
            return WorkingGroupMember.objects.create(
                group=group, membership=membership, organization=organization
            )
    except IntegrityError as exc:  # added by someone else a moment ago
        raise ValidationError(_("This member was added to the working group already.")) from exc


@transaction.atomic
def group_member_remove(*, member: WorkingGroupMember, by) -> None:
    group = member.group
    perms.require(perms.can_edit_plan(by, group))
    if member.membership_id is not None and member.membership_id == group.chair_id:
        raise ValidationError(_("The chair stays a member of the group: choose another chair first."))
    member.delete()


# --- Action plans ---------------------------------------------------------------------------------


def _check_activity(
    initiative: Initiative,
    *,
    start_date: date,
    end_date: date | None,
    lead: Organization,
    contributing: list[Organization],
    strategy: Strategy,
    measures: list[SharedMeasure],
) -> None:
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("An activity cannot end before it starts.")})
    _check_organizations(initiative, "lead_organization", [lead])
    _check_organizations(initiative, "contributing_organizations", contributing)
    _check_strategy(initiative, strategy)
    _check_measures(initiative, "measures", measures)


@transaction.atomic
def activity_create(
    *,
    group: WorkingGroup,
    by,
    title: str,
    lead_organization: Organization,
    start_date: date,
    end_date: date | None = None,
    description: str = "",
    status: str = ActivityStatus.PLANNED,
    contributing_organizations: Iterable[Organization] = (),
    strategy: Strategy | None = None,
    measures: Iterable[SharedMeasure] = (),
) -> Activity:
    """Add an activity to the group's action plan. It serves the group's strategy unless told."""
    perms.require(perms.can_edit_plan(by, group))
    initiative = group.initiative
    strategy = strategy or group.strategy
    # The lead is not also a contributor: each organisation has one part in an activity.
    contributing = [o for o in contributing_organizations if o.pk != lead_organization.pk]
    measures = list(measures)
    if not title.strip():
        raise ValidationError({"title": _("Give the activity a title.")})
    _check_activity(
        initiative,
        start_date=start_date,
        end_date=end_date,
        lead=lead_organization,
        contributing=contributing,
        strategy=strategy,
        measures=measures,
    )
    activity = Activity.objects.create(
        working_group=group,
        title=title.strip(),
        description=description,
        lead_organization=lead_organization,
        start_date=start_date,
        end_date=end_date,
        status=status,
        strategy=strategy,
        created_by=by,
    )
    activity.contributing_organizations.set(contributing)
    activity.measures.set(measures)
    return activity


ACTIVITY_FIELDS = {
    "title",
    "description",
    "lead_organization",
    "contributing_organizations",
    "start_date",
    "end_date",
    "status",
    "strategy",
    "measures",
}


@transaction.atomic
def activity_update(*, activity: Activity, by, **fields) -> Activity:
    """Change an activity. The chair and backbone staff change anything; the lead organisation's
    partners change everything but who leads it."""
    group = activity.working_group
    initiative = group.initiative
    perms.require(perms.can_update_activity(by, activity))
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    lead = fields.get("lead_organization", activity.lead_organization)
    if lead.pk != activity.lead_organization_id and not perms.can_edit_plan(by, group):
        raise ValidationError(
            {
                "lead_organization": _(
                    "Only the group's chair or backbone staff hand the lead to another organisation."
                )
            }
        )
    contributing = fields.pop("contributing_organizations", None)
    contributing = (
        [o for o in contributing if o.pk != lead.pk]
        if contributing is not None
        else [o for o in activity.contributing_organizations.all() if o.pk != lead.pk]
    )
    measures = fields.pop("measures", None)
    measures = list(measures) if measures is not None else list(activity.measures.all())
    if "title" in fields:
        fields["title"] = fields["title"].strip()
        if not fields["title"]:
            raise ValidationError({"title": _("Give the activity a title.")})
    _check_activity(
        initiative,
        start_date=fields.get("start_date", activity.start_date),
        end_date=fields.get("end_date", activity.end_date),
        lead=lead,
        contributing=contributing,
        strategy=fields.get("strategy", activity.strategy),
        measures=measures,
    )
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save()
    activity.contributing_organizations.set(contributing)
    activity.measures.set(measures)
    return activity


@transaction.atomic
def activity_progress_add(*, activity: Activity, by, note: str, status: str | None = None) -> ActivityUpdate:
    """Record a short progress note, and the status the activity is in now."""
    perms.require(perms.can_update_activity(by, activity))
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write a short note on the progress.")})
    status = status or activity.status
    if status not in ActivityStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status != activity.status:
        activity.status = status
        activity.save(update_fields=["status", "updated_at"])
    else:
        activity.save(update_fields=["updated_at"])
    return ActivityUpdate.objects.create(activity=activity, note=note, status=status, by=by)


# --- The partner-relationship survey --------------------------------------------------------------


@transaction.atomic
def wave_create(*, initiative: Initiative, by, name: str) -> TieSurveyWave:
    require(by, base.MANAGE, initiative)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the wave a name, such as the season and year.")})
    if initiative.tie_waves.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("Another wave already has this name.")})
    return TieSurveyWave.objects.create(initiative=initiative, name=name, created_by=by)


@transaction.atomic
def wave_open(*, wave: TieSurveyWave, by) -> TieSurveyWave:
    initiative = wave.initiative
    require(by, base.MANAGE, initiative)
    Initiative.objects.select_for_update().get(pk=initiative.pk)  # one open wave, even on a double click
    wave = TieSurveyWave.objects.get(pk=wave.pk)
    if wave.opened_at is not None:
        raise ValidationError(_("This wave was opened already; a closed wave is not reopened."))
    current = initiative.tie_waves.filter(opened_at__isnull=False, closed_at__isnull=True).first()
    if current is not None:
        raise ValidationError(_("The wave %(name)s is still open: close it first.") % {"name": current.name})
    wave.opened_at = timezone.now()
    wave.save(update_fields=["opened_at"])
    return wave


@transaction.atomic
def wave_close(*, wave: TieSurveyWave, by) -> TieSurveyWave:
    """Close the wave to answers and have its network figures computed."""
    require(by, base.MANAGE, wave.initiative)
    wave = TieSurveyWave.objects.select_for_update().get(pk=wave.pk)
    if not wave.is_open:
        raise ValidationError(_("Only an open wave can be closed."))
    wave.closed_at = timezone.now()
    wave.save(update_fields=["closed_at"])
    _enqueue_metrics(wave)
    return wave


def _enqueue_metrics(wave: TieSurveyWave) -> NetworkMetrics:
    metrics, _created = NetworkMetrics.objects.update_or_create(
        wave=wave, defaults={"status": MetricsStatus.PENDING, "requested_at": timezone.now(), "error": ""}
    )
    from .tasks import network_metrics_compute_task

    # Queued after commit; if the broker is down, the pending row stays and
    # network_metrics_catch_up_task queues it later.
    transaction.on_commit(lambda: enqueue(network_metrics_compute_task, wave.pk))
    return metrics


@transaction.atomic
def network_metrics_request(*, wave: TieSurveyWave, by) -> NetworkMetrics:
    """Compute a closed wave's figures again (for instance after answers were corrected)."""
    require(by, base.MANAGE, wave.initiative)
    if wave.closed_at is None:
        raise ValidationError(_("Close the wave first: its figures are computed on its final answers."))
    return _enqueue_metrics(wave)


def _check_answer(
    initiative: Initiative, inside: set[int], organization: Organization, answer: dict, seen: set[int]
) -> None:
    to = answer["to_organization"]
    if to.pk == organization.pk:
        raise ValidationError({"to_organization": _("An organisation cannot rate a tie with itself.")})
    if to.pk not in inside:
        raise ValidationError(
            {"to_organization": _("%(name)s is not part of this initiative.") % {"name": to.name}}
        )
    if to.pk in seen:
        raise ValidationError({"to_organization": _("%(name)s is rated twice.") % {"name": to.name}})
    seen.add(to.pk)
    if answer.get("contact_frequency") not in ContactFrequency.values:
        raise ValidationError(
            {"contact_frequency": _("Say how often you are in contact with %(name)s.") % {"name": to.name}}
        )
    if answer.get("trust") not in range(1, 6):
        raise ValidationError({"trust": _("Rate your trust in %(name)s from 1 to 5.") % {"name": to.name}})
    if answer.get("value") not in range(1, 6):
        raise ValidationError(
            {"value": _("Rate the value of working with %(name)s from 1 to 5.") % {"name": to.name}}
        )
    kinds = list(answer.get("kinds") or [])
    if set(kinds) - set(CollaborationKind.values):
        raise ValidationError({"kinds": _("Unknown kind of collaboration.")})


def _check_respondent(wave: TieSurveyWave, by, organization: Organization) -> set[int]:
    initiative = wave.initiative
    perms.require(perms.can_view(by, initiative) and perms.can_answer_for(by, initiative, organization))
    if not wave.is_open:
        raise ValidationError(_("This survey wave is not open for answers."))
    inside = _participating_ids(initiative)
    if organization.pk not in inside:
        raise ValidationError(
            {"from_organization": _("%(name)s is not part of this initiative.") % {"name": organization.name}}
        )
    return inside


@transaction.atomic
def tie_survey_answer(
    *, wave: TieSurveyWave, by, organization: Organization, answers: list[dict]
) -> list[TieResponse]:
    """An organisation's whole answer to a wave: its ties with the others. It replaces the
    organisation's earlier answer to the same wave; answering with no ties is an answer too."""
    wave = TieSurveyWave.objects.select_related("initiative").get(pk=wave.pk)
    inside = _check_respondent(wave, by, organization)
    seen: set[int] = set()
    for answer in answers:
        _check_answer(wave.initiative, inside, organization, answer, seen)
    wave.responses.filter(from_organization=organization).delete()
    responses = TieResponse.objects.bulk_create(
        TieResponse(
            wave=wave,
            from_organization=organization,
            to_organization=answer["to_organization"],
            contact_frequency=answer["contact_frequency"],
            kinds=[k for k in CollaborationKind.values if k in set(answer.get("kinds") or [])],
            trust=answer["trust"],
            value=answer["value"],
            responded_by=by,
        )
        for answer in answers
    )
    TieSurveySubmission.objects.update_or_create(
        wave=wave, organization=organization, defaults={"submitted_by": by, "submitted_at": timezone.now()}
    )
    return responses


@transaction.atomic
def tie_response_save(
    *,
    wave: TieSurveyWave,
    by,
    from_organization: Organization,
    to_organization: Organization,
    contact_frequency: int,
    trust: int,
    value: int,
    kinds: Iterable[str] = (),
) -> TieResponse:
    """One tie at a time (the API): adds or replaces the rating of one pair in an open wave."""
    wave = TieSurveyWave.objects.select_related("initiative").get(pk=wave.pk)
    inside = _check_respondent(wave, by, from_organization)
    answer = {
        "to_organization": to_organization,
        "contact_frequency": contact_frequency,
        "trust": trust,
        "value": value,
        "kinds": list(kinds),
    }
    chosen_kinds = set(kinds)
    _check_answer(wave.initiative, inside, from_organization, answer, set())
    response, _created = TieResponse.objects.update_or_create(
        wave=wave,
        from_organization=from_organization,
        to_organization=to_organization,
        defaults={
            "contact_frequency": contact_frequency,
            "kinds": [k for k in CollaborationKind.values if k in chosen_kinds],
            "trust": trust,
            "value": value,
            "responded_by": by,
        },
    )
    TieSurveySubmission.objects.update_or_create(
        wave=wave,
        organization=from_organization,
        defaults={"submitted_by": by, "submitted_at": timezone.now()},
    )
    return response


# --- Network figures (run by the task) ------------------------------------------------------------


def _wave_graph(wave: TieSurveyWave):
    orgs = [
        network.Org(o.pk, o.name, o.sector)
        for o in Organization.objects.filter(participations__initiative_id=wave.initiative_id).only(
            "id", "name", "sector"
        )
    ]
    reports = [
        network.Report(
            r.from_organization_id,
            r.to_organization_id,
            r.contact_frequency,
            tuple(r.kinds),
            r.trust,
            r.value,
        )
        for r in wave.responses.only(
            "from_organization_id", "to_organization_id", "contact_frequency", "kinds", "trust", "value"
        )
    ]
    graph = network.survey_graph(orgs, reports)
    return graph, network.figures(graph, reports)


def _stored(metrics: NetworkMetrics) -> dict:
    return {
        **{name: getattr(metrics, name) for name in network.CHANGE_FIELDS},
        "edges": metrics.graph.get("edges", []),
    }


def _previous_computed(wave: TieSurveyWave) -> NetworkMetrics | None:
    """The metrics of the last wave closed before this one."""
    return (
        NetworkMetrics.objects.filter(
            wave__initiative_id=wave.initiative_id,
            status=MetricsStatus.DONE,
            wave__closed_at__lt=wave.closed_at,
        )
        .select_related("wave")
        .order_by("-wave__closed_at")
        .first()
    )


def network_metrics_compute(*, wave_id: int) -> NetworkMetrics | None:
    """Compute and store a closed wave's network figures, and its change since the previous wave.
    Called by network_metrics_compute_task; the status row tells the page how it went."""
    wave = TieSurveyWave.objects.filter(pk=wave_id).first()
    if wave is None:  # deleted while the task waited in the queue: nothing to compute
        return None
    NetworkMetrics.objects.update_or_create(
        wave=wave, defaults={"status": MetricsStatus.RUNNING, "error": ""}
    )
    try:
        with transaction.atomic():
            metrics = NetworkMetrics.objects.select_for_update().get(wave=wave)
            graph, figures = _wave_graph(wave)
            metrics.organizations = figures.organizations
            metrics.respondents = wave.submissions.count()
            metrics.ties = figures.ties
            metrics.density = figures.density
            metrics.average_degree = figures.average_degree
            metrics.cross_sector_share = figures.cross_sector_share
            metrics.reciprocity = figures.reciprocity
            metrics.mean_trust = figures.mean_trust
            metrics.mean_value = figures.mean_value
            metrics.most_central = figures.most_central
            metrics.kinds = figures.kinds
            metrics.graph = network.drawing(graph)
            previous = _previous_computed(wave) if wave.closed_at else None
            metrics.previous_wave = previous.wave if previous else None
            metrics.change = network.change(_stored(metrics), _stored(previous)) if previous else {}
            metrics.status = MetricsStatus.DONE
            metrics.computed_at = timezone.now()
            metrics.save()
            # The wave after this one compares itself with this one: keep its change in step.
            following = NetworkMetrics.objects.filter(previous_wave=wave, status=MetricsStatus.DONE).first()
            if following is not None:
                following.change = network.change(_stored(following), _stored(metrics))
                following.save(update_fields=["change"])
    except Exception as exc:
        logger.exception("network figures of wave %s failed", wave_id)
        NetworkMetrics.objects.filter(wave=wave).update(status=MetricsStatus.FAILED, error=str(exc)[:2000])
        raise
    return metrics
