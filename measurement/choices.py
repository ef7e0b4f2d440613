from django.db import models
from django.utils.translation import gettext_lazy as _

from ci_platform.i18n_format import isolate_numbers_lazy


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")
    RATE = "rate", _("Rate")
    CURRENCY = "currency", _("Currency")
    SCORE = "score", _("Score")


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    # The range isolated: without it a Hebrew <select> shows "אחוז (100–0)".
    PERCENT = "percent", isolate_numbers_lazy(_("Percent (0–100)"))


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", _("Higher is better")
    LOWER_IS_BETTER = "down", _("Lower is better")


class Level(models.TextChoices):
    """The three things shared measurement measures (DOMAIN.md section 4.2)."""

    POPULATION = "population", _("Population outcome")
    PROCESS = "process", _("Process of the joint work")
    INTERACTION = "interaction", _("Partner relationships and interaction")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum across partners")
    MEAN = "mean", _("Mean across partners")
    WEIGHTED_MEAN = "weighted_mean", _("Mean weighted by a denominator measure")
    NONE = "none", _("Not aggregable (one designated source)")


class MeasureKind(models.TextChoices):
    ENTERED = "entered", _("Entered by partners")
    CALCULATED = "calculated", _("Calculated from other measures")


class Gap(models.TextChoices):
    """Why a calculated measure has no value for a period and cell (Aggregate.gap)."""

    DIVISION_BY_ZERO = "division_by_zero", _("a division by zero")
    INPUT_MISSING = "input_missing", _("an input has no value")
    TOO_LARGE = "too_large", _("the result is too large")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class Operator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "==", "="


class AuditAction(models.TextChoices):
    CREATE = "create", _("Entered")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Cleared")
    SUBMIT = "submit", _("Submitted")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned")
    UNLOCK = "unlock", _("Unlocked")
    IMPORT = "import", _("Imported from a file")
