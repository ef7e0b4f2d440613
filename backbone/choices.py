"""Vocabulary of the backbone component (DOMAIN.md sections 4.5 and 7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RespondentGroup(models.TextChoices):
    """Who answers which items. Partners and the steering committee get the full form; the
    community, policymakers and funders a short form on what they can judge."""

    PARTNER = "partner", _("Partners")
    STEERING = "steering", _("Steering committee")
    COMMUNITY = "community", _("Community members")
    POLICYMAKER = "policymaker", _("Policymakers and influencers")
    FUNDER = "funder", _("Funders")


# Members answer in the group of their role; viewers and backbone staff are not asked about
# themselves (the backbone is what the survey assesses).
GROUP_OF_ROLE = {"partner": RespondentGroup.PARTNER, "steering": RespondentGroup.STEERING}
SHORT_FORM_GROUPS = (RespondentGroup.COMMUNITY, RespondentGroup.POLICYMAKER, RespondentGroup.FUNDER)


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")


class Likert(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, _("Strongly disagree")
    DISAGREE = 2, _("Disagree")
    NEUTRAL = 3, _("Neither agree nor disagree")
    AGREE = 4, _("Agree")
    STRONGLY_AGREE = 5, _("Strongly agree")


# The form's value for "don't know"; stored as NULL (no opinion, not a low score).
DONT_KNOW = "dk"


class Confidence(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    NONE = "none", _("Insufficient evidence")


CONFIDENCE_RANK: dict[str, int] = {
    Confidence.NONE: 0,
    Confidence.LOW: 1,
    Confidence.MEDIUM: 2,
    Confidence.HIGH: 3,
}


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    MANUAL = "manual", _("On demand")
    WAVE_CLOSED = "wave_closed", _("A survey wave closed")
    NIGHTLY = "nightly", _("Nightly")


class FunderType(models.TextChoices):
    """Where money comes from: indicator 27 counts public and private sources."""

    PUBLIC = "public", _("Public (government)")
    PHILANTHROPY = "philanthropy", _("Philanthropy (foundations, federations)")
    BUSINESS = "business", _("Business")
    INDIVIDUAL = "individual", _("Individual donors")


class FundingKind(models.TextChoices):
    NEW = "new", _("New money for the initiative's goals")
    REDIRECTED = "redirected", _("Existing funds redirected to the initiative's goals")


class FundingRecipient(models.TextChoices):
    BACKBONE = "backbone", _("The backbone (its own budget)")
    INITIATIVE = "initiative", _("The initiative (a shared fund)")
    PARTNER = "partner", _("A partner organisation")


class PolicyKind(models.TextChoices):
    BRIEFING = "briefing", _("Briefing or meeting with policymakers or influencers")
    ADVOCACY = "advocacy", _("Advocacy event or campaign by the initiative")
    CHAMPION = "champion", _("A policymaker or influencer advocated for the initiative's goals")
    POLICY_CHANGE = "policy_change", _("A change in public policy")


class Alignment(models.TextChoices):
    ALIGNED = "aligned", _("Aligned with the initiative's goals")
    PARTLY = "partly", _("Partly aligned")
    NOT_ALIGNED = "not_aligned", _("Not aligned")


class PolicyLevel(models.TextChoices):
    LOCAL = "local", _("Local")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


class CommunityEventKind(models.TextChoices):
    INFORMATION = "information", _("Information session or outreach")
    PUBLIC_MEETING = "public_meeting", _("Public meeting or dialogue")
    CAMPAIGN = "campaign", _("Campaign or media")
    ACTION = "action", _("Community action (volunteering, events run by residents)")


class FundingPurpose(models.TextChoices):
    """What the money pays for: the backbone's share of the funding is measured against the source's
    "about one percent" (line 275)."""

    BACKBONE = "backbone", _("The backbone's own work")
    MEASUREMENT = "measurement", _("Shared measurement (data system, evaluation)")
    STRATEGY = "strategy", _("A key strategy's activities")
    GENERAL = "general", _("The initiative's work in general")


class FunderJoined(models.TextChoices):
    """Lines 382–388: a funder may be among the influential leaders who founded the initiative, or
    join it at a later stage."""

    FOUNDING = "founding", _("Among those who founded the initiative")
    LATER = "later", _("Joined at a later stage")


class BackboneKind(models.TextChoices):
    """Line 270: foundations, nonprofits, government agencies and others act as the backbone; in
    some initiatives several organisations share the responsibility."""

    FOUNDATION = "foundation", _("A foundation")
    NONPROFIT = "nonprofit", _("A nonprofit")
    GOVERNMENT = "government", _("A government agency")
    SHARED = "shared", _("Several organisations sharing the responsibility")
    OTHER = "other", _("Another kind of organisation")
