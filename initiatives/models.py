"""Initiatives, the organisations and people in them, and where each stands in its lifecycle."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

from .choices import (
    MILESTONE_TITLES,
    Area,
    Complexity,
    MilestoneStatus,
    Phase,
    PreconditionStatus,
    ProblemCharacter,
    ProblemNature,
    Role,
    Sector,
    SolutionKnown,
    SolutionNeeds,
    TokenScope,
    Topic,
    WhoCanSolve,
    YesNo,
)
from .fit import (
    Copyable,
    FitVerdict,
    HardToImplement,
    ProblemTraits,
    Questionnaire,
    SocialProblem,
    SolutionExists,
    SolutionKnowable,
    SolutionTraits,
    Solver,
)
from .origins import validate_origins


class Organization(models.Model):
    """A partner organisation; it may take part in several initiatives."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    """A cross-sector partnership around one complex social problem."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True, help_text=_("Used in addresses."))
    issue = models.CharField(_("issue it tackles"), max_length=300)
    place = models.CharField(_("place"), max_length=200, help_text=_("City, region or area."))
    topic = models.CharField(_("topic area"), max_length=30, choices=Topic.choices)
    description = models.TextField(_("description"), blank=True)
    phase = models.PositiveSmallIntegerField(
        _("current phase"), choices=Phase.choices, default=Phase.PRE_LAUNCH
    )
    # Sites that may show the public report card's measures in an <iframe> (CSP frame-ancestors).
    embed_origins = models.JSONField(
        _("sites that may embed charts"), default=list, blank=True, validators=[validate_origins]
    )
    organizations = models.ManyToManyField(
        Organization, through="Participation", related_name="initiatives", verbose_name=_("organizations")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiatives:overview", kwargs={"slug": self.slug})


class Participation(models.Model):
    """An organisation taking part in an initiative."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="participations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="participations")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "organization"], name="unique_participation"),
        ]
        verbose_name = _("participating organization")
        verbose_name_plural = _("participating organizations")

    def __str__(self) -> str:
        return f"{self.organization} @ {self.initiative}"


class Membership(models.Model):
    """A person's role in one initiative, on behalf of one organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["initiative", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            # One role per person per initiative; different initiatives may differ.
            models.UniqueConstraint(fields=["user", "initiative"], name="unique_membership"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.initiative}"


class Invitation(models.Model):
    """A one-time, expiring invitation to join an initiative in a role."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, verbose_name=_("organization"))
    # Only a hash of the token is stored; the token itself travels in the email alone.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.initiative}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class Milestone(models.Model):
    """One of the 16 success milestones (phase × area) of an initiative."""

    # Set by initiatives.selectors.milestone_matrix: what the components record as evidence.
    platform_evidence: list[tuple[str, str]]

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="milestones")
    phase = models.PositiveSmallIntegerField(_("phase"), choices=Phase.choices)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    evidence = models.TextField(_("evidence"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["initiative", "phase", "area"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "phase", "area"], name="unique_milestone"),
        ]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return str(self.title)

    @property
    def title(self) -> "_StrPromise":
        return MILESTONE_TITLES[(Phase(self.phase), Area(self.area))]


class PhaseTransition(models.Model):
    """The log of phase changes: forward or back, who, when and why."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="phase_transitions")
    from_phase = models.PositiveSmallIntegerField(_("from"), choices=Phase.choices)
    to_phase = models.PositiveSmallIntegerField(_("to"), choices=Phase.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # The areas whose milestone in the phase being left was not done at the time.
    open_milestones = models.JSONField(default=list, blank=True)
    # Leaving pre-launch: the preconditions (champion, funding, urgency) not met at the time, by the
    # latest readiness assessment; all three when none had been made.
    unmet_preconditions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.from_phase} → {self.to_phase}"

    @property
    def is_forward(self) -> bool:
        return self.to_phase > self.from_phase


class ReadinessAssessment(models.Model):
    """The three preconditions of DOMAIN.md section 3, assessed with evidence. Kept as history."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="readiness_assessments")
    champion = models.CharField(_("influential champion"), max_length=10, choices=PreconditionStatus.choices)
    champion_evidence = models.TextField(_("evidence for the champion"))
    funding = models.CharField(
        _("adequate financial resources"), max_length=10, choices=PreconditionStatus.choices
    )
    funding_evidence = models.TextField(_("evidence for the funding"))
    urgency = models.CharField(_("urgency for change"), max_length=10, choices=PreconditionStatus.choices)
    urgency_evidence = models.TextField(_("evidence for the urgency"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    PRECONDITIONS = ("champion", "funding", "urgency")

    class Meta:
        ordering = ["-assessed_at", "-id"]
        get_latest_by = ["assessed_at", "id"]
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")

    def __str__(self) -> str:
        return f"{self.initiative} readiness {self.assessed_at:%Y-%m-%d}"

    @property
    def is_ready(self) -> bool:
        return all(getattr(self, p) == PreconditionStatus.MET for p in self.PRECONDITIONS)

    @property
    def unmet(self) -> list[str]:
        return [p for p in self.PRECONDITIONS if getattr(self, p) != PreconditionStatus.MET]


class FitAssessment(models.Model):
    """Is the problem one collective impact is for? The source's Table 1 answered (initiatives.fit),
    with the verdict derived from the answers. Every assessment is kept: the page shows the history,
    including those that answered the earlier five questions (questionnaire 1)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="fit_assessments")
    questionnaire = models.PositiveSmallIntegerField(
        _("questions answered"), choices=Questionnaire.choices, default=Questionnaire.TABLE_1
    )
    # The source's Table 1 (questionnaire 2).
    solution_exists = models.CharField(
        _("Does a solution exist?"), max_length=10, choices=SolutionExists.choices, blank=True
    )
    hard_to_implement = models.CharField(
        _("If so, is it costly or complicated to implement?"),
        max_length=5,
        choices=HardToImplement.choices,
        blank=True,
    )
    solution_copyable = models.CharField(
        _("Can the solution be copied?"), max_length=5, choices=Copyable.choices, blank=True
    )
    solver = models.CharField(
        _("Who can solve the problem?"), max_length=20, choices=Solver.choices, blank=True
    )
    problem_traits = models.CharField(
        _("What characterises the problem?"), max_length=20, choices=ProblemTraits.choices, blank=True
    )
    solution_knowable = models.CharField(
        _("Can the solution be known?"), max_length=12, choices=SolutionKnowable.choices, blank=True
    )
    solution_traits = models.CharField(
        _("What characterises the solution?"), max_length=10, choices=SolutionTraits.choices, blank=True
    )
    social_problem = models.CharField(
        _("Is it a complex social problem?"), max_length=5, choices=SocialProblem.choices, blank=True
    )
    # The earlier five questions (questionnaire 1), kept for the assessments that answered them.
    solution_known = models.CharField(
        _("Does a solution to the problem exist?"), max_length=20, choices=SolutionKnown.choices, blank=True
    )
    can_be_copied = models.CharField(
        _("Can a solution be copied from a similar problem elsewhere?"),
        max_length=5,
        choices=YesNo.choices,
        blank=True,
    )
    who_can_solve = models.CharField(
        _("Who can solve it?"), max_length=20, choices=WhoCanSolve.choices, blank=True
    )
    problem_character = models.CharField(
        _("What characterises the problem?"), max_length=20, choices=ProblemCharacter.choices, blank=True
    )
    solution_needs = models.CharField(
        _("What does a solution need?"), max_length=20, choices=SolutionNeeds.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    # Derived by services.fit_assess and stored, so that history shows what was concluded then.
    verdict = models.CharField(_("verdict"), max_length=20, choices=FitVerdict.choices, editable=False)
    complexity = models.CharField(
        _("complexity"), max_length=20, choices=Complexity.choices, editable=False, blank=True
    )
    nature = models.CharField(
        _("nature"), max_length=20, choices=ProblemNature.choices, editable=False, blank=True
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    class Meta:
        ordering = ["-assessed_at", "-id"]
        get_latest_by = ["assessed_at", "id"]
        constraints = [
            # Line 98 of the source: a complex problem cannot be a technical one.
            models.CheckConstraint(
                condition=~Q(complexity=Complexity.COMPLEX, nature=ProblemNature.TECHNICAL),
                name="fit_never_complex_and_technical",
            ),
        ]
        verbose_name = _("fit assessment")
        verbose_name_plural = _("fit assessments")

    def __str__(self) -> str:
        return f"{self.initiative} fit {self.assessed_at:%Y-%m-%d}"

    @property
    def is_suited(self) -> bool:
        """Complex, adaptive and social. The earlier questions did not ask whether it is social."""
        if self.verdict != FitVerdict.COMPLEX_ADAPTIVE:
            return False
        return self.questionnaire != Questionnaire.TABLE_1 or self.social_problem == SocialProblem.YES


class ApiToken(models.Model):
    """A credential for an integrator's system, valid in one initiative only.

    The secret is shown once; only its SHA-256 is stored, found by its public prefix. A token acts
    through its own service account (`user`), which belongs to no initiative: what it may see and do
    comes from the token alone (see `permissions.membership_of`), and the audit trail names it.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(
        _("label"), max_length=100, help_text=_("Which system uses it, e.g. “City data portal”.")
    )
    scope = models.CharField(_("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("on behalf of"),
    )
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=TokenScope.READ) | Q(organization__isnull=False),
                name="submit_token_has_organization",
            ),
        ]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class IdempotencyRecord(models.Model):
    """The first answer to a write sent with an `Idempotency-Key`: a retry gets it back unchanged.

    Keys are per caller (a token's service account or a person). `request_hash` tells a retry from a
    different request that reuses the key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return self.key
