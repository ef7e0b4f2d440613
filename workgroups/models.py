"""Mutually reinforcing activities: the tiered structure (steering committee, working groups,
backbone), each group's action plan, and the collaboration network between partners.

Working groups form around a key strategy's identity (`agenda.Strategy`), not its wording, so a
reworded strategy in a later agenda version keeps its group. People are linked through their
`Membership` of the initiative: when someone leaves the initiative, their seats go with them.
"""

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.choices import Sector
from initiatives.models import Initiative, Membership, Organization

if TYPE_CHECKING:
    from .selectors import StrategyLabel

from initiatives.people import display_name

from .choices import (
    RATING_CHOICES,
    ActivityStatus,
    CollaborationKind,
    ContactFrequency,
    MetricsStatus,
    SeatRole,
    WaveStatus,
)


class SteeringCommitteeSeat(models.Model):
    """A seat on the steering committee: a CEO-level leader of a key organisation, or a community
    member. Most seats are held by members of the initiative in the steering committee role;
    community representatives who do not use the platform are named instead."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="steering_seats")
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="steering_seats",
        verbose_name=_("member"),
    )
    person_name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only for someone without an account on the platform, such as a community representative."
        ),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
        help_text=_("For a named person; a member sits for the organisation of their membership."),
    )
    seat_role = models.CharField(_("seat"), max_length=10, choices=SeatRole.choices, default=SeatRole.MEMBER)
    is_community_representative = models.BooleanField(_("community representative"), default=False)
    since = models.DateField(_("since"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seat_role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "membership"],
                condition=Q(membership__isnull=False),
                name="one_steering_seat_per_member",
            ),
            models.CheckConstraint(
                condition=Q(membership__isnull=False) | ~Q(person_name=""), name="steering_seat_has_a_person"
            ),
        ]
        verbose_name = _("steering committee seat")
        verbose_name_plural = _("steering committee seats")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workgroups:home", kwargs={"slug": self.initiative.slug}) + f"#seat-{self.pk}"

    @property
    def name(self) -> str:
        return display_name(self.membership.user) if self.membership is not None else self.person_name

    @property
    def seat_organization(self) -> Organization | None:
        return self.membership.organization if self.membership is not None else self.organization

    @property
    def sector(self) -> str:
        org = self.seat_organization
        return org.sector if org else Sector.COMMUNITY

    def get_sector_display(self) -> str:
        return str(Sector(self.sector).label)


class WorkingGroup(models.Model):
    """A working group: one per key strategy of the common agenda, with its own action plan
    focused on specific shared measures."""

    # Set by workgroups.selectors: the key strategy in its latest published wording.
    strategy_label: "StrategyLabel"

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField(_("name"), max_length=200)
    # One group per key strategy. RESTRICT: a strategy is never deleted on its own, but deleting
    # the whole initiative must still cascade through both.
    strategy = models.OneToOneField(
        "agenda.Strategy",
        on_delete=models.RESTRICT,
        related_name="working_group",
        verbose_name=_("key strategy"),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    chair = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_groups",
        verbose_name=_("chair"),
    )
    focus_measures = models.ManyToManyField(
        "measurement.SharedMeasure",
        blank=True,
        related_name="working_groups",
        verbose_name=_("shared measures it focuses on"),
    )
    meeting_rhythm = models.CharField(
        _("meets"), max_length=200, blank=True, help_text=_("For example: monthly, on the first Tuesday.")
    )
    formed_on = models.DateField(_("formed on"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="unique_working_group_name"),
        ]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workgroups:group_detail", kwargs={"slug": self.initiative.slug, "pk": self.pk})


class WorkingGroupMember(models.Model):
    """A person (through their membership) or a whole organisation taking part in a working group."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="working_group_seats",
        verbose_name=_("person"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "membership"],
                condition=Q(membership__isnull=False),
                name="one_group_seat_per_person",
            ),
            models.UniqueConstraint(
                fields=["group", "organization"],
                condition=Q(membership__isnull=True),
                name="one_group_seat_per_organization",
            ),
            # A person, or an organisation, never both and never neither.
            models.CheckConstraint(
                condition=Q(membership__isnull=False, organization__isnull=True)
                | Q(membership__isnull=True, organization__isnull=False),
                name="group_member_is_a_person_or_an_organization",
            ),
        ]
        verbose_name = _("working group member")
        verbose_name_plural = _("working group members")

    def __str__(self) -> str:
        return f"{self.name} @ {self.group_id}"

    @property
    def name(self) -> str:
        return (
            display_name(self.membership.user)
            if self.membership is not None
            else self.member_organization.name
        )

    @property
    def member_organization(self) -> Organization:
        # A constraint: a member is a membership or an organisation, never neither.
        member = self.membership
        return member.organization if member is not None else cast(Organization, self.organization)

    @property
    def is_person(self) -> bool:
        return self.membership_id is not None


class Activity(models.Model):
    """One activity of a working group's action plan: each partner keeps doing what it does best,
    in a plan everyone can see."""

    # Set by workgroups.selectors.
    strategy_label: "StrategyLabel"
    latest_update: "ActivityUpdate | None"

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="activities", verbose_name=_("working group")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead organization")
    )
    contributing_organizations = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("contributing organizations")
    )
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    strategy = models.ForeignKey(
        "agenda.Strategy",
        on_delete=models.RESTRICT,
        related_name="activities",
        verbose_name=_("key strategy"),
    )
    measures = models.ManyToManyField(
        "measurement.SharedMeasure",
        blank=True,
        related_name="activities",
        verbose_name=_("shared measures it serves"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_ends_after_it_starts",
            ),
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "workgroups:activity_detail",
            kwargs={"slug": self.working_group.initiative.slug, "pk": self.pk},
        )

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("An activity cannot end before it starts.")})


class ActivityUpdate(models.Model):
    """A short progress note on an activity, with the status it left the activity in."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField(_("progress note"))
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = ["at", "id"]
        verbose_name = _("activity update")
        verbose_name_plural = _("activity updates")

    def __str__(self) -> str:
        return f"{self.activity}: {self.at:%Y-%m-%d}"


class TieSurveyWave(models.Model):
    """One round of the partner-relationship survey: each organisation rates its ties with the
    others while the wave is open; the network figures are computed when it closes."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="tie_waves")
    name = models.CharField(_("name"), max_length=200)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="unique_tie_wave_name"),
            # At most one wave open at a time, so partners know which survey to answer.
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(opened_at__isnull=False, closed_at__isnull=True),
                name="one_open_tie_wave",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(opened_at__isnull=False, closed_at__gte=F("opened_at")),
                name="tie_wave_closes_after_it_opens",
            ),
        ]
        verbose_name = _("partner-relationship survey wave")
        verbose_name_plural = _("partner-relationship survey waves")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workgroups:network", kwargs={"slug": self.initiative.slug}) + f"?wave={self.pk}"

    @property
    def status(self) -> str:
        if self.opened_at is None:
            return WaveStatus.PLANNED
        return WaveStatus.OPEN if self.closed_at is None else WaveStatus.CLOSED

    def get_status_display(self) -> str:
        return str(WaveStatus(self.status).label)

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN


class TieSurveySubmission(models.Model):
    """An organisation answered a wave (possibly naming no ties): the response rate counts these."""

    wave = models.ForeignKey(TieSurveyWave, on_delete=models.CASCADE, related_name="submissions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["wave", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "organization"], name="one_tie_submission_per_organization"
            ),
        ]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")

    def __str__(self) -> str:
        return f"{self.organization} — {self.wave}"


class TieResponse(models.Model):
    """One organisation's rating of its tie with another, in one wave."""

    wave = models.ForeignKey(TieSurveyWave, on_delete=models.CASCADE, related_name="responses")
    from_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("with")
    )
    contact_frequency = models.PositiveSmallIntegerField(_("contact"), choices=ContactFrequency.choices)
    kinds = models.JSONField(_("kinds of collaboration"), default=list, blank=True)
    trust = models.PositiveSmallIntegerField(
        _("trust"), choices=RATING_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    value = models.PositiveSmallIntegerField(
        _("value"), choices=RATING_CHOICES, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["wave", "from_organization__name", "to_organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "from_organization", "to_organization"], name="one_tie_response_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(from_organization=F("to_organization")), name="tie_is_not_to_itself"
            ),
            models.CheckConstraint(condition=Q(trust__gte=1, trust__lte=5), name="tie_trust_1_to_5"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="tie_value_1_to_5"),
        ]
        verbose_name = _("tie response")
        verbose_name_plural = _("tie responses")

    def __str__(self) -> str:
        return f"{self.from_organization_id} → {self.to_organization_id} ({self.wave_id})"

    def clean(self):
        if self.from_organization_id and self.from_organization_id == self.to_organization_id:
            raise ValidationError({"to_organization": _("An organisation cannot rate a tie with itself.")})
        unknown = set(self.kinds or []) - set(CollaborationKind.values)
        if unknown:
            raise ValidationError({"kinds": _("Unknown kind of collaboration.")})

    def get_kinds_display(self) -> list[str]:
        return [str(CollaborationKind(k).label) for k in self.kinds if k in CollaborationKind.values]


class NetworkMetrics(models.Model):
    """The network figures of one wave, computed by a task and stored (never per page view).

    `graph` holds what the network page draws (organisations with their positions, ties without
    anyone's individual trust or value ratings); `change` compares with the previous wave.
    """

    wave = models.OneToOneField(TieSurveyWave, on_delete=models.CASCADE, related_name="metrics")
    status = models.CharField(
        _("status"), max_length=10, choices=MetricsStatus.choices, default=MetricsStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    organizations = models.PositiveIntegerField(_("organisations"), default=0)
    respondents = models.PositiveIntegerField(_("organisations that answered"), default=0)
    ties = models.PositiveIntegerField(_("ties"), default=0)
    density = models.FloatField(_("density"), null=True, blank=True)
    average_degree = models.FloatField(_("average degree"), null=True, blank=True)
    cross_sector_share = models.FloatField(_("share of ties across sectors"), null=True, blank=True)
    reciprocity = models.FloatField(_("share of ties both sides report"), null=True, blank=True)
    mean_trust = models.FloatField(_("mean trust"), null=True, blank=True)
    mean_value = models.FloatField(_("mean value"), null=True, blank=True)
    most_central = models.JSONField(_("most central organisations"), default=list, blank=True)
    kinds = models.JSONField(_("ties per kind of collaboration"), default=dict, blank=True)
    graph = models.JSONField(default=dict, blank=True)
    previous_wave = models.ForeignKey(
        TieSurveyWave, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change = models.JSONField(_("change since the previous wave"), default=dict, blank=True)

    class Meta:
        ordering = ["wave__created_at", "wave_id"]
        verbose_name = _("network figures")
        verbose_name_plural = _("network figures")

    def __str__(self) -> str:
        return f"{self.wave}: {self.get_status_display()}"

    @property
    def response_rate(self) -> float | None:
        return self.respondents / self.organizations if self.organizations else None
