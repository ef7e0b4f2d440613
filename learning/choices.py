"""Vocabulary of learning: the risk register's scales, the working assumptions' statuses and where a
starting risk comes from in the source (DOMAIN.md section 8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskCategory(models.TextChoices):
    PITFALL = "pitfall", _("A pitfall of collective impact")
    MEASUREMENT = "measurement", _("A challenge of shared measurement")
    BACKBONE = "backbone", _("A challenge of the backbone")
    OWN = "own", _("The initiative's own")


class Likelihood(models.IntegerChoices):
    RARE = 1, _("Rare")
    UNLIKELY = 2, _("Unlikely")
    POSSIBLE = 3, _("Possible")
    LIKELY = 4, _("Likely")
    ALMOST_CERTAIN = 5, _("Almost certain")


class Impact(models.IntegerChoices):
    NEGLIGIBLE = 1, _("Negligible")
    MINOR = 2, _("Minor")
    MODERATE = 3, _("Moderate")
    MAJOR = 4, _("Major")
    SEVERE = 5, _("Severe")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AssumptionStatus(models.TextChoices):
    """Where a working assumption of the agenda stands (the source's line 172: assumptions are
    tested by trial and error, then revised through reflection and learning)."""

    HOLDING = "holding", _("Holding")
    TESTED = "tested", _("Tested")
    REVISED = "revised", _("Revised")
    DROPPED = "dropped", _("Dropped")


# A score of likelihood × impact at or above this is shown as high.
HIGH_SCORE = 12
MEDIUM_SCORE = 6
