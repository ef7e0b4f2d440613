from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class AgendaKind(models.TextChoices):
    """A preliminary agenda belongs to phase II, the full agenda to phase III (DOMAIN.md section 5)."""

    PRELIMINARY = "preliminary", _("Preliminary common agenda")
    FULL = "full", _("Full common agenda")


class Decision(models.TextChoices):
    ENDORSE = "endorse", _("Endorse")
    DECLINE = "decline", _("Decline")


class AdoptionRule(models.TextChoices):
    ALL = "all", _("All steering committee members endorse")
    MAJORITY = "majority", _("A majority of the steering committee endorses")
