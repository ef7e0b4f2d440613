"""The common agenda: a versioned strategic framework, endorsed by the partners.

A draft is edited freely; publishing freezes it as v1, v2, … Published versions never change:
the model refuses it, whatever calls save(). Strategies keep one identity (`Strategy`) across
versions, so that working groups and shared measures link to a strategy, not to its wording.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Organization

from .choices import AdoptionRule, AgendaKind, Decision, VersionStatus


class PublishedVersionIsFrozen(ValidationError):
    pass


class AgendaSettings(models.Model):
    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="agenda_settings")
    adoption_rule = models.CharField(
        _("a version is adopted when"),
        max_length=10,
        choices=AdoptionRule.choices,
        default=AdoptionRule.MAJORITY,
    )

    class Meta:
        verbose_name = _("agenda settings")
        verbose_name_plural = _("agenda settings")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_adoption_rule_display()}"


class Strategy(models.Model):
    """A key strategy's identity across agenda versions; its wording lives in StrategyItem."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="strategies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("key strategy")
        verbose_name_plural = _("key strategies")

    def __str__(self) -> str:
        item = self.items.order_by("-version__number").first()
        return item.title if item else f"Strategy {self.pk}"


class AgendaVersion(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="agenda_versions")
    number = models.PositiveIntegerField(_("version"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=AgendaKind.choices, default=AgendaKind.PRELIMINARY
    )
    problem_statement = models.TextField(_("the problem"), blank=True)
    goal = models.TextField(
        _("the goal"), blank=True, help_text=_("The population-level change the initiative seeks.")
    )
    boundary_geographic = models.TextField(_("geographic boundary"), blank=True)
    boundary_institutional = models.TextField(_("institutional boundary"), blank=True)
    boundary_content = models.TextField(_("content boundary"), blank=True)
    boundary_process = models.TextField(_("process boundary"), blank=True)
    guiding_principles = models.JSONField(_("guiding principles"), default=list, blank=True)
    evaluation_approach = models.TextField(_("evaluation and measurement approach"), blank=True)
    change_summary = models.TextField(_("what changed"), blank=True)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Optimistic locking for drafts: every save bumps it; a save based on an older one is refused.
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)

    BOUNDARIES = ("boundary_geographic", "boundary_institutional", "boundary_content", "boundary_process")
    TEXT_SECTIONS = ("problem_statement", "goal", *BOUNDARIES, "evaluation_approach")

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "number"], name="unique_agenda_version_number"),
            models.UniqueConstraint(
                fields=["initiative"], condition=Q(status="draft"), name="one_agenda_draft_per_initiative"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | Q(status="published", number__isnull=False),
                name="published_agenda_has_number",
            ),
        ]
        verbose_name = _("agenda version")
        verbose_name_plural = _("agenda versions")

    def __str__(self) -> str:
        return f"{self.initiative}: v{self.number}" if self.number else f"{self.initiative}: draft"

    def save(self, *args, update_fields=None, **kwargs):
        # A published version is frozen; only its adoption may still be recorded.
        if self._stored_status() == VersionStatus.PUBLISHED and set(update_fields or ["*"]) - {"adopted_at"}:
            raise PublishedVersionIsFrozen(_("A published version cannot be changed; start a new draft."))
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self) -> str:
        if self.number is None:
            return reverse("agenda:draft", kwargs={"slug": self.initiative.slug})
        return reverse("agenda:version", kwargs={"slug": self.initiative.slug, "number": self.number})

    def delete(self, *args, **kwargs):
        if self._stored_status() == VersionStatus.PUBLISHED:
            raise PublishedVersionIsFrozen(_("A published version cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def label(self) -> str:
        return f"v{self.number}" if self.number else str(_("Draft"))

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()


class _VersionPart(models.Model):
    """Parts of a version share its freeze."""

    version_id: int  # each part's `version` foreign key

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_draft()
        return super().delete(*args, **kwargs)

    def _check_draft(self):
        if AgendaVersion.objects.filter(pk=self.version_id, status=VersionStatus.PUBLISHED).exists():
            raise PublishedVersionIsFrozen(_("A published version cannot be changed; start a new draft."))


class ProblemFigure(_VersionPart):
    """A figure that backs the problem statement, with its source."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="figures")
    order = models.PositiveSmallIntegerField(default=0)
    statement = models.CharField(_("figure"), max_length=500)
    source = models.CharField(_("source"), max_length=500)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("problem figure")
        verbose_name_plural = _("problem figures")

    def __str__(self) -> str:
        return self.statement


class StrategyItem(_VersionPart):
    """A key strategy as worded in one version."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="strategy_items")
    strategy = models.ForeignKey(Strategy, on_delete=models.RESTRICT, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    rationale = models.TextField(_("rationale"), blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "strategy"], name="unique_strategy_per_version")
        ]
        verbose_name = _("key strategy (in a version)")
        verbose_name_plural = _("key strategies (in a version)")

    def __str__(self) -> str:
        return self.title


class Endorsement(models.Model):
    """A steering committee member's or partner's endorsement of (or objection to) a version."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.PROTECT, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="one_endorsement_per_person")]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")

    def __str__(self) -> str:
        return f"{self.user} {self.decision} {self.version}"
