"""Reads for the dashboards and the public report card. They read only the active aggregate run,
with a fixed number of queries whatever the amount of data.

Each period's figures are complete or provisional (`completeness.is_complete`, the initiative's
`MeasurementSettings.complete_pct`): the headline, the changes, the on-track verdict and the
forecast rest on complete periods only; provisional ones are shown as such, and the public report
card leaves them out."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative, Organization

from .. import database
from ..aggregation import runs
from ..aggregation.completeness import DEFAULT_COMPLETE_PCT, is_complete
from ..choices import Aggregation, Direction
from ..models import (
    Aggregate,
    AggregateRun,
    Completeness,
    MeasurementSettings,
    ReportCard,
    ReportingPeriod,
    SharedMeasure,
    Submission,
    Target,
    bilingual,
)
from ..periods import next_period, parse_period, timeline
from .charts import CurveData, Series, forecast, to_float

if TYPE_CHECKING:
    from learning.models import CurveWorksheet

TOTAL = _("Total")


@dataclass(frozen=True)
class MeasureRef:
    """What a card needs of its measure, read as a row (not a model instance: the dashboard reads
    50 of them on every request)."""

    pk: int
    code: str
    name_en: str
    name_he: str
    unit: str
    direction: str
    level: str
    denominator_id: int | None
    baseline_value: Decimal | None
    baseline_period: str

    @property
    def name(self) -> str:  # as BilingualName.name
        return self.name_he if (get_language() or "en").startswith("he") and self.name_he else self.name_en


REF_FIELDS = [f.name for f in fields(MeasureRef)]


@dataclass
class MeasureCard:
    measure: MeasureRef
    curve: CurveData
    level: str = ""  # the measure's level and unit, translated (get_FOO_display is slow in bulk)
    latest_period: str | None = None
    latest: float | None = None
    change_previous: float | None = None
    change_baseline: float | None = None
    target_now: float | None = None
    on_track: bool | None = None
    completeness: tuple[int, int] | None = None  # approved / expected in the latest (complete) period
    # The newest provisional period after the latest complete one, and its approved / expected.
    provisional_period: str | None = None
    provisional_counts: tuple[int, int] | None = None

    @property
    def rows(self) -> list[tuple[str, tuple[float | None, float | None]]]:
        """The table behind the chart: every period with a value or a target."""
        values = dict(zip(self.curve.history.periods, self.curve.history.values, strict=True))
        codes = sorted(set(values) | set(self.curve.targets), key=_period_key)
        return [(c, (values.get(c), self.curve.targets.get(c))) for c in codes]

    @property
    def fingerprint(self) -> str:
        """A digest of everything the card shows (its measure, curve, targets, completeness and
        verdict, read from the active run): the key of its cached HTML, with the language.
        Equal cards are equal HTML; any change to what a card shows is a new key."""
        return hashlib.blake2b(repr(self).encode(), digest_size=16).hexdigest()

    @property
    def better(self) -> int:
        return 1 if self.measure.direction == Direction.HIGHER_IS_BETTER else -1


# Period codes repeat across every measure of a dashboard: parse each once (spans are immutable).
_span = lru_cache(maxsize=4096)(parse_period)


def _period_key(code: str):
    span = _span(code)
    return (span.start, span.end) if span else (date.max, date.max)


@dataclass
class StrategyGroup:
    title: str
    cards: list[MeasureCard] = field(default_factory=list)


@dataclass
class _Read:
    """One measure's part of a dashboard read, whichever way it was read."""

    measure: MeasureRef
    strategies: list[int]
    targets: dict[str, float]
    values: dict[str, Decimal | None]  # period code -> total
    completeness: dict[str, tuple[int, int]]  # period code -> (approved, expected)


def settings_changed_at(initiative: Initiative | int):
    """When the initiative's measurement settings last changed (None: never saved)."""
    initiative_id = initiative if isinstance(initiative, int) else initiative.pk
    return (
        MeasurementSettings.objects.filter(initiative_id=initiative_id)
        .values_list("updated_at", flat=True)
        .first()
    )


def complete_pct_of(initiative: Initiative | int) -> int:
    """The initiative's completeness threshold (MeasurementSettings.complete_pct), in one query."""
    initiative_id = initiative if isinstance(initiative, int) else initiative.pk
    found = (
        MeasurementSettings.objects.filter(initiative_id=initiative_id)
        .values_list("complete_pct", flat=True)
        .first()
    )
    return DEFAULT_COMPLETE_PCT if found is None else found


def _read_sql(initiative: Initiative, run, codes, first, last) -> tuple[list[_Read], dict[int, str], int]:
    from . import sql as dashboards_sql

    reads, complete_pct = [], DEFAULT_COMPLETE_PCT
    for row in dashboards_sql.card_rows(
        initiative.pk, run.pk if run else None, codes=codes, first=first, last=last
    ):
        (*ref, strategies, t_codes, t_values, h_codes, h_values, c_codes, approved, expected, pct) = row
        complete_pct = DEFAULT_COMPLETE_PCT if pct is None else pct
        reads.append(
            _Read(
                MeasureRef(*ref),
                strategies or [],
                {c: float(v) for c, v in zip(t_codes or (), t_values or (), strict=True)},
                dict(zip(h_codes or (), h_values or (), strict=True)),
                {c: (a, e) for c, a, e in zip(c_codes or (), approved or (), expected or (), strict=True)},
            )
        )
    from agenda.selectors import current_strategy_titles

    # Agenda data through agenda's selector (one query), never its tables.
    return reads, current_strategy_titles(initiative), complete_pct


def _read_orm(initiative: Initiative, run, codes, first, last) -> tuple[list[_Read], dict[int, str], int]:
    from agenda.selectors import current_strategy_titles

    queryset = initiative.measures.order_by("code")
    if codes is not None:
        queryset = queryset.filter(code__in=codes)
    reads = {row[0]: _Read(MeasureRef(*row), [], {}, {}, {}) for row in queryset.values_list(*REF_FIELDS)}
    ids = list(reads)
    through = SharedMeasure.strategies.through
    for measure_id, strategy_id in (
        through.objects.filter(sharedmeasure_id__in=ids)
        .order_by("strategy_id")
        .values_list("sharedmeasure_id", "strategy_id")
    ):
        reads[measure_id].strategies.append(strategy_id)
    for measure_id, code, value in (
        Target.objects.filter(measure_id__in=ids).order_by().values_list("measure_id", "period_code", "value")
    ):
        reads[measure_id].targets[code] = float(value)
    if run:
        totals = Aggregate.objects.filter(
            run=run, measure_id__in=ids, member1__isnull=True, member2__isnull=True
        )
        if first:
            totals = totals.filter(period__start__gte=first)
        if last:
            totals = totals.filter(period__end__lte=last)
        # No ORDER BY (the model's default one joins measures, periods and members): rows go to dicts.
        for measure_id, code, total in totals.order_by().values_list("measure_id", "period__code", "value"):
            reads[measure_id].values[code] = total
        for measure_id, code, approved, expected in (
            Completeness.objects.filter(run=run, measure_id__in=ids)
            .order_by()
            .values_list("measure_id", "period__code", "approved", "expected")
        ):
            reads[measure_id].completeness[code] = (approved, expected)
    return list(reads.values()), current_strategy_titles(initiative), complete_pct_of(initiative)


def measure_cards(
    initiative: Initiative,
    *,
    codes=None,
    first=None,
    last=None,
    strategy_id=None,
    complete_only: bool = False,
    sql: bool | None = None,
) -> tuple[list[StrategyGroup], AggregateRun | None]:
    """Every measure's curve, latest value, changes and on-track status, grouped by strategy.
    `complete_only` (the public report card) leaves provisional periods out of the curves too.

    A fixed number of queries whatever the size: the active run, then on PostgreSQL one statement
    for the measures with their strategies, targets, totals, completeness and the initiative's
    threshold, and one for the agenda's strategy titles (`dashboards_sql`); elsewhere
    (`sql=False`) seven ORM queries."""
    run = runs.active_run(initiative)
    if sql is None:
        sql = database.does_the_work()
    reads, strategy_titles, complete_pct = (_read_sql if sql else _read_orm)(
        initiative, run, codes, first, last
    )
    if strategy_id:
        reads = [r for r in reads if strategy_id in r.strategies]
    groups: dict[object, StrategyGroup] = {}
    labels = _labels()
    for read in reads:
        card = _card(
            read.measure,
            read.values,
            read.completeness,
            labels,
            read.targets,
            complete_pct=complete_pct,
            complete_only=complete_only,
        )
        keys: list[int | None] = [pk for pk in read.strategies if pk in strategy_titles] or [None]
        for key in keys:
            title = strategy_titles.get(key, "") if key is not None else ""
            group = groups.setdefault(key, StrategyGroup(title))
            group.cards.append(card)
    ordered = [groups[k] for k in strategy_titles if k in groups]
    if None in groups:
        ordered.append(groups[None])
    return ordered, run


def _labels() -> dict[str, dict[str, str]]:
    """The translated labels of levels and units, once per page (not per card)."""
    from ..choices import Level, Unit

    return {
        "level": {value: str(label) for value, label in Level.choices},
        "unit": {value: str(label) for value, label in Unit.choices},
    }


def _card(
    measure: MeasureRef,
    values: dict[str, Decimal | None],
    completeness: dict[str, tuple[int, int]],
    labels: dict,
    targets: dict[str, float],
    *,
    complete_pct: int,
    complete_only: bool = False,
) -> MeasureCard:
    # A measure's periods share its frequency, whose codes (2026-01, 2026-Q1, 2026) sort as
    # their dates do: a plain string sort is the chronological one.
    codes = sorted(values)
    provisional = []
    for c in codes:
        approved, expected = completeness.get(c, (None, None))
        if not is_complete(approved, expected, complete_pct):
            provisional.append(c)
    if complete_only:  # the public report card: provisional periods are not shown at all
        codes, provisional = [c for c in codes if c not in provisional], []
    marked = set(provisional)
    history = Series(codes, [None if (v := values[c]) is None else float(v) for c in codes])
    # What the figures rest on: the complete periods' values, up to the latest complete one.
    known = [
        (i, c, v)
        for i, (c, v) in enumerate(zip(history.periods, history.values, strict=True))
        if v is not None and c not in marked
    ]
    projection = None
    if known:
        end = known[-1][0] + 1
        head = dict(zip(codes[:end], history.values[:end], strict=True))
        # Over every period of the span, those without a figure as gaps: the trend is fitted to
        # time, not to the count of figures.
        span_codes = timeline(codes[:end])
        complete = Series(span_codes, [None if c in marked else head.get(c) for c in span_codes])
        next_codes = []
        if span := parse_period(codes[end - 1]):
            for _ in range(2):
                span = next_period(span)
                next_codes.append(span.code)
        projection = forecast(complete, 2, next_codes)
    curve = CurveData(
        code=measure.code,
        title=measure.name,
        unit=labels["unit"].get(measure.unit, measure.unit),
        history=history,
        targets=targets,
        baseline=to_float(measure.baseline_value),
        baseline_period=measure.baseline_period,
        forecast=projection,
        provisional=provisional,
    )
    card = MeasureCard(measure=measure, curve=curve, level=labels["level"].get(measure.level, measure.level))
    if known:
        _i, card.latest_period, card.latest = known[-1]
        if len(known) > 1:
            card.change_previous = round(card.latest - known[-2][2], 4)
        if card.curve.baseline is not None:
            card.change_baseline = round(card.latest - card.curve.baseline, 4)
        card.completeness = completeness.get(card.latest_period)
        card.target_now, card.on_track = _on_track(card, targets)
    newer = [c for c in provisional if card.latest_period is None or c > card.latest_period]
    if newer:
        card.provisional_period = newer[-1]
        card.provisional_counts = completeness.get(newer[-1])
    return card


def _on_track(card: MeasureCard, targets: dict[str, float]) -> tuple[float | None, bool | None]:
    """On track when the latest value meets the target of its period, or (no such target) when the
    forecast reaches the next target's level by its period at the current pace."""
    if card.latest is None:  # no complete period: no value, and no forecast (it needs two)
        return None, None
    if card.latest_period in targets:
        target = targets[card.latest_period]
        return target, (card.latest - target) * card.better >= 0
    later = sorted(c for c in targets if c > (card.latest_period or ""))
    if not later or card.curve.forecast is None:
        return None, None
    target = targets[later[0]]
    projected = card.curve.forecast.values[-1]
    if projected is None:  # not reached: a forecast's values are all computed
        return None, None
    return target, (projected - target) * card.better >= 0 or (card.latest - target) * card.better >= 0


@dataclass
class MeasureDetail:
    measure: SharedMeasure
    periods: list[str]
    members: list[tuple[str, dict[str, float | None]]]  # breakdown cell label -> period -> value
    by_organization: list[tuple[str, dict[str, float | None]]] | None
    completeness: list[tuple[str, int, int, int, int]]  # period, expected, submitted, approved, on time
    provisional: list[str] = field(default_factory=list)  # periods with figures, not yet complete
    gaps: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # a calculated measure's: period, cell, why
    # A calculated measure with no value per organisation: the names of its inputs that have one
    # designated source for the whole initiative (`by_organization` is then empty).
    totals_only_inputs: list[str] = field(default_factory=list)
    # The page of the organisations reporting the measure that `by_organization` covers (a
    # django.core.paginator.Page of Organization), when organisations are shown.
    organizations: Page | None = field(default=None, compare=False)


# Organisations per page of the measure page's table by organisation: a national network has a
# thousand partners; one page of them is read and drawn, whatever their number.
ORGANIZATIONS_PER_PAGE = 25


def measure_detail(
    initiative: Initiative,
    measure: SharedMeasure,
    *,
    show_organizations: bool,
    first=None,
    last=None,
    organizations_page=None,
    sql: bool | None = None,
) -> MeasureDetail:
    """The measure page's numbers: the active run's rows of the measure's periods by breakdown cell,
    completeness, and which periods with figures are provisional. Two statements on PostgreSQL
    (`dashboards_sql`), five ORM queries elsewhere. With `show_organizations`, one page
    (`organizations_page`, the first when absent or not a number) of the organisations reporting
    the measure, by name, with each one's totals."""
    if sql is None:
        sql = database.does_the_work()
    if sql:
        from . import sql as dashboards_sql

        period_rows, rows = dashboards_sql.measure_page_rows(
            initiative.pk, measure.pk, measure.frequency, first=first, last=last
        )
        periods = [row[0] for row in period_rows]
        completeness = [row[:5] for row in period_rows if row[1] is not None]
        complete_pct = period_rows[0][5] if period_rows else None
    else:
        periods, rows, completeness = _measure_page_orm(initiative, measure, first, last)
        complete_pct = complete_pct_of(initiative)
    with_figures = {row[0] for row in rows}
    provisional = [
        period
        for period, expected, _submitted, approved, _on_time in completeness
        if period in with_figures and not is_complete(approved, expected, complete_pct)
    ]
    hebrew = (get_language() or "en").startswith("he")
    total = str(TOTAL)
    members: dict[str, dict[str, float | None]] = defaultdict(dict)
    for code, m1_en, m1_he, m2_en, m2_he, value in rows:
        m1, m2 = bilingual(m1_en, m1_he, hebrew=hebrew), bilingual(m2_en, m2_he, hebrew=hebrew)
        label = " · ".join(p for p in (m1, m2) if p) or total
        members[label][code] = None if value is None else float(value)
    by_org, totals_only, page = None, [], None
    if show_organizations:
        inputs = _formula_inputs(measure) if measure.is_calculated else []
        totals_only = sorted(
            used.name for used in inputs if not used.is_calculated and used.aggregation == Aggregation.NONE
        )
        by_org = []
        if not totals_only:
            page = Paginator(reporting_organizations(measure, inputs), ORGANIZATIONS_PER_PAGE).get_page(
                organizations_page
            )
            by_org = _organization_totals(measure, periods, page.object_list)
    ordered_members = sorted(members.items(), key=lambda kv: (kv[0] != total, kv[0]))
    gaps = _gaps(initiative, measure, periods) if measure.is_calculated else []
    return MeasureDetail(
        measure, periods, ordered_members, by_org, completeness, provisional, gaps, totals_only, page
    )


def _gaps(initiative: Initiative, measure: SharedMeasure, periods: list[str]) -> list[tuple[str, str, str]]:
    """Where a calculated measure has no value, and why (Aggregate.gap): one query."""
    from ..choices import Gap

    run = runs.active_run(initiative)
    if run is None:
        return []
    hebrew = (get_language() or "en").startswith("he")
    out = []
    for code, m1_en, m1_he, m2_en, m2_he, gap in (
        Aggregate.objects.filter(run=run, measure=measure, period__code__in=periods, value=None)
        .exclude(gap="")
        .order_by("period__start", "member1__order", "member2__order")
        .values_list(
            "period__code",
            "member1__name_en",
            "member1__name_he",
            "member2__name_en",
            "member2__name_he",
            "gap",
        )
    ):
        names = [bilingual(en, he, hebrew=hebrew) or "" for en, he in ((m1_en, m1_he), (m2_en, m2_he)) if en]
        out.append((code, " · ".join(names) or str(TOTAL), str(Gap(gap).label) if gap in Gap.values else gap))
    return out


def _measure_page_orm(initiative: Initiative, measure: SharedMeasure, first, last):
    run = runs.active_run(initiative)
    periods_qs = ReportingPeriod.objects.filter(initiative=initiative, frequency=measure.frequency)
    if first:
        periods_qs = periods_qs.filter(start__gte=first)
    if last:
        periods_qs = periods_qs.filter(end__lte=last)
    periods = list(periods_qs.order_by("start").values_list("code", flat=True))
    if not run:
        return periods, [], []
    rows = (
        Aggregate.objects.filter(run=run, measure=measure, period__code__in=periods)
        .order_by()
        .values_list(
            "period__code",
            "member1__name_en",
            "member1__name_he",
            "member2__name_en",
            "member2__name_he",
            "value",
        )
    )
    completeness = list(
        Completeness.objects.filter(run=run, measure=measure, period__code__in=periods)
        .order_by("period__start")
        .values_list("period__code", "expected", "submitted", "approved", "on_time")
    )
    return periods, list(rows), completeness


def reporting_organizations(measure: SharedMeasure, inputs: list[SharedMeasure] | None = None):
    """The organisations whose data set holds the measure (a calculated measure: any of its
    entered inputs, `_formula_inputs`), by name."""
    measure_ids = [used.pk for used in inputs or [] if not used.is_calculated] or [measure.pk]
    return (
        Organization.objects.filter(
            assignments__initiative_id=measure.initiative_id, assignments__measure_id__in=measure_ids
        )
        .distinct()
        .order_by("name", "pk")
        .only("pk", "name")
    )


def _organization_totals(
    measure: SharedMeasure, periods: list[str], organizations
) -> list[tuple[str, dict[str, float | None]]]:
    """Each of these organisations' approved total per period, by the same rule as the aggregates
    (a percentage's total is a (weighted) mean of its cells, never their sum); a calculated
    measure's, its formula over the organisation's own totals of its inputs. Every organisation
    has its row, empty where it has no approved total."""
    codes = dict(
        ReportingPeriod.objects.filter(code__in=periods, initiative_id=measure.initiative_id).values_list(
            "pk", "code"
        )
    )
    names = {org.pk: org.name for org in organizations}
    totals: dict[str, dict[str, float | None]] = {name: {} for name in names.values()}
    if names:
        for period_id, org_id, value in _organization_values(measure, list(codes), list(names)):
            totals[names[org_id]][codes[period_id]] = to_float(value)
    return list(totals.items())  # in the page's order


def _formula_inputs(measure: SharedMeasure) -> list[SharedMeasure]:
    """A calculated measure's inputs, through the calculated ones. An input aggregated as "one
    designated source" (a population count, a rate from the statistics office), which no other
    organisation reports, makes the formula a figure of the initiative's totals only: it has no
    value per organisation then; every other formula is computed per organisation, over each
    organisation's own totals of its inputs."""
    from ..formulas import FormulaError, parse, references

    found: list[SharedMeasure] = []
    seen, todo = set(), [measure]
    while todo:
        current = todo.pop()
        try:
            codes = references(parse(current.formula))
        except FormulaError:
            continue  # saving refuses it; a script might not: computed as nothing
        for used in SharedMeasure.objects.filter(initiative_id=measure.initiative_id, code__in=codes):
            if used.pk in seen:
                continue
            seen.add(used.pk)
            found.append(used)
            if used.is_calculated:
                todo.append(used)
    return found


def _organization_values(
    measure: SharedMeasure, period_ids: list[int], organization_ids: list[int]
) -> list[tuple[int, int, Decimal | None]]:
    """(period id, organisation id, value) of these organisations' totals (see above)."""
    if measure.is_calculated:
        return _calculated_organization_values(measure, period_ids, organization_ids)
    from ..aggregation.rules import _per_org
    from ..aggregation.sql import organization_totals
    from ..choices import ValueType
    from ..models import DataValue

    dims = len(measure.measure_dimensions.all())
    if database.does_the_work():  # the same rules, in the database (aggregation_sql)
        org_totals = organization_totals(measure, dims, period_ids, organization_ids)
    else:

        def rows(measure_id):
            return list(
                DataValue.objects.filter(
                    measure_id=measure_id,
                    period_id__in=period_ids,
                    organization_id__in=organization_ids,
                    submission__status="approved",
                )
                .order_by()  # the default ordering would join and sort every row; _per_org needs none
                .values_list("period_id", "organization_id", "member1_id", "member2_id", "value")
            )

        weights = rows(measure.denominator_id) if measure.denominator_id else None
        per_org = _per_org(rows(measure.pk), dims, measure.value_type == ValueType.PERCENT, weights)
        org_totals = [
            (period_id, org_id, value)
            for (period_id, key), by_org in per_org.items()
            if key == (None, None)
            for org_id, (value, _weight) in by_org.items()
        ]
    return org_totals


def _calculated_organization_values(
    measure: SharedMeasure, period_ids: list[int], organization_ids: list[int]
) -> list[tuple[int, int, Decimal | None]]:
    """A calculated measure per organisation: its formula over the organisation's totals of its
    inputs, at each period where the organisation has them all (as the aggregates take the
    periods every input has); a division by zero is no value, as it is a gap in the aggregates."""
    from ..formulas import EvaluationGap, FormulaError, evaluate, parse, references

    try:
        tree = parse(measure.formula)
    except FormulaError:
        return []
    codes = references(tree)
    inputs = list(SharedMeasure.objects.filter(initiative_id=measure.initiative_id, code__in=codes))
    if len(inputs) < len(codes):
        return []  # an input is gone (saving refuses it): nothing, as in the aggregates
    by_input = {
        used.code: {(p, o): v for p, o, v in _organization_values(used, period_ids, organization_ids)}
        for used in inputs
    }
    shared = set.intersection(*(set(values) for values in by_input.values()))
    out = []
    for period_id, org_id in sorted(shared):
        try:
            value = evaluate(tree, {code: values[(period_id, org_id)] for code, values in by_input.items()})
        except EvaluationGap:
            value = None
        out.append((period_id, org_id, value))
    return out


def completeness_matrix(initiative: Initiative, frequency: str, last_n: int = 8):
    """Organisations × periods: submitted / approved / late / missing (backbone's view)."""
    from django.utils import timezone

    from initiatives.models import Organization

    today = timezone.localdate()
    periods = list(
        ReportingPeriod.objects.filter(initiative=initiative, frequency=frequency, start__lte=today).order_by(
            "-start"
        )[:last_n]
    )[::-1]
    organizations = list(
        Organization.objects.filter(
            assignments__initiative=initiative, assignments__measure__frequency=frequency
        )
        .distinct()
        .order_by("name")
    )
    status = {
        (o, p): (s, at)
        for o, p, s, at in Submission.objects.filter(period__in=periods).values_list(
            "organization_id", "period_id", "status", "submitted_at"
        )
    }
    rows = []
    for org in organizations:
        cells = []
        for period in periods:
            state, submitted_at = status.get((org.pk, period.pk), (None, None))
            if state in ("submitted", "approved"):
                late = submitted_at is not None and timezone.localdate(submitted_at) > period.due_on
                cells.append((state, late))
            elif period.due_on < today:
                cells.append(("missing", True))
            else:
                cells.append((state or "open", False))
        rows.append((org, cells))
    return periods, rows


@dataclass
class PublicBreakdown:
    measure: MeasureRef
    period: str
    cells: list[tuple[str, float | None, bool]]  # label, value, suppressed
    dimensions: str = ""  # the names of what the cells break the measure down by


def public_breakdowns(
    initiative: Initiative, cards: list[MeasureCard], threshold: int
) -> list[PublicBreakdown]:
    """The breakdown of each public measure in its latest complete period (the cards'), with small
    numbers suppressed.

    A cell is hidden when the count it rests on is below the threshold: the cell's own value for a
    count measure, else its denominator measure's value in the same cell. A cell whose count cannot
    be known is hidden too: on a public page, unknown is treated as small.
    """
    from django.utils.translation import get_language

    from ..choices import Unit

    run = runs.active_run(initiative)
    if run is None:
        return []
    hebrew = (get_language() or "en").startswith("he")
    result = []
    measures = [c.measure for c in cards]
    ids = [m.pk for m in measures] + [m.denominator_id for m in measures if m.denominator_id]
    rows = Aggregate.objects.filter(run=run, measure_id__in=ids).exclude(
        member1__isnull=True, member2__isnull=True
    )
    cells: dict[tuple[int, str], dict[tuple, Decimal | None]] = defaultdict(dict)
    labels: dict[tuple, str] = {}
    order: dict[tuple, tuple] = {}  # the members' own order (age groups are not alphabetical)
    dimensions: dict[tuple, list[str]] = {}

    def name(en: str | None, he: str | None) -> str:
        return bilingual(en, he, hebrew=hebrew) or ""

    for row in rows.values_list(
        "measure_id",
        "period__code",
        "member1_id",
        "member2_id",
        "member1__name_en",
        "member1__name_he",
        "member2__name_en",
        "member2__name_he",
        "member1__order",
        "member2__order",
        "member1__dimension__name_en",
        "member1__dimension__name_he",
        "member2__dimension__name_en",
        "member2__dimension__name_he",
        "value",
    ):
        measure_id, period, m1, m2, m1_en, m1_he, m2_en, m2_he, o1, o2, d1_en, d1_he, d2_en, d2_he, value = (
            row
        )
        cells[(measure_id, period)][(m1, m2)] = value
        labels[(m1, m2)] = " · ".join(p for p in (name(m1_en, m1_he), name(m2_en, m2_he)) if p)
        order[(m1, m2)] = (m1 is None, o1 or 0, m2 is None, o2 or 0)
        dimensions[(m1, m2)] = [d for d in (name(d1_en, d1_he), name(d2_en, d2_he)) if d]
    for card in cards:
        measure = card.measure
        provisional = set(card.curve.provisional)
        shown_periods = set(card.curve.history.periods) - provisional
        periods = sorted(
            {p for (mid, p) in cells if mid == measure.pk and p in shown_periods},
            key=_period_key,
        )
        if not periods:
            continue
        latest = periods[-1]
        own = cells[(measure.pk, latest)]
        if measure.unit == Unit.COUNT:
            counts = own
        else:
            counts = (
                cells.get((measure.denominator_id, latest), {}) if measure.denominator_id is not None else {}
            )
        shown = []
        for key in sorted(own, key=lambda k: (order[k], labels[k])):
            count = counts.get(key)
            suppressed = count is None or count < threshold
            shown.append((labels[key], None if suppressed else to_float(own[key]), suppressed))
        # What the cells break the measure down by ("Neighbourhood", "Neighbourhood · Gender"): a
        # member's name alone ("Dalet", "Under 18") may not say it.
        names = list(dict.fromkeys(d for key in own for d in dimensions[key]))
        result.append(PublicBreakdown(measure, latest, shown, " · ".join(names)))
    return result


@dataclass
class PublicReportCard:
    """The public report card as it stands, in the active language: what its page, its PDF and the
    API show, read once (`public_report_card`)."""

    initiative: Initiative
    card: ReportCard
    cards: list[MeasureCard]  # each measure once, in the dashboard's order
    breakdowns: list[PublicBreakdown]
    worksheets: dict[int, CurveWorksheet]  # measure pk -> the story published with it
    run: AggregateRun | None
    fingerprint: str  # a digest of all the above: a stored PDF is the one of the same digest


def public_report_card(initiative: Initiative) -> PublicReportCard | None:
    """The published report card (None if it is not): its measures' cards over complete periods only
    (a provisional figure is not published), their breakdowns with small numbers suppressed, and the
    turn-the-curve story and what works where the backbone chose to publish them (never the
    partners' roles or the plan)."""
    from learning.selectors import report_card_worksheets

    card = ReportCard.objects.filter(initiative=initiative, published=True).first()
    if card is None:
        return None
    codes = list(card.measures.values_list("code", flat=True))
    groups, run = measure_cards(initiative, codes=codes, complete_only=True)
    seen, cards = set(), []
    for c in (c for g in groups for c in g.cards):  # a measure linked to two strategies shows once
        if c.measure.pk not in seen:
            seen.add(c.measure.pk)
            cards.append(c)
    breakdowns = public_breakdowns(initiative, cards, card.suppression_threshold)
    worksheets = report_card_worksheets(initiative, [c.measure.pk for c in cards])
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        getattr(run, "pk", None),
        card.updated_at.isoformat(),
        card.title,
        card.introduction,
        initiative.name,
        initiative.issue,
        initiative.place,
        *(c.fingerprint for c in cards),
        *(repr((b.measure.pk, b.period, b.cells, b.dimensions)) for b in breakdowns),
        *(
            repr((pk, w.pk, w.period.code, w.story, w.what_works, w.updated_at.isoformat()))
            for pk, w in sorted(worksheets.items())
        ),
    ):
        digest.update(repr(part).encode())
    return PublicReportCard(initiative, card, cards, breakdowns, worksheets, run, digest.hexdigest())
