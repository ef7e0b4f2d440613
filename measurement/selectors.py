"""Reads of shared measurement: data sets, grids, review queues, what a user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, F, Func, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from initiatives.models import Initiative, Organization

from .choices import MeasureKind, SubmissionStatus
from .entry.validation import Cell, MeasureSpec, RuleSpec
from .models import (
    Assignment,
    AuditEntry,
    DataValue,
    DimensionMember,
    MeasureDimension,
    MeasurementSettings,
    ReportingPeriod,
    SharedMeasure,
    Submission,
    ValidationRule,
    bilingual,
    holding_approved_values,
)
from .permissions import organizations_user_can_see


def settings_of(initiative: Initiative) -> MeasurementSettings:
    found = MeasurementSettings.objects.filter(initiative=initiative).first()
    return found or MeasurementSettings(initiative=initiative)


def measures_of(initiative: Initiative) -> QuerySet[SharedMeasure]:
    return initiative.measures.prefetch_related(
        Prefetch("measure_dimensions", queryset=MeasureDimension.objects.select_related("dimension")),
        "strategies",
    ).order_by("code")


def measure_id_by_code(initiative: Initiative | None, code: str) -> int | None:
    """The id of the initiative's measure with this code (any initiative's, when it is the only
    one), or None: one query of one column, for filters that then read by `measure_id`."""
    ids = SharedMeasure.objects.filter(code=code)
    if initiative is not None:
        ids = ids.filter(initiative=initiative)
    found = list(ids.values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def measure_by_code(initiative: Initiative, code: str) -> SharedMeasure | None:
    return measures_of(initiative).filter(code=code).first()


def formula_parts(measure: SharedMeasure) -> list[tuple[str, str]]:
    """A calculated measure's formula in words: its inputs' names (in the reader's language) and
    the operators as symbols (formulas.display_parts); empty for an entered measure."""
    if not measure.is_calculated:
        return []
    from .formulas import FormulaError, display_parts

    names = {m.code: m.name for m in SharedMeasure.objects.filter(initiative_id=measure.initiative_id)}
    try:
        return display_parts(measure.formula, names)
    except FormulaError:
        return [("symbol", measure.formula)]


@dataclass
class GridMeasure:
    """A measure as the data-entry grid shows it: its rows × columns of cells."""

    measure: SharedMeasure
    rows: list[DimensionMember | None]
    columns: list[DimensionMember | None]

    @property
    def breakdown(self) -> str:
        """What the rows (and the columns) break the measure down by, "Neighbourhood × Gender": a
        member's name alone ("ד'") may not say it. The members come with their dimension (`_grids`)."""
        return " × ".join(m.dimension.name for m in (self.rows[0], self.columns[0]) if m)

    @property
    def cells(self) -> list[tuple[int | None, int | None]]:
        return [(r.pk if r else None, c.pk if c else None) for r in self.rows for c in self.columns]

    def spec(self) -> MeasureSpec:
        m = self.measure
        return MeasureSpec(
            id=m.pk,
            code=m.code,
            value_type=m.value_type,
            min_value=m.min_value,
            max_value=m.max_value,
            max_change_pct=m.max_change_pct,
            required=m.required,
            unit=m.unit,
            cells=self.cells,
        )


def _grids(measures: list[SharedMeasure]) -> list[GridMeasure]:
    """Each measure with its rows × columns of members: their breakdowns and members in two
    queries of rows (the grid, the file import and validation read no more of them)."""
    dimensions: dict[int, list[int]] = {}
    for measure_id, dimension_id in (
        MeasureDimension.objects.filter(measure__in=measures)
        .order_by("measure_id", "position")
        .values_list("measure_id", "dimension_id")
    ):
        dimensions.setdefault(measure_id, []).append(dimension_id)
    members: dict[int, list[DimensionMember]] = {}
    wanted = {d for ds in dimensions.values() for d in ds}
    if wanted:
        for member in (
            DimensionMember.objects.filter(dimension_id__in=wanted)
            .select_related("dimension")
            .order_by("order", "code")
        ):
            members.setdefault(member.dimension_id, []).append(member)
    grids = []
    for measure in measures:
        dims = dimensions.get(measure.pk, [])
        rows = members.get(dims[0], []) if dims else [None]
        columns = members.get(dims[1], []) if len(dims) > 1 else [None]
        grids.append(GridMeasure(measure, list(rows) or [None], list(columns) or [None]))
    return grids


def dataset(initiative: Initiative, organization: Organization, period: ReportingPeriod) -> list[GridMeasure]:
    """The measures this organisation reports for this period, active in it, with their cells."""
    measures = list(
        initiative.measures.filter(assignments__organization=organization, frequency=period.frequency)
        .exclude(kind=MeasureKind.CALCULATED)  # computed, never entered
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=period.end))
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=period.start))
        .order_by("code")
    )
    return _grids(measures) if measures else []


def datasets(
    initiative: Initiative, organization: Organization, periods: list[ReportingPeriod]
) -> dict[int, list[GridMeasure]]:
    """`dataset` for many periods at once (a file import spans many): three queries in all."""
    measures = list(
        initiative.measures.filter(
            assignments__organization=organization, frequency__in={p.frequency for p in periods}
        )
        .exclude(kind=MeasureKind.CALCULATED)  # computed, never entered
        .order_by("code")
    )
    grids = {g.measure.pk: g for g in (_grids(measures) if measures else [])}
    return {
        period.pk: [
            grids[m.pk]
            for m in measures
            if m.frequency == period.frequency
            and (m.active_from is None or m.active_from <= period.end)
            and (m.active_to is None or m.active_to >= period.start)
        ]
        for period in periods
    }


def specs_of(grid: list[GridMeasure]) -> dict[int, MeasureSpec]:
    return {g.measure.pk: g.spec() for g in grid}


def rules_of(initiative: Initiative) -> list[RuleSpec]:
    return [
        RuleSpec(r.left_id, r.operator, r.right_id, r.message)
        for r in ValidationRule.objects.filter(initiative=initiative)
    ]


def submission_of(initiative: Initiative, organization: Organization, period: ReportingPeriod) -> Submission:
    """The organisation's submission for the period, or an unsaved draft: a page that shows it
    creates nothing (the first save does, entry.save)."""
    submission = Submission.objects.filter(organization=organization, period=period).first()
    if submission is None:
        submission = Submission(initiative=initiative, organization=organization, period=period)
    submission.organization, submission.period = organization, period
    if submission.initiative_id == initiative.pk:
        submission.initiative = initiative
    return submission


def typed_values(submission: Submission) -> tuple[dict[Cell, str], dict[Cell, str], set[Cell]]:
    """The grid's fields as the partner left them: each cell's value as typed (no trailing zeros)
    and its comment; during a correction, the proposed corrections over the approved values. The
    third item: the approved values the partner chose to clear. Read as rows: a grid holds hundreds."""
    typed: dict[Cell, str] = {}
    comments: dict[Cell, str] = {}
    cleared: set[Cell] = set()
    if submission.pk is None:
        return typed, comments, cleared
    for measure_id, member1_id, member2_id, value, comment in (
        values_of(submission)
        .order_by()
        .values_list("measure_id", "member1_id", "member2_id", "value", "comment")
    ):
        cell = (measure_id, member1_id, member2_id)
        typed[cell], comments[cell] = format(value.normalize(), "f"), comment
    if submission.in_correction:
        for (
            measure_id,
            member1_id,
            member2_id,
            proposed,
            comment,
        ) in submission.corrections.order_by().values_list(
            "measure_id", "member1_id", "member2_id", "value", "comment"
        ):
            cell = (measure_id, member1_id, member2_id)
            if proposed is None:
                typed.pop(cell, None)
                comments.pop(cell, None)
                cleared.add(cell)
            else:
                typed[cell], comments[cell] = format(proposed.normalize(), "f"), comment
    return typed, comments, cleared


def unlock_reasons(submission: Submission) -> list[tuple[str, str]]:
    """Why the backbone reopened this submission's values, latest first, while it is under
    correction: (what was reopened, the reason), shown to the partner with the grid."""
    if submission.pk is None or not submission.in_correction:
        return []
    last_approval = submission.audit.filter(action="approve").order_by("-at", "-id").values("id")[:1]
    entries = submission.audit.filter(action="unlock").order_by("-at", "-id")
    if last_approval:
        entries = entries.filter(id__gt=last_approval[0]["id"])
    rows = list(entries.values_list("measure__code", "member1_id", "member2_id", "reason")[:50])
    names = member_names(m for r in rows for m in (r[1], r[2]))
    return [
        (" · ".join(x for x in (code, names.get(m1), names.get(m2)) if x) if code else "", reason)
        for code, m1, m2, reason in rows
    ]


class StoredValue(NamedTuple):
    """A stored value as the checks and writes of a save read it: a row, not a model instance."""

    pk: int
    submission_id: int
    measure_id: int
    member1_id: int | None
    member2_id: int | None
    value: Decimal
    comment: str


STORED_VALUE_COLUMNS = ("pk", "submission_id", "measure_id", "member1_id", "member2_id", "value", "comment")


def stored_rows(queryset: QuerySet[DataValue]) -> list[StoredValue]:
    """The values of `queryset` as rows, unordered (DataValue's default ordering joins its
    measure, period, organisation and members: seven tables for an order nobody reads here)."""
    return [StoredValue(*row) for row in queryset.order_by().values_list(*STORED_VALUE_COLUMNS)]


def values_of(submission: Submission) -> QuerySet[DataValue]:
    """A submission's values, found through the (organisation, period) index: a submission is one
    organisation's period, and data values keep no index of their own on the submission (the lean
    fact table, docs/performance.md)."""
    return DataValue.objects.filter(
        organization_id=submission.organization_id, period_id=submission.period_id, submission=submission
    )


def value_count() -> Coalesce:
    """How many values a submission holds (for annotate), counted through the same index: on a
    page of submissions, only those shown are counted."""
    count = (
        DataValue.objects.filter(organization_id=OuterRef("organization_id"), period_id=OuterRef("period_id"))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(count), 0)


def stored_values(submission: Submission) -> dict[Cell, StoredValue]:
    return {(v.measure_id, v.member1_id, v.member2_id): v for v in stored_rows(values_of(submission))}


def previous_totals(organization: Organization, period: ReportingPeriod, measure_ids) -> dict[int, Decimal]:
    """Each measure's total in the organisation's previous period of the same frequency (one
    query: the previous period is a subquery; none, no totals)."""
    previous = (
        ReportingPeriod.objects.filter(
            initiative=period.initiative_id, frequency=period.frequency, start__lt=period.start
        )
        .order_by("-start")
        .values("pk")[:1]
    )
    return dict(
        DataValue.objects.filter(
            organization=organization, period=Subquery(previous), measure_id__in=list(measure_ids)
        )
        .order_by()
        .values("measure_id")
        .annotate(total=Sum("value"))
        .values_list("measure_id", "total")
    )


def previous_totals_many(
    organization: Organization, periods: list[ReportingPeriod], measure_ids
) -> dict[int, dict[int, Decimal]]:
    """`previous_totals` for many periods at once: period id → measure id → total. Two queries."""
    if not periods:
        return {}
    frequencies = {p.frequency for p in periods}
    all_periods = sorted(
        ReportingPeriod.objects.filter(initiative=periods[0].initiative_id, frequency__in=frequencies),
        key=lambda p: p.start,
    )
    previous: dict[int, int] = {}
    for period in periods:
        earlier = [p for p in all_periods if p.frequency == period.frequency and p.start < period.start]
        if earlier:
            previous[period.pk] = earlier[-1].pk
    sums: dict[int, dict[int, Decimal]] = {}
    for period_id, measure_id, total in (
        DataValue.objects.filter(
            organization=organization, period_id__in=set(previous.values()), measure_id__in=list(measure_ids)
        )
        .order_by()
        .values("period_id", "measure_id")
        .annotate(total=Sum("value"))
        .values_list("period_id", "measure_id", "total")
    ):
        sums.setdefault(period_id, {})[measure_id] = total
    return {period.pk: dict(sums.get(previous.get(period.pk, 0), {})) for period in periods}


def open_periods(initiative: Initiative, today: date | None = None) -> QuerySet[ReportingPeriod]:
    today = today or timezone.localdate()
    return initiative.periods.filter(opens_on__lte=today, closes_on__gte=today).order_by(
        "due_on", "frequency"
    )


@dataclass
class DueItem:
    period: ReportingPeriod
    measure_count: int
    submission: Submission | None
    overdue: bool = False
    cells: int = 0
    filled: int = 0
    extra: dict = field(default_factory=dict)


def due_for(initiative: Initiative, organization: Organization, today: date | None = None) -> list[DueItem]:
    """What this organisation has to report now: open periods with assigned measures."""
    today = today or timezone.localdate()
    by_frequency = dict(
        Assignment.objects.filter(initiative=initiative, organization=organization)
        .values("measure__frequency")
        .annotate(n=Count("id"))
        .values_list("measure__frequency", "n")
    )
    periods = [p for p in open_periods(initiative, today) if by_frequency.get(p.frequency)]
    submissions = {
        s.period_id: s
        for s in Submission.objects.filter(organization=organization, period__in=periods).annotate(
            n=value_count()
        )
    }
    return [
        DueItem(
            period=p,
            measure_count=by_frequency[p.frequency],
            submission=submissions.get(p.pk),
            overdue=p.due_on < today
            and (
                submissions.get(p.pk) is None
                or submissions[p.pk].status in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED)
            ),
        )
        for p in periods
    ]


def review_queue(initiative: Initiative) -> QuerySet[Submission]:
    return (
        initiative.submissions.select_related("organization", "period", "submitted_by", "reviewed_by")
        .annotate(value_count=value_count())
        .order_by("status", "-period__start", "organization__name")
    )


@dataclass(frozen=True)
class AuditRow:
    """One line of a submission's history, as the submission page shows it."""

    at: object
    by_name: str | None
    action: str
    action_label: str
    measure_code: str | None
    member1_name: str | None
    member2_name: str | None
    old_value: Decimal | None
    new_value: Decimal | None
    reason: str


def member_names(ids) -> dict[int, str]:
    """Breakdown members' names in the current language (Hebrew falling back to English), by id."""
    from django.utils.translation import get_language

    ids = {pk for pk in ids if pk}
    if not ids:
        return {}
    hebrew = (get_language() or "en").startswith("he")
    return {
        pk: bilingual(en, he, hebrew=hebrew) or ""
        for pk, en, he in DimensionMember.objects.filter(pk__in=ids).values_list("pk", "name_en", "name_he")
    }


@dataclass(frozen=True)
class ValueRow:
    """One stored value as the submission page lists it."""

    pk: int
    measure_code: str
    member1_name: str | None
    member2_name: str | None
    value: Decimal
    comment: str
    unlocked: bool
    # During a correction: the partner's proposed value (None: none proposed) and whether the
    # partner chose to clear the approved value.
    proposed: Decimal | None = None
    cleared: bool = False


def submission_values(submission: Submission) -> list[ValueRow]:
    """The submission's values by measure code and breakdown order, as rows with the members'
    names looked up once (two queries; not 175 × 4 model instances); `unlocked` marks the values
    reopened one by one for correction (services.value_unlock)."""
    rows = list(
        values_of(submission)
        .order_by("measure__code", "member1__order", "member2__order")
        .values_list("pk", "measure_id", "measure__code", "member1_id", "member2_id", "value", "comment")
    )
    names = member_names(m for r in rows for m in (r[3], r[4]))
    in_part = submission.open_cells is not None
    proposed = {}
    if in_part:
        for measure_id, member1_id, member2_id, value in submission.corrections.order_by().values_list(
            "measure_id", "member1_id", "member2_id", "value"
        ):
            proposed[(measure_id, member1_id, member2_id)] = (value, value is None)
    return [
        ValueRow(
            pk,
            code,
            names.get(member1_id),
            names.get(member2_id),
            value,
            comment,
            in_part
            and not submission.reopened_whole
            and submission.is_open((measure_id, member1_id, member2_id)),
            *proposed.get((measure_id, member1_id, member2_id), (None, False)),
        )
        for pk, measure_id, code, member1_id, member2_id, value, comment in rows
    ]


def audit_rows(submission: Submission, limit: int = 300, offset: int = 0) -> list[AuditRow]:
    """`limit` entries of the history from the `offset`-th newest, newest first, read as rows with
    the measures' codes and members' names looked up once (three queries; not 300 × 5 model
    instances)."""
    from django.contrib.auth import get_user_model

    from .choices import AuditAction

    rows = list(
        submission.audit.order_by("-at", "-id").values_list(
            "at",
            f"by__{get_user_model().USERNAME_FIELD}",
            "action",
            "measure_id",
            "member1_id",
            "member2_id",
            "old_value",
            "new_value",
            "reason",
            "by__first_name",
            "by__last_name",
        )[offset : offset + limit]
    )
    codes = dict(SharedMeasure.objects.filter(pk__in={r[3] for r in rows if r[3]}).values_list("pk", "code"))
    names = member_names(m for r in rows for m in (r[4], r[5]))
    labels = {value: str(label) for value, label in AuditAction.choices}
    return [
        AuditRow(
            at,
            # The name the person gave, as every other page shows them; else the username.
            f"{first} {last}".strip() or by,
            action,
            labels.get(action, action),
            codes.get(measure_id),
            names.get(member1_id),
            names.get(member2_id),
            old,
            new,
            reason,
        )
        for at, by, action, measure_id, member1_id, member2_id, old, new, reason, first, last in rows
    ]


def audit_of(submission: Submission) -> QuerySet[AuditEntry]:
    return submission.audit.select_related("measure", "member1", "member2", "by")


def changes_since_approval(submission: Submission) -> list[AuditEntry]:
    """Value changes after the last approval: what a reviewer looks at before approving again."""
    last = submission.audit.filter(action="approve").order_by("-at", "-id").first()
    if last is None:
        return []
    return list(
        audit_of(submission)
        .filter(id__gt=last.id, action__in=["create", "change", "delete", "import"])
        .order_by("at", "id")
    )


def value_id_range(initiative: Initiative) -> tuple[int | None, int | None]:
    """The first and last id of an initiative's values, in one query: a probe of the (measure, id)
    index at each end per measure. Pages in id order filter by initiative through the measure, so
    without a bound PostgreSQL walks the primary key over other initiatives' rows (from the first
    id of the table on a first page; on the last page, which reads one row more to know whether
    another follows, to the end of the table). The bounds are read first and given to the page's
    query as numbers: as a subquery of it they are unknown when it is planned, and the planner,
    guessing from the measures' average share of the table, read every value of the initiative
    through the measure index and sorted them (1.1 s a page at 1,050,000 values, where the walk
    takes 3 ms: docs/performance.md)."""
    first = DataValue.objects.filter(measure=OuterRef("pk")).order_by("id").values("id")[:1]
    last = DataValue.objects.filter(measure=OuterRef("pk")).order_by("-id").values("id")[:1]
    edges = SharedMeasure.objects.filter(initiative=initiative).aggregate(
        first=Min(Subquery(first)), last=Max(Subquery(last))
    )
    return edges["first"], edges["last"]


def visible_values(user, initiative: Initiative) -> QuerySet[DataValue]:
    """Raw values the user may read (confidentiality is decided in permissions), within the
    initiative's id range (`value_id_range`, read now)."""
    first, last = value_id_range(initiative)
    queryset = DataValue.objects.filter(measure__initiative=initiative)
    if first is None:
        return queryset.none()
    queryset = queryset.filter(id__gte=first, id__lte=last)
    allowed = organizations_user_can_see(user, initiative)
    if allowed is not None:
        queryset = queryset.filter(organization_id__in=allowed)
    return queryset.select_related("measure", "period", "organization", "member1", "member2")


def grid_rows(grid: list[GridMeasure]):
    """Flatten for templates: (grid measure, row member, [(cell, column member)])."""
    for g in grid:
        for row in g.rows:
            yield (
                g,
                row,
                [
                    ((g.measure.pk, row.pk if row else None, col.pk if col else None), col)
                    for col in g.columns
                ],
            )


def milestone_evidence(initiative: Initiative) -> list[tuple[int, str, str, str]]:
    """Phase III evaluation: shared measures established; phase IV: data collected and reported."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from initiatives.choices import Area, Phase

    evidence: list[tuple[int, str, str, str]] = []
    population = initiative.measures.filter(level="population").count()
    total = initiative.measures.count()
    home = reverse("measurement:home", kwargs={"slug": initiative.slug})
    if total:
        evidence.append(
            (
                Phase.ORGANIZE_FOR_IMPACT,
                Area.EVALUATION,
                _("%(total)s shared measures defined, %(population)s of them population-level")
                % {"total": total, "population": population},
                home,
            )
        )
    approved = Submission.objects.filter(holding_approved_values(), initiative=initiative).count()
    if approved:
        evidence.append(
            (
                Phase.IMPLEMENT_AND_SUSTAIN,
                Area.EVALUATION,
                _("%(n)s partner submissions approved") % {"n": approved},
                home,
            )
        )
    return evidence
