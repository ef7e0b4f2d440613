"""Vocabulary of mutually reinforcing activities (DOMAIN.md section 4.3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SeatRole(models.TextChoices):
    # Alphabetical order is also the order of precedence: chair, co-chair, member.
    CHAIR = "chair", _("Chair")
    CO_CHAIR = "co_chair", _("Co-chair")
    MEMBER = "member", _("Member")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


class ContactFrequency(models.IntegerChoices):
    """How often two organisations are in contact (the partner-relationship survey)."""

    YEARLY = 1, _("Once a year or less")
    QUARTERLY = 2, _("A few times a year")
    MONTHLY = 3, _("Monthly")
    WEEKLY = 4, _("Weekly or more")


class CollaborationKind(models.TextChoices):
    """Kinds of collaboration, from the lightest to the deepest."""

    INFORMATION_SHARING = "information_sharing", _("Information sharing")
    JOINT_PLANNING = "joint_planning", _("Joint planning")
    SHARED_RESOURCES = "shared_resources", _("Shared resources")
    JOINT_PROGRAMMES = "joint_programmes", _("Joint programmes")


class WaveStatus(models.TextChoices):
    PLANNED = "planned", _("Not opened yet")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class MetricsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be computed")
    RUNNING = "running", _("Being computed")
    DONE = "done", _("Computed")
    FAILED = "failed", _("Failed")


# Trust and value are rated on a five-point scale.
RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
