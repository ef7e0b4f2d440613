"""Building waves, respondents and answers for the tests, through the services (as a respondent's
browser would), so that every response in a test went through the same checks."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backbone import services
from backbone.models import IndicatorScore, Respondent, SurveyItem, SurveyWave

PERIOD = "2025-H1"  # a past half-year: records dated in it count, nothing of "today" leaks in


def bank(*codes: str) -> list[SurveyItem]:
    items = SurveyItem.objects.filter(initiative=None)
    if codes:
        items = items.filter(code__in=codes)
    return list(items)


def make_wave(world, *codes: str, period: str = PERIOD, title: str = "Wave", days: int = 14) -> SurveyWave:
    return services.wave_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        title=title,
        period_code=period,
        closes_on=timezone.localdate() + timedelta(days=days),
        items=bank(*codes),
    )


def invite(world, wave: SurveyWave, group: str, count: int, *, prefix: str = "") -> list[Respondent]:
    prefix = prefix or f"{group}-{wave.pk}-"
    services.respondents_add(
        wave=wave,
        by=world.people["backbone"],
        external=[(f"{prefix}{n}@example.org", f"Person {n}") for n in range(count)],
        group=group,
    )
    return list(wave.respondents.filter(group=group, email__startswith=prefix).order_by("pk"))


def open_wave(world, wave: SurveyWave) -> None:
    services.wave_send(wave=wave, by=world.people["backbone"], notify=False)


def answer(respondent: Respondent, value=None, **by_code):
    """Answer every statement of the respondent's form: `value` for all, or per item code
    (`partner_10=4`, with - written _); None means "don't know"."""
    answers = {}
    for item in services.items_for_respondent(respondent):
        key = item.code.replace("-", "_")
        answers[item.pk] = by_code.get(key, value)
    return services.response_submit(
        slug=respondent.wave.initiative.slug, token=services.respondent_token(respondent), answers=answers
    )


def token(respondent: Respondent) -> str:
    return services.respondent_token(respondent)


def link_path(respondent: Respondent) -> str:
    return f"/initiatives/{respondent.wave.initiative.slug}/backbone/respond/{token(respondent)}/"


def recompute(world):
    return services.scores_recompute(initiative=world.initiative)


def score(world, number: int, period: str = PERIOD) -> IndicatorScore:
    return IndicatorScore.objects.get(
        initiative=world.initiative, period__code=period, indicator__number=number, indicator__initiative=None
    )
