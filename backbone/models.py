"""The backbone organisation: its six functions and 27 effectiveness indicators (FSG / Collaboration
for Impact, DOMAIN.md section 7), the effectiveness survey, the records only the backbone keeps
(policy log, funding ledger, community engagement), and the scores computed from all of them.

The catalogue (functions, the standard 27 indicators, the standard item bank) ships as data in a
migration; an initiative may relabel a standard indicator or add its own, numbered from 28.

Anonymity is structural: a `Respondent` (the personal link) records *that* someone answered, a
`Response` records *what* was answered, and nothing links the two. Response ids are random UUIDs
and carry no time, so the order of answers cannot be matched to the order of respondents.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Organization

from .choices import (
    Alignment,
    BackboneKind,
    CommunityEventKind,
    Confidence,
    FunderJoined,
    FunderType,
    FundingKind,
    FundingPurpose,
    FundingRecipient,
    PolicyKind,
    PolicyLevel,
    RespondentGroup,
    RunStatus,
    RunTrigger,
    WaveStatus,
)

STANDARD_INDICATORS = 27


def _hebrew() -> bool:
    return (get_language() or "en").startswith("he")


class BackboneFunction(models.Model):
    """One of the six backbone functions (A–F)."""

    code = models.CharField(_("code"), max_length=1, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_he = models.CharField(_("name (Hebrew)"), max_length=200)

    class Meta:
        ordering = ["order"]
        verbose_name = _("backbone function")
        verbose_name_plural = _("backbone functions")

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def name(self) -> str:
        return self.name_he if _hebrew() and self.name_he else self.name_en


class Indicator(models.Model):
    """A backbone-effectiveness indicator: one of the standard 27 (no initiative), or one an
    initiative added (numbered from 28 within that initiative)."""

    # Set by backbone.selectors: the initiative's own wording, if it has one.
    _label: IndicatorLabel | None

    function = models.ForeignKey(
        BackboneFunction, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("function")
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="backbone_indicators",
        help_text=_("Empty for the standard 27 indicators."),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name_en = models.CharField(_("name (English)"), max_length=400)
    name_he = models.CharField(_("name (Hebrew)"), max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=Q(initiative__isnull=True), name="unique_standard_indicator"
            ),
            models.UniqueConstraint(
                fields=["initiative", "number"],
                condition=Q(initiative__isnull=False),
                name="unique_own_indicator",
            ),
            # The standard 27 keep their numbers; an initiative's own indicators follow them.
            models.CheckConstraint(
                condition=Q(initiative__isnull=True, number__gte=1, number__lte=STANDARD_INDICATORS)
                | Q(initiative__isnull=False, number__gt=STANDARD_INDICATORS),
                name="indicator_number_range",
            ),
        ]
        verbose_name = _("backbone indicator")
        verbose_name_plural = _("backbone indicators")

    def __str__(self) -> str:
        return f"{self.number}. {self.name_en}"

    @property
    def is_standard(self) -> bool:
        return self.initiative_id is None

    @property
    def name(self) -> str:
        # A label set by `selectors.indicators_for` (the initiative's wording) wins.
        label = getattr(self, "_label", None)
        if label is not None:
            hebrew = label.name_he if _hebrew() and label.name_he else None
            return hebrew or label.name_en
        return self.name_he if _hebrew() and self.name_he else self.name_en

    @property
    def relabelled(self) -> bool:
        return getattr(self, "_label", None) is not None

    @property
    def standard_name(self) -> str:
        return self.name_he if _hebrew() and self.name_he else self.name_en


class IndicatorLabel(models.Model):
    """An initiative's own wording of a standard indicator; its number and function do not change."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="backbone_labels")
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="labels",
        limit_choices_to={"initiative__isnull": True},
    )
    name_en = models.CharField(_("name (English)"), max_length=400)
    name_he = models.CharField(_("name (Hebrew)"), max_length=400, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["initiative", "indicator__number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "indicator"], name="one_label_per_indicator")
        ]
        verbose_name = _("indicator wording")
        verbose_name_plural = _("indicator wordings")

    def __str__(self) -> str:
        return f"{self.indicator.number}: {self.name_en}"


class SurveyItem(models.Model):
    """A statement in the item bank, rated 1–5 or "don't know", written for one respondent group."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="items", verbose_name=_("indicator")
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="backbone_items",
        help_text=_("Empty for the standard item bank."),
    )
    group = models.CharField(_("respondent group"), max_length=12, choices=RespondentGroup.choices)
    code = models.SlugField(_("code"), max_length=40)
    text_en = models.CharField(_("statement (English)"), max_length=500)
    text_he = models.CharField(_("statement (Hebrew)"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered for new waves"), default=True)

    class Meta:
        ordering = ["indicator__number", "group", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(initiative__isnull=True), name="unique_standard_item_code"
            ),
            models.UniqueConstraint(
                fields=["initiative", "code"],
                condition=Q(initiative__isnull=False),
                name="unique_own_item_code",
            ),
        ]
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")

    def __str__(self) -> str:
        return f"{self.code}: {self.text_en[:60]}"

    @property
    def text(self) -> str:
        return self.text_he if _hebrew() and self.text_he else self.text_en


class AssessmentPeriod(models.Model):
    """The period a score is for (by default a half-year, such as 2026-H1). Survey waves belong to a
    period; records count in the period their date falls in."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="backbone_periods")
    code = models.CharField(_("period"), max_length=20)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "code"], name="unique_backbone_period"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="backbone_period_order"),
        ]
        verbose_name = _("assessment period")
        verbose_name_plural = _("assessment periods")

    def __str__(self) -> str:
        return self.code


class SurveyWave(models.Model):
    """One round of the backbone effectiveness survey: items from the bank, sent to respondents."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="survey_waves")
    # RESTRICT, not PROTECT: a period with waves is not deleted on its own, but deleting the
    # initiative deletes both.
    period = models.ForeignKey(
        AssessmentPeriod, on_delete=models.RESTRICT, related_name="waves", verbose_name=_("period")
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    closes_on = models.DateField(
        _("answers accepted until"), help_text=_("Personal links expire at the end of this day.")
    )
    items = models.ManyToManyField(SurveyItem, related_name="waves", verbose_name=_("items"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-period__start", "-id"]
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")

    def __str__(self) -> str:
        return f"{self.title} ({self.period.code})"

    def get_absolute_url(self) -> str:
        return reverse("backbone:wave", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == WaveStatus.OPEN


def _respondent_key() -> str:
    return secrets.token_urlsafe(18)


class Respondent(models.Model):
    """A person asked to answer a wave, with a personal link (signed, one-time). It records that
    they answered, never what they answered."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="respondents")
    group = models.CharField(_("respondent group"), max_length=12, choices=RespondentGroup.choices)
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    # Random, and useless without the server's secret key: the link is this key, signed.
    key = models.CharField(max_length=32, default=_respondent_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["group", "email"]
        constraints = [models.UniqueConstraint(fields=["wave", "email"], name="one_link_per_email_per_wave")]
        indexes = [models.Index(fields=["wave", "group"])]
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")

    def __str__(self) -> str:
        return f"{self.email} ({self.get_group_display()})"


class Response(models.Model):
    """One anonymous set of answers: the wave and the respondent group, nothing about who."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="responses")
    group = models.CharField(_("respondent group"), max_length=12, choices=RespondentGroup.choices)
    language = models.CharField(_("language"), max_length=10, default="en")

    class Meta:
        ordering = ["wave", "group", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.group}"


class Answer(models.Model):
    """A rating of one item: 1–5, or NULL for "don't know" (no opinion, not a low score)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.RESTRICT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)

    class Meta:
        ordering = ["response", "item"]
        constraints = [
            models.UniqueConstraint(fields=["response", "item"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5), name="answer_in_range"
            ),
        ]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.value if self.value is not None else '?'}"


# --- The funding ledger -----------------------------------------------------------------------


class Funder(models.Model):
    """Who gives money to the initiative, its partners or the backbone."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="funders")
    name = models.CharField(_("funder"), max_length=200)
    funder_type = models.CharField(_("type of source"), max_length=15, choices=FunderType.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation in the initiative"),
    )
    # Line 140: most of the funding from one central body involved from the start.
    is_anchor = models.BooleanField(
        _("anchor funder"),
        default=False,
        help_text=_("The central funder, involved from the start, that gives most of the funding."),
    )
    # Lines 382–388: among the founding leadership, or joined later.
    joined = models.CharField(_("joined"), max_length=10, choices=FunderJoined.choices, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="unique_funder_name"),
            models.UniqueConstraint(
                fields=["initiative"], condition=Q(is_anchor=True), name="one_anchor_funder"
            ),
        ]
        verbose_name = _("funder")
        verbose_name_plural = _("funders")

    def __str__(self) -> str:
        return self.name


class FundingEntry(models.Model):
    """A commitment of money to the backbone, the initiative's shared fund or a partner, for one
    year; the years of a multi-year commitment share `commitment`."""

    # Set by backbone.selectors.funding_ledger: the key strategy's current title.
    strategy_title: str

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="funding_entries")
    funder = models.ForeignKey(
        Funder, on_delete=models.RESTRICT, related_name="entries", verbose_name=_("funder")
    )
    recipient = models.CharField(_("to"), max_length=12, choices=FundingRecipient.choices)
    recipient_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner organisation"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FundingKind.choices)
    purpose = models.CharField(
        _("what it funds"), max_length=12, choices=FundingPurpose.choices, default=FundingPurpose.GENERAL
    )
    strategy = models.ForeignKey(
        "agenda.Strategy",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="funding_entries",
        verbose_name=_("key strategy"),
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    year = models.PositiveSmallIntegerField(_("for the year"))
    # The years of one multi-year commitment share this mark.
    commitment = models.UUIDField(_("multi-year commitment"), null=True, blank=True, db_index=True)
    committed_on = models.DateField(_("committed on"))
    requires_alignment = models.BooleanField(
        _("asks its grantees to align with the initiative's goals"), default=False
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-committed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funding_amount_positive"),
            models.CheckConstraint(
                condition=Q(recipient="partner", recipient_organization__isnull=False)
                | (~Q(recipient="partner") & Q(recipient_organization__isnull=True)),
                name="funding_partner_named",
            ),
            models.CheckConstraint(
                condition=Q(purpose="strategy", strategy__isnull=False)
                | (~Q(purpose="strategy") & Q(strategy__isnull=True)),
                name="funding_strategy_named",
            ),
        ]
        indexes = [models.Index(fields=["initiative", "committed_on"])]
        verbose_name = _("funding entry")
        verbose_name_plural = _("funding entries")

    def __str__(self) -> str:
        return f"{self.funder} → {self.get_recipient_display()}: {self.amount} ({self.year})"


# --- The backbone's profile --------------------------------------------------------------------


class BackboneProfile(models.Model):
    """Who the backbone is and how it keeps its neutrality (line 270): foundations, nonprofits and
    government agencies act as backbones, sometimes several together; whatever its form, it must be
    free of interests, its only interest the mission's success."""

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="backbone_profile")
    kind = models.CharField(_("type of backbone"), max_length=12, choices=BackboneKind.choices)
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="+",
        verbose_name=_("organisations acting as the backbone"),
    )
    structure = models.TextField(
        _("structure"),
        blank=True,
        help_text=_(
            "Staff, hosting, who it answers to: the form suited to the issue, the area and the partners."
        ),
    )
    interests = models.TextField(
        _("interests declared"),
        blank=True,
        help_text=_(
            "Programmes the backbone also runs, funding it also receives as a partner, and the like."
        ),
    )
    neutrality = models.TextField(
        _("how neutrality is kept"),
        help_text=_("What keeps the backbone free of interests and credible to every partner."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["initiative"]
        verbose_name = _("backbone profile")
        verbose_name_plural = _("backbone profiles")

    def __str__(self) -> str:
        return f"{self.initiative}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("backbone:profile", kwargs={"slug": self.initiative.slug})


# --- The policy log and community engagement --------------------------------------------------


class PolicyEntry(models.Model):
    """An entry of the policy log: advocacy, policymakers engaged, a policy change and its alignment."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="policy_entries")
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=15, choices=PolicyKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(
        _("level"), max_length=10, choices=PolicyLevel.choices, default=PolicyLevel.LOCAL
    )
    policymakers = models.PositiveIntegerField(
        _("policymakers or influencers"),
        default=0,
        help_text=_("How many were engaged (or, for an advocate, how many spoke for the goals)."),
    )
    alignment = models.CharField(
        _("alignment with the initiative's goals"),
        max_length=12,
        choices=Alignment.choices,
        blank=True,
        help_text=_("Required for a policy change."),
    )
    source_url = models.URLField(_("source"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="policy_change") | ~Q(alignment=""), name="policy_change_has_alignment"
            )
        ]
        indexes = [models.Index(fields=["initiative", "occurred_on"])]
        verbose_name = _("policy log entry")
        verbose_name_plural = _("policy log entries")

    def __str__(self) -> str:
        return self.title


class CommunityEvent(models.Model):
    """A community engagement event: how many it reached, how many expressed support or acted."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="community_events")
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=15, choices=CommunityEventKind.choices)
    title = models.CharField(_("title"), max_length=300)
    reached = models.PositiveIntegerField(_("people reached or attending"))
    supporters = models.PositiveIntegerField(
        _("expressed support"),
        default=0,
        help_text=_("Signed up, pledged or otherwise said they support it."),
    )
    took_action = models.PositiveIntegerField(
        _("took action"), default=0, help_text=_("Volunteered, organised or took part in an action.")
    )
    community_led = models.BooleanField(_("led or co-led by community members"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["initiative", "held_on"])]
        verbose_name = _("community engagement event")
        verbose_name_plural = _("community engagement events")

    def __str__(self) -> str:
        return self.title


# --- Scores -------------------------------------------------------------------------------------


class ScoreRun(models.Model):
    """One computation of an initiative's scores; the page shows the latest one's state."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="backbone_score_runs")
    trigger = models.CharField(_("trigger"), max_length=12, choices=RunTrigger.choices)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    periods = models.PositiveIntegerField(default=0)
    indicators = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("score computation")
        verbose_name_plural = _("score computations")

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.trigger} {self.status}"


class IndicatorScore(models.Model):
    """An indicator's score (0–100) in a period, with the evidence it rests on. `score` is NULL
    when the evidence is insufficient: the platform does not invent a number."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="indicator_scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True, blank=True)
    survey_score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    record_score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    responses = models.PositiveIntegerField(_("responses"), default=0)
    invited = models.PositiveIntegerField(_("invited"), default=0)
    response_rate = models.DecimalField(
        _("response rate (%)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    evidence = models.JSONField(_("evidence"), default=dict)
    run = models.ForeignKey(ScoreRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["period__start", "indicator__number"]
        constraints = [
            models.UniqueConstraint(fields=["period", "indicator"], name="one_score_per_indicator_period")
        ]
        indexes = [models.Index(fields=["initiative", "period"])]
        verbose_name = _("indicator score")
        verbose_name_plural = _("indicator scores")

    def __str__(self) -> str:
        return f"{self.period_id}/{self.indicator_id}: {self.score}"


class FunctionScore(models.Model):
    """A function's score in a period: the mean of its scored indicators (see docs/backbone.md)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(AssessmentPeriod, on_delete=models.CASCADE, related_name="function_scores")
    function = models.ForeignKey(BackboneFunction, on_delete=models.CASCADE, related_name="scores")
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices)
    indicators_scored = models.PositiveSmallIntegerField(default=0)
    indicators_total = models.PositiveSmallIntegerField(default=0)
    run = models.ForeignKey(ScoreRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["period__start", "function__order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "function"], name="one_score_per_function_period")
        ]
        verbose_name = _("function score")
        verbose_name_plural = _("function scores")

    def __str__(self) -> str:
        return f"{self.period_id}/{self.function_id}: {self.score}"
