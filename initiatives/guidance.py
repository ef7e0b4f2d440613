"""Where an initiative stands against the source's guidance on time and readiness (reads only).

Three pieces of advice, each with the source's reasoning and lines:

* time: phases I to III take six months to two years, phase IV a decade or more (line 314);
* preconditions: an influential champion, adequate funding, a sense of urgency (lines 137–141),
  checked while in pre-launch and remembered when it was left without them;
* funding runway: the ledger's commitments from this year on against the two to three years of
  funding the source asks for (line 140), read from the backbone component through its AppConfig
  (`funding_runway`), as milestones read the components' evidence.

Messages are built when read, in the reader's language; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ci_platform.i18n_format import mixed

from .choices import Phase
from .models import Initiative, ReadinessAssessment

OK, INFO, WARNING = "ok", "info", "warning"
# Line 314: "the first three phases can last between six months and two years".
PHASES_I_TO_III_DAYS = 730
# Line 140: "enough to carry the initiative for two or three years at least".
RUNWAY_MINIMUM_YEARS, RUNWAY_FULL_YEARS = 2, 3

PRECONDITION_LABELS = {
    "champion": gettext_lazy("an influential champion"),
    "funding": gettext_lazy("adequate financial resources"),
    "urgency": gettext_lazy("a sense of urgency for change"),
}


@dataclass
class Advice:
    code: str
    level: str
    title: str
    message: str
    reasoning: str
    lines: str
    url: str = ""
    data: dict = field(default_factory=dict)


def _months(days: int) -> int:
    return int(days // 30.44)


def _preconditions_text(names: list[str]) -> str:
    return ", ".join(str(PRECONDITION_LABELS[n]) for n in names)


def phase_time(initiative: Initiative, today: date) -> Advice:
    reasoning = _(
        "Because connecting the partners is complex, the first three phases can last between six months "
        "and two years, depending on the scope of the social problem, the degree of cooperation and of "
        "community involvement. Once the initiative is established, the fourth phase can last a decade or "
        "more. Since this is a long social process that cannot be shortened, it is especially important "
        "all along to publish successes and report on progress."
    )
    title = _("Time in phases I to III")
    started = timezone.localdate(initiative.created_at)
    if initiative.phase == Phase.IMPLEMENT_AND_SUSTAIN:
        entered = (
            initiative.phase_transitions.filter(to_phase=Phase.IMPLEMENT_AND_SUSTAIN)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        days = ((timezone.localdate(entered) if entered else today) - started).days
        months = _months(days)
        return Advice(
            "phase_time",
            INFO,
            title,
            ngettext(
                "Phases I to III took %(months)s month; phase IV can last a decade or more.",
                "Phases I to III took %(months)s months; phase IV can last a decade or more.",
                months,
            )
            % {"months": months},
            reasoning,
            "314",
            data={"days": days, "months": months, "limit_days": PHASES_I_TO_III_DAYS},
        )
    days = (today - started).days
    months = _months(days)
    if days > PHASES_I_TO_III_DAYS:
        message = ngettext(
            "The initiative has been in phases I to III for %(months)s month, more than the two years the "
            "source gives them. Look at what holds it back, and keep publishing successes and progress.",
            "The initiative has been in phases I to III for %(months)s months, more than the two years the "
            "source gives them. Look at what holds it back, and keep publishing successes and progress.",
            months,
        ) % {"months": months}
        level = WARNING
    else:
        message = ngettext(
            "The initiative has been in phases I to III for %(months)s month, within the six months to two "
            "years the source gives them.",
            "The initiative has been in phases I to III for %(months)s months, within the six months to two "
            "years the source gives them.",
            months,
        ) % {"months": months}
        level = OK
    return Advice(
        "phase_time",
        level,
        title,
        message,
        reasoning,
        "314",
        data={"days": days, "months": months, "limit_days": PHASES_I_TO_III_DAYS},
    )


def preconditions(initiative: Initiative, latest: ReadinessAssessment | None) -> Advice:
    reasoning = _(
        "FSG's experience shows three preconditions whose presence is necessary for setting up an "
        "initiative: an influential champion, adequate financial resources and a sense of urgency for "
        "change. They create the opportunity and the motivation to bring people and organisations together."
    )
    title = _("The three preconditions")
    url = reverse("initiatives:readiness", kwargs={"slug": initiative.slug})
    unmet = list(ReadinessAssessment.PRECONDITIONS) if latest is None else latest.unmet
    data: dict = {"assessed": latest is not None, "unmet": unmet}
    if initiative.phase == Phase.PRE_LAUNCH:
        if latest is None:
            message = _(
                "The preconditions have not been assessed. Leaving pre-launch without them asks for a reason."
            )
        elif unmet:
            message = _("Not met yet: %(unmet)s. Leaving pre-launch without them asks for a reason.") % {
                "unmet": _preconditions_text(unmet)
            }
        else:
            message = _("All three are met: the initiative is ready to leave pre-launch.")
        return Advice(
            "preconditions", WARNING if unmet else OK, title, message, reasoning, "137–141", url, data
        )
    left = (
        initiative.phase_transitions.filter(from_phase=Phase.PRE_LAUNCH, to_phase=Phase.INITIATE_ACTION)
        .order_by("-at", "-id")
        .first()
    )
    parts = []
    if left is not None and left.unmet_preconditions:
        data["left_without"] = left.unmet_preconditions
        data["left_on"] = left.at.date().isoformat()
        data["reason"] = left.reason  # the person's own words: shown apart, in their direction
        parts.append(
            _("The initiative left pre-launch without %(unmet)s.")
            % {"unmet": _preconditions_text(left.unmet_preconditions)}
        )
    if unmet:
        parts.append(_("Still not met: %(unmet)s.") % {"unmet": _preconditions_text(unmet)})
    else:
        parts.append(_("All three are met by the latest assessment."))
    return Advice(
        "preconditions", WARNING if unmet else OK, title, " ".join(parts), reasoning, "137–141", url, data
    )


def funding_runway(initiative: Initiative, today: date) -> Advice | None:
    try:
        config = apps.get_app_config("backbone")
    except LookupError:
        return None
    offer = getattr(config, "funding_runway", None)
    if offer is None:
        return None
    runway = offer(initiative, today.year)
    reasoning = _(
        "Adequate financial resources: enough to carry the initiative for two or three years at least. It is "
        "recommended to raise most of the funding from one central body involved from the start, and then "
        "add further sources to support building the initiative's infrastructure."
    )
    title = _("Funding runway")
    years = runway.years_covered
    if years == 0:
        message = _("No funding is committed for %(year)s or later in the funding ledger.") % {
            "year": today.year
        }
    else:
        message = ngettext(
            "Funding is committed for %(years)s year from %(year)s (to %(last)s).",
            "Funding is committed for %(years)s consecutive years from %(year)s (to %(last)s).",
            years,
        ) % {"years": years, "year": today.year, "last": today.year + years - 1}
    if years < RUNWAY_MINIMUM_YEARS:
        level = WARNING
        message += " " + _("The source asks for two to three years at least.")
    elif years < RUNWAY_FULL_YEARS:
        level = INFO
        message += " " + _("That meets the minimum of two years; the source speaks of two to three.")
    else:
        level = OK
    if runway.anchor:
        # The funder's name, in whatever script it was written, isolated inside the sentence.
        message += " " + mixed(_("Anchor funder: %(name)s."), name=runway.anchor)
    else:
        message += " " + _("No anchor funder is named.")
    return Advice(
        "funding_runway",
        level,
        title,
        message,
        reasoning,
        "140",
        runway.url,
        data={
            "years_covered": years,
            "by_year": {str(y): a for y, a in runway.by_year.items()},
            "anchor": runway.anchor,
            "minimum_years": RUNWAY_MINIMUM_YEARS,
        },
    )


def guidance_for(
    initiative: Initiative, *, latest_readiness: ReadinessAssessment | None = None, today: date | None = None
) -> list[Advice]:
    """The advice the overview shows, in order: time, preconditions, funding."""
    today = today or timezone.localdate()
    if latest_readiness is None:
        latest_readiness = initiative.readiness_assessments.first()
    advice = [phase_time(initiative, today), preconditions(initiative, latest_readiness)]
    runway = funding_runway(initiative, today)
    if runway is not None:
        advice.append(runway)
    return advice
