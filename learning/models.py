"""What the field knows, kept per initiative: the risk register, the learning log of the agenda's
working assumptions, and the turn-the-curve conversation of each shared measure and period
(Clear Impact's Results-Based Accountability worksheet) with the stories told beside the data.

The source's lines: 402, 196-209 and 272-280 (risks), 172 and 211 (assumptions tested and
revised; the how and why beside the what), 230 (data shared together with stories), 312 (data
used to learn and refine strategies).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Membership, Organization

from .catalogue import BY_KEY, StartingRisk
from .choices import HIGH_SCORE, MEDIUM_SCORE, AssumptionStatus, Impact, Likelihood, RiskCategory, RiskStatus


class Risk(models.Model):
    """A threat to the initiative: who watches it, how likely and how bad, what is done about it,
    and when it is looked at again. Taken from the source's starting list (`catalogue_key`) or the
    initiative's own."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="risks")
    catalogue_key = models.CharField(_("from the starting list"), max_length=60, blank=True, editable=False)
    title = models.CharField(
        _("risk"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty to keep the wording of the starting list."),
    )
    description = models.TextField(_("what could happen"), blank=True)
    owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), choices=Likelihood.choices, default=Likelihood.POSSIBLE
    )
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.MODERATE)
    mitigation = models.TextField(_("mitigation"), blank=True)
    review_on = models.DateField(_("next review"))
    # The review date its owner and the backbone were last told of (services.risk_reviews_notify):
    # told once per review date, however often the daily task runs.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["review_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "catalogue_key"],
                condition=~Q(catalogue_key=""),
                name="learning_one_risk_per_starting_entry",
            ),
            models.CheckConstraint(
                condition=~Q(title="") | ~Q(catalogue_key=""), name="learning_risk_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="learning_likelihood_1_5"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="learning_impact_1_5"),
        ]
        indexes = [models.Index(fields=["initiative", "status", "review_on"])]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return str(self.display_title)

    def get_absolute_url(self) -> str:
        return reverse("learning:risk", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    @property
    def starting_entry(self) -> StartingRisk | None:
        return BY_KEY.get(self.catalogue_key)

    @property
    def display_title(self) -> str:
        entry = self.starting_entry
        return self.title or (str(entry.title) if entry else "")

    @property
    def category(self) -> str:
        entry = self.starting_entry
        return entry.category if entry else RiskCategory.OWN

    def get_category_display(self) -> str:
        return str(RiskCategory(self.category).label)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def severity(self) -> str:
        """high, medium or low: for the badge's colour and its words."""
        if self.score >= HIGH_SCORE:
            return "high"
        return "medium" if self.score >= MEDIUM_SCORE else "low"

    def is_due(self, today=None) -> bool:
        return self.status == RiskStatus.OPEN and self.review_on <= (today or timezone.localdate())


class RiskReview(models.Model):
    """A look at a risk on its review date: what was seen, the scores it left, the next date."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    note = models.TextField(_("what the review found"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), choices=Likelihood.choices)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices)
    next_review_on = models.DateField(_("next review"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")

    def __str__(self) -> str:
        return f"{self.risk_id} {self.at:%Y-%m-%d}"


class Assumption(models.Model):
    """A working assumption of the common agenda: what the partners believe will move the problem,
    held until the evidence says otherwise."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="assumptions")
    statement = models.TextField(_("working assumption"))
    strategy = models.ForeignKey(
        "agenda.Strategy",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key strategy"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssumptionStatus.choices, default=AssumptionStatus.HOLDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("working assumption")
        verbose_name_plural = _("working assumptions")

    def __str__(self) -> str:
        return self.statement[:80]

    def get_absolute_url(self) -> str:
        return reverse("learning:assumption", kwargs={"slug": self.initiative.slug, "pk": self.pk})


class LearningEntry(models.Model):
    """One entry of the learning log: what was learned about an assumption, the status it left the
    assumption in, and the evidence that moved it (a shared measure in a period, a decision, a
    document of the library)."""

    assumption = models.ForeignKey(Assumption, on_delete=models.CASCADE, related_name="entries")
    note = models.TextField(_("what we learned"))
    previous_status = models.CharField(_("was"), max_length=10, choices=AssumptionStatus.choices)
    status = models.CharField(_("now"), max_length=10, choices=AssumptionStatus.choices)
    measure = models.ForeignKey(
        "measurement.SharedMeasure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shared measure"),
    )
    period = models.ForeignKey(
        "measurement.ReportingPeriod",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("period"),
    )
    decision = models.ForeignKey(
        "communication.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decision"),
    )
    document = models.ForeignKey(
        "communication.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("learning log entry")
        verbose_name_plural = _("learning log entries")

    def __str__(self) -> str:
        return f"{self.assumption_id}: {self.previous_status} → {self.status}"


class CurveWorksheet(models.Model):
    """The turn-the-curve conversation about one shared measure in one reporting period: the story
    behind the curve, the partners with a role to play, what works (and the evidence for it), and
    the action plan. Each period's worksheet is a version; a new one starts from the last."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="curve_worksheets")
    measure = models.ForeignKey(
        "measurement.SharedMeasure",
        on_delete=models.CASCADE,
        related_name="curve_worksheets",
        verbose_name=_("shared measure"),
    )
    period = models.ForeignKey(
        "measurement.ReportingPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    story = models.TextField(_("the story behind the curve"), blank=True)
    what_works = models.TextField(_("what works"), blank=True)
    what_works_evidence = models.TextField(_("the evidence for what works"), blank=True)
    show_on_report_card = models.BooleanField(
        _("show on the public report card"),
        default=False,
        help_text=_("The story and what works appear beside the measure on the community report card."),
    )
    # Kept to refuse a save made on a copy someone else changed meanwhile.
    revision = models.PositiveIntegerField(default=1, editable=False)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["measure", "-period__start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="learning_one_worksheet_per_period"),
        ]
        verbose_name = _("turn-the-curve worksheet")
        verbose_name_plural = _("turn-the-curve worksheets")

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period_id}"

    def get_absolute_url(self) -> str:
        return reverse(
            "learning:worksheet",
            kwargs={"slug": self.initiative.slug, "code": self.measure.code, "period": self.period_id},
        )


class WorksheetPartner(models.Model):
    """A partner with a role to play in turning the curve, and that role."""

    worksheet = models.ForeignKey(CurveWorksheet, on_delete=models.CASCADE, related_name="partners")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    role = models.CharField(_("the role it can play"), max_length=500)

    class Meta:
        ordering = ["worksheet", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worksheet", "organization"], name="learning_one_role_per_partner"
            ),
        ]
        verbose_name = _("partner with a role to play")
        verbose_name_plural = _("partners with a role to play")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.role[:40]}"


class WorksheetAction(models.Model):
    """One step of the worksheet's action plan, linked where it can be to a working group's activity."""

    worksheet = models.ForeignKey(CurveWorksheet, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    activity = models.ForeignKey(
        "workgroups.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working-group activity"),
    )
    due_on = models.DateField(_("by"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["worksheet", "order", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.description[:60]


class CurveStory(models.Model):
    """A story told beside the data of a shared measure in a period: what happened to people, in a
    partner's words (line 230: the groups share data and stories)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="curve_stories")
    measure = models.ForeignKey(
        "measurement.SharedMeasure",
        on_delete=models.CASCADE,
        related_name="curve_stories",
        verbose_name=_("shared measure"),
    )
    period = models.ForeignKey(
        "measurement.ReportingPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("the story"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("told by"),
    )
    told_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["measure", "period"])]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self) -> str:
        return self.title
