"""Reads of the backbone component. Pages and the API read through these; the query count of each
does not grow with the number of periods, indicators, waves or responses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise

from initiatives.models import Initiative

from . import records, scoring
from .choices import FunderType, FundingPurpose, FundingRecipient, PolicyKind, RespondentGroup, RunStatus
from .models import (
    AssessmentPeriod,
    BackboneFunction,
    BackboneProfile,
    CommunityEvent,
    FunctionScore,
    Funder,
    FundingEntry,
    Indicator,
    IndicatorLabel,
    IndicatorScore,
    PolicyEntry,
    ScoreRun,
    SurveyItem,
    SurveyWave,
)
from .periods import half_year_of

# --- The catalogue ----------------------------------------------------------------------------------


def functions() -> list[BackboneFunction]:
    return list(BackboneFunction.objects.order_by("order"))


def _indicators(initiative: Initiative) -> QuerySet[Indicator]:
    return Indicator.objects.filter(Q(initiative=None) | Q(initiative=initiative))


def indicators_for(initiative: Initiative) -> list[Indicator]:
    """The standard 27 and the initiative's own, in the initiative's wording."""
    indicators = list(_indicators(initiative).select_related("function").order_by("number"))
    labels = {label.indicator_id: label for label in IndicatorLabel.objects.filter(initiative=initiative)}
    for indicator in indicators:
        indicator._label = labels.get(indicator.pk)
    return indicators


def indicator_by_number(initiative: Initiative, number: int) -> Indicator:
    indicator = get_object_or_404(_indicators(initiative).select_related("function"), number=number)
    indicator._label = IndicatorLabel.objects.filter(initiative=initiative, indicator=indicator).first()
    return indicator


def item_bank(initiative: Initiative, *, active_only: bool = True) -> list[SurveyItem]:
    items = SurveyItem.objects.filter(Q(initiative=None) | Q(initiative=initiative)).select_related(
        "indicator"
    )
    if active_only:
        items = items.filter(active=True)
    return list(items.order_by("group", "indicator__number", "order", "id"))


def item_bank_by_group(initiative: Initiative) -> list[tuple[str, str | Promise, list[SurveyItem]]]:
    grouped: dict[str, list[SurveyItem]] = defaultdict(list)
    for item in item_bank(initiative):
        grouped[item.group].append(item)
    return [(value, label, grouped[value]) for value, label in RespondentGroup.choices if grouped[value]]


# --- Survey waves -------------------------------------------------------------------------------------


def waves_of(initiative: Initiative) -> QuerySet[SurveyWave]:
    items = (
        SurveyWave.items.through.objects.filter(surveywave_id=OuterRef("pk"))
        .values("surveywave_id")
        .annotate(n=Count("pk"))
        .values("n")  # type: ignore[misc]  # django-stubs does not see an annotation on a through model
    )
    return (
        initiative.survey_waves.select_related("period", "initiative")
        .annotate(
            invited=Count("respondents", distinct=True),
            responded=Count("respondents", filter=Q(respondents__responded_at__isnull=False), distinct=True),
            item_count=Coalesce(Subquery(items), 0),
        )
        .order_by("-period__start", "-id")
    )


def wave_of(initiative: Initiative, pk: int) -> SurveyWave:
    return get_object_or_404(waves_of(initiative), pk=pk)


def rate(responded: int, invited: int) -> float | None:
    return round(100 * responded / invited, 1) if invited else None


@dataclass
class GroupRate:
    group: str
    label: str
    invited: int
    responded: int
    items: int

    @property
    def rate(self) -> float | None:
        return rate(self.responded, self.invited)


def wave_groups(wave: SurveyWave) -> list[GroupRate]:
    """Response rates per respondent group: counts only, never who answered what."""
    return wave_groups_of([wave.pk]).get(wave.pk, [])


def wave_groups_of(wave_ids: list[int]) -> dict[int, list[GroupRate]]:
    """wave_groups for many waves in two queries."""
    from .models import Respondent

    counts = {
        (wave, group): (invited, responded)
        for wave, group, invited, responded in Respondent.objects.filter(wave_id__in=wave_ids)
        .values_list("wave_id", "group")
        .annotate(invited=Count("pk"), responded=Count("pk", filter=Q(responded_at__isnull=False)))
        .order_by()
    }
    items = {
        (wave, group): n
        for wave, group, n in SurveyWave.items.through.objects.filter(surveywave_id__in=wave_ids)
        .values_list("surveywave_id", "surveyitem__group")
        .annotate(n=Count("pk"))
        .order_by()
    }
    result: dict[int, list[GroupRate]] = {}
    for wave in wave_ids:
        result[wave] = [
            GroupRate(value, str(label), *counts.get((wave, value), (0, 0)), items.get((wave, value), 0))
            for value, label in RespondentGroup.choices
            if (wave, value) in counts or (wave, value) in items
        ]
    return result


def respondents_of(wave: SurveyWave):
    return wave.respondents.select_related("organization").order_by("group", "email")


def wave_items(wave: SurveyWave) -> list[SurveyItem]:
    return list(wave.items.select_related("indicator").order_by("group", "indicator__number", "order"))


# --- Scores ------------------------------------------------------------------------------------------


def latest_run(initiative: Initiative) -> ScoreRun | None:
    return (
        initiative.backbone_score_runs.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()
    )


def pending_run(initiative: Initiative) -> ScoreRun | None:
    return (
        initiative.backbone_score_runs.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING))
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class IndicatorRow:
    indicator: Indicator
    score: IndicatorScore | None
    previous: IndicatorScore | None

    @property
    def delta(self) -> Decimal | None:
        return _delta(self.score, self.previous)


@dataclass
class FunctionRow:
    function: BackboneFunction
    scores: list[FunctionScore | None]  # one per period, oldest first
    score: FunctionScore | None
    previous: FunctionScore | None
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def delta(self) -> Decimal | None:
        return _delta(self.score, self.previous)


@dataclass
class Change:
    indicator: Indicator
    kind: str  # rose, fell, gained (now scored), lost (evidence no longer sufficient)
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass
class Scorecard:
    periods: list[AssessmentPeriod]
    period: AssessmentPeriod | None
    previous: AssessmentPeriod | None
    functions: list[FunctionRow]
    changes: list[Change]


def _delta(current, previous) -> Decimal | None:
    if current is None or previous is None or current.score is None or previous.score is None:
        return None
    return current.score - previous.score


def scorecard(initiative: Initiative, *, period_code: str | None = None, with_indicators: bool) -> Scorecard:
    """The six functions across periods; with_indicators adds each indicator of the chosen period
    and what changed since the one before (for those who may see the drill-down)."""
    function_scores = list(
        FunctionScore.objects.filter(initiative=initiative).select_related("period", "function")
    )
    periods = sorted({s.period for s in function_scores}, key=lambda p: p.start)
    period = next((p for p in periods if p.code == period_code), periods[-1] if periods else None)
    previous = periods[periods.index(period) - 1] if period and periods.index(period) > 0 else None
    by_cell = {(s.function_id, s.period_id): s for s in function_scores}
    rows = []
    for function in functions():
        rows.append(
            FunctionRow(
                function=function,
                scores=[by_cell.get((function.pk, p.pk)) for p in periods],
                score=by_cell.get((function.pk, period.pk)) if period else None,
                previous=by_cell.get((function.pk, previous.pk)) if previous else None,
            )
        )
    changes: list[Change] = []
    if with_indicators and period:
        wanted = [period.pk] + ([previous.pk] if previous else [])
        scores = {
            (s.indicator_id, s.period_id): s
            for s in IndicatorScore.objects.filter(initiative=initiative, period_id__in=wanted).defer(
                "evidence"
            )
        }
        by_function = {row.function.pk: row for row in rows}
        for indicator in indicators_for(initiative):
            now = scores.get((indicator.pk, period.pk))
            before = scores.get((indicator.pk, previous.pk)) if previous else None
            by_function[indicator.function_id].indicators.append(IndicatorRow(indicator, now, before))
            change = _change(indicator, before, now)
            if change:
                changes.append(change)
        changes.sort(key=lambda c: (-(abs(c.delta) if c.delta is not None else 1000), c.indicator.number))
    return Scorecard(periods=periods, period=period, previous=previous, functions=rows, changes=changes)


def _change(indicator: Indicator, before: IndicatorScore | None, now: IndicatorScore | None) -> Change | None:
    if before is None or now is None:
        return None
    if before.score is None and now.score is not None:
        return Change(indicator, "gained", None, now.score)
    if before.score is not None and now.score is None:
        return Change(indicator, "lost", before.score, None)
    if before.score is None or now.score is None:
        return None
    delta = now.score - before.score
    if abs(delta) < Decimal(str(scoring.NOTABLE_CHANGE)):
        return None
    return Change(indicator, "rose" if delta > 0 else "fell", before.score, now.score)


@dataclass
class RecordLine:
    key: str
    label: str
    component: str
    kind: str
    value: float | None
    n: int
    used: bool
    detail: dict


@dataclass
class IndicatorDetail:
    indicator: Indicator
    history: list[IndicatorScore]
    score: IndicatorScore | None
    previous: IndicatorScore | None
    survey: dict
    records: list[RecordLine]
    distribution_shown: bool


def indicator_detail(
    initiative: Initiative, indicator: Indicator, *, period_code: str | None = None
) -> IndicatorDetail:
    history = list(
        IndicatorScore.objects.filter(initiative=initiative, indicator=indicator)
        .select_related("period")
        .order_by("period__start")
    )
    score = next((s for s in history if s.period.code == period_code), history[-1] if history else None)
    previous = history[history.index(score) - 1] if score and history.index(score) > 0 else None
    evidence = score.evidence if score else {}
    survey = evidence.get("survey", {})
    lines = []
    for signal in evidence.get("records", []):
        info = records.SIGNALS.get(signal["key"])
        detail = {k: v for k, v in signal.items() if k not in ("key", "value", "n", "used")}
        lines.append(
            RecordLine(
                key=signal["key"],
                label=str(info.label) if info else signal["key"],
                component=info.component if info else "",
                kind=info.kind if info else "",
                value=signal.get("value"),
                n=signal.get("n", 0),
                used=signal.get("used", False),
                detail=detail,
            )
        )
    return IndicatorDetail(
        indicator=indicator,
        history=history,
        score=score,
        previous=previous,
        survey=survey,
        records=lines,
        # A distribution over fewer people than the threshold could point at one person's answers.
        distribution_shown=survey.get("responses", 0) >= scoring.MIN_RESPONSES,
    )


def function_scores_api(initiative: Initiative, period_code: str | None = None) -> QuerySet[FunctionScore]:
    queryset = FunctionScore.objects.filter(initiative=initiative).select_related("period", "function")
    if period_code:
        queryset = queryset.filter(period__code=period_code)
    return queryset.order_by("period__start", "function__order")


def indicator_scores_api(initiative: Initiative, period_code: str | None = None) -> QuerySet[IndicatorScore]:
    queryset = IndicatorScore.objects.filter(initiative=initiative).select_related(
        "period", "indicator__function"
    )
    if period_code:
        queryset = queryset.filter(period__code=period_code)
    return queryset.order_by("period__start", "indicator__number")


# --- Funding, policy, community ---------------------------------------------------------------------


def funding_entries(initiative: Initiative) -> QuerySet[FundingEntry]:
    return initiative.funding_entries.select_related(
        "funder", "recipient_organization", "initiative"
    ).order_by("-committed_on", "-id")


def funding_ledger(initiative: Initiative) -> list[FundingEntry]:
    """The ledger's entries for the page, each with its key strategy's current title (two queries)."""
    from agenda.selectors import current_strategy_titles

    entries = list(funding_entries(initiative))
    titles = current_strategy_titles(initiative) if any(e.strategy_id for e in entries) else {}
    for entry in entries:
        entry.strategy_title = titles.get(entry.strategy_id, "") if entry.strategy_id else ""
    return entries


def strategy_choices(initiative: Initiative) -> list[tuple[int, str]]:
    """The key strategies a funding entry may fund, by their current titles (one query)."""
    from agenda.selectors import current_strategy_titles

    return list(current_strategy_titles(initiative).items())


# The source's benchmark: backbone funding is usually about one percent of the initiative's total
# funding, which makes the other 99 percent dramatically more effective (lines 275 and 280).
BACKBONE_BENCHMARK_PERCENT = 1.0


@dataclass
class FundingSummary:
    years: list[int]
    by_type: dict[str, list[float]]  # funder type -> amount per year
    backbone: list[float]
    total: list[float]
    share: list[float | None]  # backbone's share of the year's total, in %
    grand_total: float
    backbone_total: float
    redirected_total: float
    new_total: float
    funders: int
    by_purpose: dict[str, float] = field(default_factory=dict)  # what the money funds -> total
    benchmark: float = BACKBONE_BENCHMARK_PERCENT

    @property
    def backbone_share(self) -> float | None:
        return round(100 * self.backbone_total / self.grand_total, 2) if self.grand_total else None


def funding_summary(initiative: Initiative) -> FundingSummary:
    """Totals by year, source and purpose. The backbone's funding is the money for its own work,
    whoever receives it."""
    cells: dict[tuple[int, str, str, str], float] = {}
    for year, funder_type, purpose, kind, total in (
        FundingEntry.objects.filter(initiative=initiative)
        .values_list("year", "funder__funder_type", "purpose", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        cells[(year, funder_type, purpose, kind)] = float(total)
    years = sorted({key[0] for key in cells})
    by_type = {
        value: [sum(v for k, v in cells.items() if k[0] == year and k[1] == value) for year in years]
        for value, _label in FunderType.choices
    }
    by_type = {k: v for k, v in by_type.items() if any(v)}
    backbone = [
        sum(v for k, v in cells.items() if k[0] == y and k[2] == FundingPurpose.BACKBONE) for y in years
    ]
    total = [sum(v for k, v in cells.items() if k[0] == y) for y in years]
    by_purpose = {
        value: sum(v for k, v in cells.items() if k[2] == value) for value, _label in FundingPurpose.choices
    }
    return FundingSummary(
        years=years,
        by_type=by_type,
        backbone=backbone,
        total=total,
        share=[round(100 * b / t, 2) if t else None for b, t in zip(backbone, total, strict=True)],
        grand_total=sum(total),
        backbone_total=sum(backbone),
        redirected_total=sum(v for k, v in cells.items() if k[3] == "redirected"),
        new_total=sum(v for k, v in cells.items() if k[3] == "new"),
        funders=initiative.funders.count(),
        by_purpose={k: v for k, v in by_purpose.items() if v},
    )


@dataclass
class FunderRow:
    funder: Funder
    amounts: list[float]  # per year of FunderTable.years
    total: float
    purposes: list[str]  # what its money funds, as labels
    first_year: int | None
    last_year: int | None


@dataclass
class FunderTable:
    """Who funds what for how long: funders as rows, the years as columns."""

    years: list[int]
    rows: list[FunderRow]


def funder_table(initiative: Initiative) -> FunderTable:
    """Two queries whatever the number of funders and entries."""
    funders = list(initiative.funders.order_by("-is_anchor", "name"))
    sums: dict[tuple[int, int], float] = defaultdict(float)
    purposes: dict[int, set[str]] = defaultdict(set)
    for funder_id, year, purpose, total in (
        FundingEntry.objects.filter(initiative=initiative)
        .values_list("funder_id", "year", "purpose")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        sums[(funder_id, year)] += float(total)
        purposes[funder_id].add(purpose)
    years = sorted({year for _f, year in sums})
    labels = dict(FundingPurpose.choices)
    rows = []
    for funder in funders:
        amounts = [sums.get((funder.pk, y), 0.0) for y in years]
        funded = [y for y, a in zip(years, amounts, strict=True) if a]
        rows.append(
            FunderRow(
                funder=funder,
                amounts=amounts,
                total=sum(amounts),
                purposes=[str(labels[p]) for p in FundingPurpose.values if p in purposes[funder.pk]],
                first_year=funded[0] if funded else None,
                last_year=funded[-1] if funded else None,
            )
        )
    return FunderTable(years=years, rows=rows)


@dataclass
class Runway:
    """The funding committed from a year on, for the overview's guidance (initiatives.guidance)."""

    by_year: dict[int, float]
    years_covered: int  # consecutive years with money committed, from `from_year` on
    anchor: str
    url: str


def funding_runway(initiative: Initiative, from_year: int) -> Runway:
    from django.urls import reverse

    by_year = {
        year: float(total)
        for year, total in FundingEntry.objects.filter(initiative=initiative, year__gte=from_year)
        .values_list("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
    }
    covered = 0
    while by_year.get(from_year + covered):
        covered += 1
    anchor = initiative.funders.filter(is_anchor=True).values_list("name", flat=True).first() or ""
    return Runway(
        by_year=by_year,
        years_covered=covered,
        anchor=anchor,
        url=reverse("backbone:funding", kwargs={"slug": initiative.slug}),
    )


def backbone_profile_of(initiative: Initiative) -> BackboneProfile | None:
    return (
        BackboneProfile.objects.filter(initiative=initiative)
        .select_related("updated_by")
        .prefetch_related("organizations")
        .first()
    )


def backbone_partner_funding(initiative: Initiative, profile: BackboneProfile | None) -> float:
    """Money the backbone's own organisations receive as partners: an interest to declare (line 270)."""
    if profile is None:
        return 0.0
    total = FundingEntry.objects.filter(
        initiative=initiative,
        recipient=FundingRecipient.PARTNER,
        recipient_organization__in=[o.pk for o in profile.organizations.all()],
    ).aggregate(total=Sum("amount"))["total"]
    return float(total or 0)


def policy_entries(initiative: Initiative) -> QuerySet[PolicyEntry]:
    return initiative.policy_entries.select_related("initiative").order_by("-occurred_on", "-id")


def policy_by_half_year(initiative: Initiative) -> tuple[list[str], dict[str, list[int]]]:
    """Entries per half-year and kind, for the policy chart."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for occurred_on, kind in initiative.policy_entries.values_list("occurred_on", "kind"):
        counts[(half_year_of(occurred_on).code, kind)] += 1
    codes = sorted({code for code, _kind in counts})
    return codes, {kind: [counts[(code, kind)] for code in codes] for kind in PolicyKind.values}


def community_events(initiative: Initiative) -> QuerySet[CommunityEvent]:
    return initiative.community_events.select_related("initiative").order_by("-held_on", "-id")


def community_by_half_year(initiative: Initiative) -> tuple[list[str], dict[str, list[int]]]:
    sums: dict[str, dict[str, int]] = defaultdict(lambda: {"reached": 0, "supporters": 0, "took_action": 0})
    for held_on, reached, supporters, acted in initiative.community_events.values_list(
        "held_on", "reached", "supporters", "took_action"
    ):
        row = sums[half_year_of(held_on).code]
        row["reached"] += reached
        row["supporters"] += supporters
        row["took_action"] += acted
    codes = sorted(sums)
    return codes, {name: [sums[c][name] for c in codes] for name in ("reached", "supporters", "took_action")}


def milestone_evidence(initiative: Initiative) -> list[tuple[int, str, str, str]]:
    """What the backbone component offers the lifecycle milestones: (phase, area, text, url)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from ci_platform.i18n_format import isolate
    from initiatives.choices import Area, Phase

    evidence: list[tuple[int, str, str, str]] = []
    budget = initiative.funding_entries.filter(recipient=FundingRecipient.BACKBONE).exists()
    if budget:
        evidence.append(
            (
                Phase.ORGANIZE_FOR_IMPACT,
                Area.GOVERNANCE,
                _("The backbone's budget is recorded in the funding ledger"),
                reverse("backbone:funding", kwargs={"slug": initiative.slug}),
            )
        )
    closed = initiative.survey_waves.filter(status="closed").order_by("-closed_at").first()
    if closed:
        evidence.append(
            (
                Phase.IMPLEMENT_AND_SUSTAIN,
                Area.GOVERNANCE,
                _("Backbone effectiveness assessed by the partners (%(wave)s)")
                % {"wave": isolate(closed.title)},
                reverse("backbone:home", kwargs={"slug": initiative.slug}),
            )
        )
    return evidence
