"""Shared measurement, after DHIS2's data model: measures (data elements) with optional
disaggregations (category combinations), reporting periods, data sets assigned to organisations,
submissions with an approval workflow, data values, validation rules, and an audit trail.

DataValue is the platform's largest table: one row per measure × period × organisation ×
disaggregation cell. Totals over a breakdown are derived, never stored.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ci_platform.bases import Text
from initiatives.models import Initiative, Organization

from .choices import (
    Aggregation,
    AuditAction,
    Direction,
    Frequency,
    Level,
    MeasureKind,
    Operator,
    SubmissionStatus,
    Unit,
    ValueType,
)


def bilingual(en: str | None, he: str | None, *, hebrew: bool | None = None) -> str | None:
    """A name in the reader's language: the Hebrew one in Hebrew where there is one, else the English
    (`hebrew`: whether the active language is Hebrew, when a loop has asked once already)."""
    if hebrew is None:
        hebrew = (get_language() or "en").startswith("he")
    return (he or en) if hebrew else en


class BilingualName(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_he = models.CharField(_("name (Hebrew)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return bilingual(self.name_en, self.name_he) or ""


class Dimension(BilingualName):
    """A reusable breakdown, such as age band, gender, neighbourhood or school."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("code"), max_length=40)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["initiative", "code"], name="unique_dimension_code")]
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")

    def __str__(self) -> str:
        return self.name


class DimensionMember(BilingualName):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="members")
    code = models.SlugField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["dimension", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["dimension", "code"], name="unique_member_code")]
        verbose_name = _("disaggregation member")
        verbose_name_plural = _("disaggregation members")

    def __str__(self) -> str:
        return self.name


class SharedMeasure(BilingualName):
    """An indicator every partner measures the same way (Clear Impact's performance measure)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("code"), max_length=40, help_text=_("Short code used in files and the API."))
    definition = models.TextField(_("definition"))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    aggregation = models.CharField(
        _("aggregation across partners"), max_length=15, choices=Aggregation.choices
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=MeasureKind.choices, default=MeasureKind.ENTERED
    )
    formula = models.CharField(
        _("formula"),
        max_length=500,
        blank=True,
        help_text=_(
            "For a calculated measure: other measures by their codes, with + − * / and parentheses, "
            "numbers, and min, max, abs or round. For example: 100 * employed / graduates."
        ),
    )
    denominator = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("denominator measure"),
        help_text=_("For a weighted mean: the measure whose values weigh each partner's value."),
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    baseline_period = models.CharField(_("baseline period"), max_length=10, blank=True)
    min_value = models.DecimalField(
        _("lowest valid value"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest valid value"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_change_pct = models.PositiveIntegerField(
        _("change that needs a comment (%)"),
        null=True,
        blank=True,
        help_text=_("A change from the previous period larger than this asks the partner for a comment."),
    )
    required = models.BooleanField(_("required"), default=True)
    dimensions = models.ManyToManyField(
        Dimension,
        blank=True,
        related_name="measures",
        verbose_name=_("broken down by"),
        through="MeasureDimension",
    )
    strategies = models.ManyToManyField(
        "agenda.Strategy",
        blank=True,
        related_name="measures",
        verbose_name=_("strategies it is expected to move"),
    )
    data_source = models.TextField(_("data source"), blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        # The measure's rules hold in the database too, so that no path (the API, the admin, a
        # script) stores a measure the aggregation or the entry checks cannot work with.
        constraints = [
            models.UniqueConstraint(fields=["initiative", "code"], name="unique_measure_code"),
            models.CheckConstraint(
                condition=~Q(aggregation=Aggregation.WEIGHTED_MEAN) | Q(denominator__isnull=False),
                name="measure_weighted_mean_has_denominator",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | ~Q(denominator=models.F("pk")),
                name="measure_denominator_not_itself",
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=models.F("max_value")),
                name="measure_min_not_above_max",
            ),
            models.CheckConstraint(
                condition=Q(active_from__isnull=True)
                | Q(active_to__isnull=True)
                | Q(active_from__lte=models.F("active_to")),
                name="measure_active_from_not_after_to",
            ),
            # Entered measures have no formula; calculated ones have one and no denominator.
            models.CheckConstraint(
                condition=Q(kind=MeasureKind.ENTERED, formula="")
                | (Q(kind=MeasureKind.CALCULATED, denominator__isnull=True) & ~Q(formula="")),
                name="measure_formula_iff_calculated",
            ),
        ]
        verbose_name = _("shared measure")
        verbose_name_plural = _("shared measures")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("measurement:measure", kwargs={"slug": self.initiative.slug, "code": self.code})

    def clean(self) -> None:
        """The measure's rules, with a message per field (the constraints above hold them in the
        database; forms and services call this first to say what is wrong)."""
        errors: dict[str, Text] = {}
        if self.aggregation == Aggregation.WEIGHTED_MEAN and self.denominator_id is None:
            errors["denominator"] = _("A weighted mean needs a denominator measure.")
        if self.denominator_id is not None and self.pk is not None and self.denominator_id == self.pk:
            errors["denominator"] = _("A measure cannot be its own denominator.")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            errors["max_value"] = _("The highest valid value is below the lowest.")
        if self.active_from and self.active_to and self.active_to < self.active_from:
            errors["active_to"] = _("The end is before the start.")
        if self.is_calculated:
            from .formulas import FormulaError, parse

            try:
                parse(self.formula)
            except FormulaError as exc:
                errors["formula"] = str(exc)
            if self.denominator_id is not None or self.aggregation == Aggregation.WEIGHTED_MEAN:
                errors["denominator"] = _("A calculated measure is not weighted by a denominator.")
        elif self.formula:
            errors["formula"] = _("Only a calculated measure has a formula.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_calculated(self) -> bool:
        """Computed from other measures by its formula, never entered (not in any data set)."""
        return self.kind == MeasureKind.CALCULATED


class FormulaVersion(models.Model):
    """The history of a calculated measure's formula: each formula it has had, who set it, when."""

    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="formula_versions")
    number = models.PositiveIntegerField(_("version"))
    formula = models.CharField(_("formula"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["measure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "number"], name="unique_formula_version"),
        ]
        verbose_name = _("formula version")
        verbose_name_plural = _("formula versions")

    def __str__(self) -> str:
        return f"{self.measure_id} v{self.number}: {self.formula}"


class MeasureDimension(models.Model):
    """A measure is broken down by at most two dimensions, in a fixed order (rows, then columns)."""

    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="measure_dimensions")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(choices=[(1, "1"), (2, "2")])

    class Meta:
        ordering = ["measure", "position"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "position"], name="unique_dimension_position"),
            models.UniqueConstraint(fields=["measure", "dimension"], name="unique_measure_dimension"),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} / {self.dimension.code}"


class Target(models.Model):
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="targets")
    period_code = models.CharField(_("period"), max_length=10)
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=6)

    class Meta:
        ordering = ["measure", "period_code"]
        constraints = [models.UniqueConstraint(fields=["measure", "period_code"], name="unique_target")]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.measure.code} {self.period_code}: {self.value}"


class ReportingPeriod(models.Model):
    """A period of a frequency (2026-01, 2026-Q1, 2026) with the window in which data is accepted."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="periods")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    code = models.CharField(_("period"), max_length=10)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    opens_on = models.DateField(_("open for data from"))
    closes_on = models.DateField(_("open for data until"))
    due_on = models.DateField(_("due"))

    class Meta:
        ordering = ["-start", "frequency"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "frequency", "code"], name="unique_period"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_ends_after_start"),
        ]
        indexes = [models.Index(fields=["initiative", "frequency", "start"])]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")

    def __str__(self) -> str:
        return self.code


class Assignment(models.Model):
    """Which organisation reports which measure: the organisation's data set."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="assignments")
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        ordering = ["organization", "measure"]
        constraints = [models.UniqueConstraint(fields=["organization", "measure"], name="unique_assignment")]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")

    def __str__(self) -> str:
        return f"{self.organization} → {self.measure.code}"


# In Submission.open_cells: every cell of the data set is open (approved data reopened whole).
ALL_CELLS = "*"


class Submission(models.Model):
    """One organisation's data for one period, through draft → submitted → approved (or returned)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="submissions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="submissions")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(
        _("status"), max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    message = models.TextField(_("message from the reviewer"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # After the backbone unlocks single approved values: the cells ([measure, member1, member2])
    # that may change; every other value stays as approved. Empty (None): no such restriction.
    open_cells = models.JSONField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period__start", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "period"], name="unique_submission"),
        ]
        indexes = [models.Index(fields=["initiative", "status"])]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"{self.organization} {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("measurement:submission", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    def is_open(self, cell) -> bool:
        """May this cell change? All may, unless single values were unlocked (or all of them were
        reopened for correction: ALL_CELLS)."""
        return self.open_cells is None or ALL_CELLS in self.open_cells or list(cell) in self.open_cells

    @property
    def reopened_whole(self) -> bool:
        return self.open_cells is not None and ALL_CELLS in self.open_cells

    @property
    def reopened_cells(self) -> list | None:
        """The cells reopened one by one (None: no correction under way)."""
        return None if self.open_cells is None else [c for c in self.open_cells if c != ALL_CELLS]

    @property
    def in_correction(self) -> bool:
        """Approved data reopened for correction: its stored values are still the approved ones
        (what every figure reads); the partner's changes wait in `corrections` until approved."""
        return self.open_cells is not None

    @property
    def is_locked(self) -> bool:
        """Submitted data waits for review; approved data is locked until unlocked."""
        return self.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)


def holding_approved_values() -> Q:
    """The submissions whose stored values are approved: approved ones, and approved ones reopened
    for correction (`Submission.in_correction`), whose proposed changes wait in Correction rows.
    Every reader of approved data filters by this, so that a correction never drops or changes a
    figure before the backbone approves it."""
    return Q(status=SubmissionStatus.APPROVED) | Q(open_cells__isnull=False)


# The same predicate for a submission read as a row (status, open_cells).
def holds_approved_values(status: str, open_cells) -> bool:
    return status == SubmissionStatus.APPROVED or open_cells is not None


# The same predicate for raw SQL over measurement_submission aliased as `alias`.
def holding_approved_values_sql(alias: str = "s") -> str:
    return f"({alias}.status = 'approved' OR {alias}.open_cells IS NOT NULL)"


class DataValue(models.Model):
    """One number: measure × period × organisation × disaggregation cell (members may be empty).

    The largest table, and the one every import and bulk submission writes: it keeps only what the
    data and its queries need (docs/performance.md shows each index in a query plan). The cell's
    unique key (measure, period, organisation, members) also serves every read by measure and
    period; (organisation, period) serves a partner's period and a submission's values
    (selectors.values_of). No key is checked by the database: the entry pipeline resolves each
    from rows it reads in the same transaction, and their deletion goes through Django (CASCADE
    for the submission: one DELETE of its values; PROTECT for the others: a lookup on these
    indexes, or a scan for the rare deletion of a period, member or user), so the database does
    not check them again for each of 100,000 rows. The submission's key was the last one checked:
    with no index on submission_id (nothing reads values by it), PostgreSQL's check scanned the
    whole table once per deleted submission: a benchmark initiative of 1,000 organisations was
    still deleting after 46 minutes (tests/measurement/test_delete_cascade.py)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="values", db_index=False, db_constraint=False
    )
    measure = models.ForeignKey(
        SharedMeasure, on_delete=models.PROTECT, related_name="values", db_index=False, db_constraint=False
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="values", db_index=False, db_constraint=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="values", db_index=False, db_constraint=False
    )
    member1 = models.ForeignKey(
        DimensionMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    member2 = models.ForeignKey(
        DimensionMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "period", "organization", "member1", "member2"]
        constraints = [
            # One value per cell. Members are NULL for a measure without breakdown, so the
            # constraint is on COALESCE(member, 0) (NULLs would otherwise all be distinct).
            models.UniqueConstraint(
                "measure",
                "period",
                "organization",
                Coalesce("member1", 0),
                Coalesce("member2", 0),
                name="unique_data_value_cell",
            ),
        ]
        indexes = [
            # Partners read their own period, the pipeline a submission's values; reads by measure
            # and period use the cell's unique key, which leads with them.
            models.Index(fields=["organization", "period"], name="datavalue_org_period"),
            models.Index(fields=["updated_at", "id"], name="datavalue_updated_id"),  # incremental sync pages
            # The API's pages of one measure in id order (`?measure=…&ordering=id`): without it,
            # PostgreSQL walked the primary key from the first id to the measure's rows (0.5 s a
            # first page for the last measure of 1,050,000 values).
            models.Index(fields=["measure", "id"], name="datavalue_measure_id"),
        ]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.period_id}/{self.organization_id}: {self.value}"


class Correction(models.Model):
    """A change the partner proposes to a reopened cell of approved data. The approved DataValue
    stays what dashboards, report card, exports and the API read; approving the submission applies
    the correction (`value` None: the partner chose to clear the approved value)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="corrections")
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="+")
    member1 = models.ForeignKey(
        DimensionMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member2 = models.ForeignKey(
        DimensionMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.DecimalField(_("proposed value"), max_digits=20, decimal_places=6, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["submission", "measure", "member1", "member2"]
        constraints = [
            models.UniqueConstraint(
                "submission",
                "measure",
                Coalesce("member1", 0),
                Coalesce("member2", 0),
                name="unique_correction_cell",
            ),
        ]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.submission_id}/{self.measure_id}: {self.value}"

    @property
    def cell(self) -> tuple[int, int | None, int | None]:
        return (self.measure_id, self.member1_id, self.member2_id)


class ValidationRule(models.Model):
    """A rule between two measures of the same organisation and period, e.g. A ≤ B."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="validation_rules")
    name = models.CharField(_("name"), max_length=200)
    left = models.ForeignKey(
        SharedMeasure, on_delete=models.CASCADE, related_name="+", verbose_name=_("measure")
    )
    operator = models.CharField(_("must be"), max_length=2, choices=Operator.choices)
    right = models.ForeignKey(
        SharedMeasure, on_delete=models.CASCADE, related_name="+", verbose_name=_("than")
    )
    message = models.CharField(_("message shown when broken"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Every change of data and of a submission's state: who, when, old, new, why.

    An append-only log, written a row per value (100,000 for a large file): only the submission is
    a database-level foreign key, indexed with the time (the trail is read per submission; the API
    pages it per initiative). The other references are plain columns with Django's on_delete rules, which the ORM still applies;
    a database constraint and index on each would make every import write and check six more.
    """

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="audit", db_index=False)
    measure = models.ForeignKey(
        SharedMeasure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    member1 = models.ForeignKey(
        DimensionMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    member2 = models.ForeignKey(
        DimensionMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    old_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    new_value = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["submission", "at"]),
            models.Index(fields=["initiative", "id"], name="audit_initiative_id"),  # the API's pages
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class MeasurementSettings(models.Model):
    """Per-initiative choices about shared measurement."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.CASCADE, related_name="measurement_settings"
    )
    share_named_values = models.BooleanField(
        _("partners see each other's named values"),
        default=False,
        help_text=_("Off: each partner sees only its own raw values and the initiative's aggregates."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind contributors this many days before the due date"), default=5
    )
    complete_pct = models.PositiveSmallIntegerField(
        _("a period is complete when this share of the expected organisations is approved (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Below it a period's figures are provisional: shown as such, and left out of headlines, "
            "changes, verdicts, forecasts and the public report card."
        ),
    )
    # When the settings last changed: a new threshold changes what the API's aggregates say
    # (`provisional`) without a new run, so their Last-Modified must move with it.
    updated_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        verbose_name = _("measurement settings")
        verbose_name_plural = _("measurement settings")

    def __str__(self) -> str:
        return str(self.initiative)


class ImportJob(models.Model):
    """A validated file waiting for confirmation: the preview is shown, then committed whole."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("file import")
        verbose_name_plural = _("file imports")

    def __str__(self) -> str:
        return self.filename


class Reminder(models.Model):
    """A reminder sent for an organisation's period; one of each kind, so a rerun sends nothing twice."""

    KINDS = [("due_soon", _("Due soon")), ("overdue", _("Overdue"))]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=KINDS)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "period", "kind"], name="one_reminder_each")
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return f"{self.kind} {self.organization_id} {self.period_id}"


class AggregateRun(models.Model):
    """One computation of an initiative's aggregates. A full rebuild writes its own rows under a
    new run and becomes `active` in one transaction; readers only read the active run's rows."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full rebuild")
        INCREMENTAL = "incremental", _("Update")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="aggregate_runs")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    active = models.BooleanField(default=False)
    measures_total = models.PositiveIntegerField(default=0)
    measures_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"], condition=Q(active=True), name="one_active_aggregate_run"
            ),
        ]
        verbose_name = _("aggregate computation")
        verbose_name_plural = _("aggregate computations")

    def __str__(self) -> str:
        return f"{self.initiative_id} {self.kind} {self.status}"


class Aggregate(models.Model):
    """A measure's value across partners for a period and breakdown cell (members empty = total)."""

    run = models.ForeignKey(AggregateRun, on_delete=models.CASCADE, related_name="aggregates")
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="aggregates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="aggregates")
    member1 = models.ForeignKey(
        DimensionMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    member2 = models.ForeignKey(
        DimensionMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    value = models.DecimalField(max_digits=26, decimal_places=6, null=True, blank=True)
    organizations = models.PositiveIntegerField(default=0)
    # Why a calculated measure has no value here (formulas.GAP_*: a division by zero, an input
    # without a value, a result too large); empty otherwise. A database default: the aggregation's
    # INSERT … SELECT does not name it.
    gap = models.CharField(max_length=20, blank=True, default="", db_default="")

    class Meta:
        ordering = ["measure", "period", "member1", "member2"]
        constraints = [
            models.UniqueConstraint(
                "run",
                "measure",
                "period",
                Coalesce("member1", 0),
                Coalesce("member2", 0),
                name="unique_aggregate_cell",
            ),
        ]
        indexes = [models.Index(fields=["run", "measure", "period"], name="aggregate_read")]
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.period_id}: {self.value}"


class Completeness(models.Model):
    """Per measure and period: how many organisations were expected, submitted, were approved, on time."""

    run = models.ForeignKey(AggregateRun, on_delete=models.CASCADE, related_name="completeness")
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    expected = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["measure", "period"]
        constraints = [
            models.UniqueConstraint(fields=["run", "measure", "period"], name="unique_completeness")
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.period_id}: {self.approved}/{self.expected}"


class DirtyAggregate(models.Model):
    """A measure-period whose approved data changed; recomputed incrementally, and again into a
    full rebuild that started before the change."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)
    # Empty while the recompute is pending (queued, or never queued because the broker was down).
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="unique_dirty")]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.period_id}"


class AggregateRunMeasure(models.Model):
    """A measure finished within a full rebuild; the last one to finish makes the run active."""

    run = models.ForeignKey(AggregateRun, on_delete=models.CASCADE, related_name="done_measures")
    measure = models.ForeignKey(SharedMeasure, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "measure"], name="unique_run_measure")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.measure_id}"


class ReportCard(models.Model):
    """The public Community Report Card of an initiative: chosen measures, approved data only."""

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="report_card")
    published = models.BooleanField(_("published"), default=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    measures = models.ManyToManyField(
        SharedMeasure, blank=True, related_name="+", verbose_name=_("measures shown")
    )
    suppression_threshold = models.PositiveIntegerField(_("hide cells resting on fewer than"), default=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report card")
        verbose_name_plural = _("report cards")

    def __str__(self) -> str:
        return self.title or str(self.initiative)

    def get_absolute_url(self) -> str:
        return reverse("report_card", kwargs={"slug": self.initiative.slug})
