"""Vocabulary of the initiative domain (DOMAIN.md sections 1, 2, 3, 5 and 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.IntegerChoices):
    """Paul Born's four lifecycle phases (DOMAIN.md section 5)."""

    PRE_LAUNCH = 1, _("Pre-Launch")
    INITIATE_ACTION = 2, _("Initiate Action")
    ORGANIZE_FOR_IMPACT = 3, _("Organize for Impact")
    IMPLEMENT_AND_SUSTAIN = 4, _("Implementing and Sustaining Impact")


class Area(models.TextChoices):
    """The four areas in which each phase has a success milestone."""

    GOVERNANCE = "governance", _("Governance and infrastructure")
    STRATEGY = "strategy", _("Strategic planning")
    COMMUNITY = "community", _("Community involvement")
    EVALUATION = "evaluation", _("Evaluation and improvement")


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


# The 16 milestones of DOMAIN.md section 5, keyed by (phase, area).
MILESTONE_TITLES = {
    (Phase.PRE_LAUNCH, Area.GOVERNANCE): _(
        "Core team of local cross-sector stakeholders determines feasibility for collective impact"
    ),
    (Phase.PRE_LAUNCH, Area.STRATEGY): _(
        "Hold dialogues about the issue, community context and available resources"
    ),
    (Phase.PRE_LAUNCH, Area.COMMUNITY): _(
        "Community stakeholders engaged to give input on appropriateness and readiness"
    ),
    (Phase.PRE_LAUNCH, Area.EVALUATION): _(
        "Determine whether there is consensus and urgency to move forward"
    ),
    (Phase.INITIATE_ACTION, Area.GOVERNANCE): _(
        "Identify champions and form a cross-sector steering committee"
    ),
    (Phase.INITIATE_ACTION, Area.STRATEGY): _(
        "Steering committee members share understanding of the problem and a vision for change "
        "in a preliminary common agenda"
    ),
    (Phase.INITIATE_ACTION, Area.COMMUNITY): _("Engage the community to help frame the common agenda"),
    (Phase.INITIATE_ACTION, Area.EVALUATION): _(
        "Key issues and gaps identified by the steering committee using data and stakeholder input"
    ),
    (Phase.ORGANIZE_FOR_IMPACT, Area.GOVERNANCE): _("Create backbone infrastructure; form work groups"),
    (Phase.ORGANIZE_FOR_IMPACT, Area.STRATEGY): _(
        "Finalise the full common agenda (common goals and strategic priorities) and how it will be pursued"
    ),
    (Phase.ORGANIZE_FOR_IMPACT, Area.COMMUNITY): _(
        "Engage the community and build public will around the common agenda; identify and lead strategies"
    ),
    (Phase.ORGANIZE_FOR_IMPACT, Area.EVALUATION): _(
        "Establish population-level goals and shared measures (indicators, measurement, approach)"
    ),
    (Phase.IMPLEMENT_AND_SUSTAIN, Area.GOVERNANCE): _(
        "Facilitate collaboration across groups; refine structure as needed"
    ),
    (Phase.IMPLEMENT_AND_SUSTAIN, Area.STRATEGY): _(
        "Data is used to learn, improve and refine strategies and metrics"
    ),
    (Phase.IMPLEMENT_AND_SUSTAIN, Area.COMMUNITY): _(
        "Community participates in decision making and implementation; consistent external updates shared"
    ),
    (Phase.IMPLEMENT_AND_SUSTAIN, Area.EVALUATION): _(
        "Data is collected, tracked, reported and used by partners to learn and improve"
    ),
}


class Role(models.TextChoices):
    """What a member may do in one initiative (DOMAIN.md section 1)."""

    BACKBONE = "backbone", _("Backbone staff")
    STEERING = "steering", _("Steering committee member")
    PARTNER = "partner", _("Partner contributor")
    VIEWER = "viewer", _("Viewer")


class Sector(models.TextChoices):
    NONPROFIT = "nonprofit", _("Nonprofit")
    GOVERNMENT = "government", _("Government")
    PHILANTHROPY = "philanthropy", _("Philanthropy")
    BUSINESS = "business", _("Business")
    COMMUNITY = "community", _("Community")
    ACADEMIA = "academia", _("Academia")


class Topic(models.TextChoices):
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    COMMUNITY_DEVELOPMENT = "community_development", _("Community development and poverty")
    YOUTH = "youth", _("Youth")
    ENVIRONMENT = "environment", _("Environment")
    EMPLOYMENT = "employment", _("Employment")
    OTHER = "other", _("Other")


class PreconditionStatus(models.TextChoices):
    MET = "met", _("Met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not_met", _("Not met")


# Table 1 of the review: questions per axis, each answer pointing one way on its axis.
class SolutionKnown(models.TextChoices):
    KNOWN_EASY = "known_easy", _("Yes, a known solution that is simple to apply")
    KNOWN_HARD = "known_hard", _("Yes, but it is costly or hard to implement")
    UNKNOWN = "unknown", _("No known solution")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class WhoCanSolve(models.TextChoices):
    EXPERTS = "experts", _("Experts or a single organisation")
    MANY_ACTORS = "many_actors", _("Only many actors together")


class ProblemCharacter(models.TextChoices):
    WELL_DEFINED = "well_defined", _("Well defined and stable")
    CHANGING = "changing", _("Changes over time and depends on context")


class SolutionNeeds(models.TextChoices):
    EXPERTISE = "expertise", _("Technical expertise and resources")
    LEARNING = "learning", _("Everyone's learning and changes in values and behaviour")


class Complexity(models.TextChoices):
    SIMPLE = "simple", _("Simple")
    COMPLICATED = "complicated", _("Complicated")
    COMPLEX = "complex", _("Complex")


class ProblemNature(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    ADAPTIVE = "adaptive", _("Adaptive")


class TokenScope(models.TextChoices):
    """What an API token may do in its initiative."""

    READ = "read", _("Read only")
    SUBMIT = "submit", _("Read and submit data for one organization")
