"""Computing and swapping the aggregate tables (DHIS2's analytics tables, in small).

* `rebuild_start` opens a new run; one task per measure fills it (so several workers share a large
  rebuild); the last measure to finish calls `rebuild_finish`, which re-applies changes made since
  the run started and makes it the active run in one transaction. Readers never see a half-built run.
* `update` recomputes one measure × periods inside the active run, in one transaction.
* Every step deletes what it is about to write first, so running it twice, or again after a worker
  died half way, leaves exactly the same rows.
* Calculated measures are computed from their inputs' aggregates in the same run, after them, in
  dependency order (`formulas.evaluation_order`): by `rebuild_finish` once every entered measure
  is done, by `update` after the measures it recomputed, by `calculated_refresh` when a formula
  changes. Their rows are few (periods × cells), so the Python rules compute them on every
  database (`rules.calculate_measure`, the one evaluation there is).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from initiatives.models import Initiative

from .. import database, formulas
from ..choices import MeasureKind, SubmissionStatus
from ..models import (
    Aggregate,
    AggregateRun,
    AggregateRunMeasure,
    Assignment,
    Completeness,
    DataValue,
    DirtyAggregate,
    ReportingPeriod,
    SharedMeasure,
    Submission,
    holding_approved_values,
)
from .rules import AggregateRow, aggregate_measure, calculate_measure, calculated_completeness
from .sql import insert_aggregates


def active_run(initiative: Initiative | int) -> AggregateRun | None:
    initiative_id = initiative if isinstance(initiative, int) else initiative.pk
    return AggregateRun.objects.filter(initiative_id=initiative_id, active=True).first()


def latest_pending(initiative: Initiative) -> AggregateRun | None:
    return (
        AggregateRun.objects.filter(initiative=initiative, kind=AggregateRun.Kind.FULL)
        .filter(status__in=[AggregateRun.Status.QUEUED, AggregateRun.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )


def _approved_rows(measure_id: int, period_ids=None):
    queryset = DataValue.objects.filter(measure_id=measure_id).filter(
        submission__in=Submission.objects.filter(holding_approved_values())
    )
    if period_ids is not None:
        queryset = queryset.filter(period_id__in=period_ids)
    # No ORDER BY: the model's default ordering would join periods, organisations and members and
    # sort every row, and the aggregation does not depend on the order of the rows.
    return list(
        queryset.order_by()
        .values_list("period_id", "organization_id", "member1_id", "member2_id", "value")
        .iterator(chunk_size=20000)
    )


def compute_into(run: AggregateRun, measure: SharedMeasure, period_ids=None) -> int:
    """(Re)write one measure's aggregates and completeness in a run. Idempotent.

    On PostgreSQL the rules run in the database (aggregation_sql, one INSERT … SELECT); elsewhere
    the Python rules (aggregation.aggregate_measure) compute the rows, which are then inserted.
    """
    dims = measure.measure_dimensions.count()
    if measure.is_calculated:
        rows, completeness = _calculated(run, measure, dims, period_ids)
    else:
        rows = None if database.does_the_work() else _python_rows(measure, dims, period_ids)
        completeness = _completeness([measure], period_ids)
    with transaction.atomic():
        old = Aggregate.objects.filter(run=run, measure=measure)
        old_completeness = Completeness.objects.filter(run=run, measure=measure)
        if period_ids is not None:
            old = old.filter(period_id__in=period_ids)
            old_completeness = old_completeness.filter(period_id__in=period_ids)
        old._raw_delete(old.db)  # no cascades or signals hang on aggregates: one DELETE
        old_completeness._raw_delete(old_completeness.db)
        written = _insert(run, measure, dims, period_ids, rows)
        Completeness.objects.bulk_create(Completeness(run=run, **c) for c in completeness)
    return written


def _python_rows(measure: SharedMeasure, dims: int, period_ids):
    rows = _approved_rows(measure.pk, period_ids)
    denominator = _approved_rows(measure.denominator_id, period_ids) if measure.denominator_id else None
    return aggregate_measure(
        aggregation=measure.aggregation,
        value_type=measure.value_type,
        dims=dims,
        rows=rows,
        denominator_rows=denominator,
    )


def _inputs(measure: SharedMeasure) -> tuple[object, dict[str, int]]:
    """A calculated measure's formula tree and its inputs (code -> measure id)."""
    tree = formulas.parse(measure.formula)
    codes = formulas.references(tree)
    ids = dict(
        SharedMeasure.objects.filter(initiative_id=measure.initiative_id, code__in=codes).values_list(
            "code", "pk"
        )
    )
    return tree, ids


def _calculated(run: AggregateRun, measure: SharedMeasure, dims: int, period_ids):
    """A calculated measure's rows and completeness, from its inputs' in the same run."""
    tree, ids = _inputs(measure)
    codes = {pk: code for code, pk in ids.items()}
    if len(ids) < len(formulas.references(tree)):
        return [], []  # an input is gone (saving refuses it; a script might not): nothing to show
    aggregates = Aggregate.objects.filter(run=run, measure_id__in=list(codes))
    counts = Completeness.objects.filter(run=run, measure_id__in=list(codes))
    if period_ids is not None:
        aggregates = aggregates.filter(period_id__in=period_ids)
        counts = counts.filter(period_id__in=period_ids)
    inputs: dict[str, list[AggregateRow]] = {code: [] for code in ids}
    for measure_id, period_id, m1, m2, value, organizations in aggregates.order_by().values_list(
        "measure_id", "period_id", "member1_id", "member2_id", "value", "organizations"
    ):
        inputs[codes[measure_id]].append(AggregateRow(period_id, m1, m2, value, organizations))
    by_input: dict[str, dict[int, tuple[int, int, int, int]]] = {code: {} for code in ids}
    for measure_id, period_id, expected, submitted, approved, on_time in counts.order_by().values_list(
        "measure_id", "period_id", "expected", "submitted", "approved", "on_time"
    ):
        by_input[codes[measure_id]][period_id] = (expected, submitted, approved, on_time)
    rows = calculate_measure(tree=tree, dims=dims, inputs=inputs)
    completeness = [
        {
            "measure_id": measure.pk,
            "period_id": period_id,
            "expected": e,
            "submitted": s,
            "approved": a,
            "on_time": t,
        }
        for period_id, (e, s, a, t) in sorted(calculated_completeness(by_input).items())
    ]
    return rows, completeness


def calculated_in_order(initiative_id: int, changed: set[int] | None = None) -> list[SharedMeasure]:
    """The initiative's calculated measures, each after its inputs; with `changed` (measure ids),
    only those that depend on one of them, directly or through another calculated measure."""
    calculated = {
        m.code: m
        for m in SharedMeasure.objects.filter(initiative_id=initiative_id, kind=MeasureKind.CALCULATED)
    }
    if not calculated:
        return []
    uses: dict[str, list[str]] = {}
    for code, measure in calculated.items():
        try:
            uses[code] = formulas.references(formulas.parse(measure.formula))
        except formulas.FormulaError:
            uses[code] = []  # saving refuses it; a script might not: computed as nothing
    order = formulas.evaluation_order(uses)
    if changed is None:
        return [calculated[code] for code in order]
    affected = set(
        SharedMeasure.objects.filter(initiative_id=initiative_id, pk__in=list(changed)).values_list(
            "code", flat=True
        )
    )
    picked = []
    for code in order:  # inputs first: a measure is affected when one of its inputs is
        if code in affected or any(ref in affected for ref in uses[code]):
            affected.add(code)
            picked.append(calculated[code])
    return picked


def calculated_refresh(measure_id: int) -> None:
    """After a formula changed: recompute the measure and what depends on it in the active run
    (none yet: the first rebuild computes them)."""
    measure = SharedMeasure.objects.filter(pk=measure_id).first()
    if measure is None:
        return
    with transaction.atomic():
        run = (
            AggregateRun.objects.select_for_update()
            .filter(initiative_id=measure.initiative_id, active=True)
            .first()
        )
        if run is None:
            return
        compute_into(run, measure)
        for dependent in calculated_in_order(measure.initiative_id, {measure.pk}):
            if dependent.pk != measure.pk:
                compute_into(run, dependent)
        AggregateRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())  # caches key on it


def _insert(run: AggregateRun, measure: SharedMeasure, dims: int, period_ids, rows) -> int:
    """Write one measure's aggregates (the caller has deleted what they replace): in the database
    on PostgreSQL, else the rows the Python rules computed."""
    if rows is None:
        return insert_aggregates(run.pk, measure, dims, period_ids)
    Aggregate.objects.bulk_create(
        (
            Aggregate(
                run=run,
                measure=measure,
                period_id=r.period_id,
                member1_id=r.member1_id,
                member2_id=r.member2_id,
                value=r.value,
                organizations=r.organizations,
                gap=r.gap,
            )
            for r in rows
        ),
        batch_size=5000,
    )
    return len(rows)


def _completeness(measures, period_ids=None) -> list[dict]:
    """Each measure's completeness in each of its periods (of `period_ids` when given): the
    organisations assigned it, and of those how many submitted, hold approved values and submitted
    on time (on or before the due date, the date taken in the current time zone, as
    timezone.localdate does). Counted by the database in two grouped queries, whatever the number of
    organisations: the full rebuild asks for one measure's every period, an approval for the 50
    measures of one period."""
    measures = list(measures)
    if not measures:
        return []
    ids = [m.pk for m in measures]
    in_scope = ReportingPeriod.objects.filter(
        initiative_id=measures[0].initiative_id, frequency__in={m.frequency for m in measures}
    )
    if period_ids is not None:
        in_scope = in_scope.filter(pk__in=list(period_ids))
    periods = list(in_scope.order_by("start"))
    expected = dict(
        Assignment.objects.filter(measure_id__in=ids)
        .order_by()
        .values("measure_id")
        .annotate(n=Count("pk"))
        .values_list("measure_id", "n")
    )
    counted = {
        (measure_id, period_id): numbers
        for measure_id, period_id, *numbers in Submission.objects.filter(
            period_id__in=[p.pk for p in periods], organization__assignments__measure_id__in=ids
        )
        .filter(Q(status=SubmissionStatus.SUBMITTED) | holding_approved_values())
        .order_by()
        .values("organization__assignments__measure_id", "period_id")
        .annotate(
            submitted=Count("pk"),
            approved=Count("pk", filter=holding_approved_values()),
            on_time=Count("pk", filter=Q(submitted_at__date__lte=F("period__due_on"))),
        )
        .values_list("organization__assignments__measure_id", "period_id", "submitted", "approved", "on_time")
    }
    rows = []
    for measure in measures:
        for period in periods:
            if period.frequency != measure.frequency:
                continue
            if (measure.active_from and period.end < measure.active_from) or (
                measure.active_to and period.start > measure.active_to
            ):
                continue
            submitted, approved, on_time = counted.get((measure.pk, period.pk), (0, 0, 0))
            rows.append(
                {
                    "measure_id": measure.pk,
                    "period_id": period.pk,
                    "expected": expected.get(measure.pk, 0),
                    "submitted": submitted,
                    "approved": approved,
                    "on_time": on_time,
                }
            )
    return rows


# --- Full rebuild ------------------------------------------------------------------------------


def rebuild_start(initiative: Initiative) -> AggregateRun:
    # One task per entered measure; the calculated ones follow in rebuild_finish.
    measure_ids = list(initiative.measures.filter(kind=MeasureKind.ENTERED).values_list("pk", flat=True))
    run = AggregateRun.objects.create(
        initiative=initiative,
        kind=AggregateRun.Kind.FULL,
        measures_total=len(measure_ids),
        started_at=timezone.now(),
    )
    if not measure_ids:
        rebuild_finish(run.pk)
    return run


def rebuild_measure(run_id: int, measure_id: int) -> int | None:
    """Compute one measure into the run; the last one finishes the run. Returns the run's
    initiative id when this call finished it (else None)."""
    run = AggregateRun.objects.get(pk=run_id)
    if run.status in (AggregateRun.Status.DONE, AggregateRun.Status.FAILED):
        return None
    if run.status == AggregateRun.Status.QUEUED:
        AggregateRun.objects.filter(pk=run_id, status=AggregateRun.Status.QUEUED).update(
            status=AggregateRun.Status.RUNNING
        )
    measure = SharedMeasure.objects.get(pk=measure_id)
    if measure.is_calculated:
        return None  # computed by rebuild_finish, after its inputs
    # The measure's rows and its mark commit together (one commit, not two); the count below
    # runs after the commit, so the last measure to finish always sees every mark.
    with transaction.atomic():
        compute_into(run, measure)
        try:
            with transaction.atomic():
                AggregateRunMeasure.objects.create(run_id=run_id, measure_id=measure_id)
        except IntegrityError:
            pass  # redelivered: already counted
    done = AggregateRunMeasure.objects.filter(run_id=run_id).count()
    AggregateRun.objects.filter(pk=run_id).update(measures_done=done)
    if done >= run.measures_total:
        rebuild_finish(run_id)
        return run.initiative_id
    return None


@transaction.atomic
def rebuild_finish(run_id: int) -> None:
    run = AggregateRun.objects.select_for_update().get(pk=run_id)
    if run.status == AggregateRun.Status.DONE:
        return
    # Changes approved while this run was being built are in the old run only: apply them here too.
    for dirty in DirtyAggregate.objects.filter(
        initiative_id=run.initiative_id, marked_at__gte=run.started_at
    ).select_related("measure"):
        if not dirty.measure.is_calculated:
            compute_into(run, dirty.measure, [dirty.period_id])
    # Every entered measure is in: the calculated ones, each after its inputs.
    for measure in calculated_in_order(run.initiative_id):
        compute_into(run, measure)
    previous = list(
        AggregateRun.objects.select_for_update().filter(initiative_id=run.initiative_id, active=True)
    )
    AggregateRun.objects.filter(pk__in=[p.pk for p in previous]).update(active=False)
    run.active, run.status, run.finished_at = True, AggregateRun.Status.DONE, timezone.now()
    run.measures_done = run.measures_total
    run.save(update_fields=["active", "status", "finished_at", "measures_done"])
    # Old runs' rows go; the runs themselves stay as the history of computations.
    Aggregate.objects.filter(run__in=previous).delete()
    Completeness.objects.filter(run__in=previous).delete()
    from webhooks.services import event_emit  # webhooks, queued on commit

    event_emit(initiative=run.initiative_id, type="aggregates.updated", subject=run)


# --- Incremental ---------------------------------------------------------------------------------


def mark_dirty(initiative_id: int, measure_ids, period_id: int) -> None:
    """Mark the measure-periods pending (one upsert for all of them: an approval marks 50)."""
    now = timezone.now()
    DirtyAggregate.objects.bulk_create(
        [
            DirtyAggregate(
                initiative_id=initiative_id,
                measure_id=measure_id,
                period_id=period_id,
                marked_at=now,
                applied_at=None,
            )
            for measure_id in sorted(set(measure_ids))
        ],
        update_conflicts=True,
        unique_fields=["measure", "period"],
        update_fields=["initiative", "marked_at", "applied_at"],
    )


@transaction.atomic
def update(initiative_id: int, measure_ids, period_id: int) -> None:
    """Recompute the given measures for one period inside the active run.

    All the measures at once: one read of their breakdowns, one of the period's submissions and
    assignments for completeness, one DELETE of each table, then each measure's INSERT … SELECT
    (about 60 statements for 50 measures, where measure by measure took 500)."""
    started = timezone.now()
    run = AggregateRun.objects.select_for_update().filter(initiative_id=initiative_id, active=True).first()
    if run is None:
        run = AggregateRun.objects.create(
            initiative_id=initiative_id,
            kind=AggregateRun.Kind.INCREMENTAL,
            status=AggregateRun.Status.DONE,
            active=True,
            started_at=timezone.now(),
        )
    measures = list(
        SharedMeasure.objects.filter(pk__in=list(measure_ids), kind=MeasureKind.ENTERED).annotate(
            dims=Count("measure_dimensions")
        )
    )
    period = ReportingPeriod.objects.get(pk=period_id)
    in_database = database.does_the_work()
    rows = {m.pk: None if in_database else _python_rows(m, m.dims, [period_id]) for m in measures}
    completeness = _completeness(measures, [period_id])
    ids = [m.pk for m in measures]
    old = Aggregate.objects.filter(run=run, measure_id__in=ids, period_id=period_id)
    old._raw_delete(old.db)
    old_completeness = Completeness.objects.filter(run=run, measure_id__in=ids, period_id=period_id)
    old_completeness._raw_delete(old_completeness.db)
    for measure in measures:
        _insert(run, measure, measure.dims, [period_id], rows[measure.pk])
    Completeness.objects.bulk_create(Completeness(run=run, **c) for c in completeness)
    # Then the calculated measures that use them, each after its inputs.
    for calculated in calculated_in_order(initiative_id, set(measure_ids)):
        if calculated.frequency == period.frequency:
            compute_into(run, calculated, [period_id])
    AggregateRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    # Marks made before this update started are in what it read (a mark follows its commit);
    # a later mark stays pending for its own update or the catch-up.
    DirtyAggregate.objects.filter(
        measure_id__in=list(measure_ids), period_id=period_id, applied_at=None, marked_at__lte=started
    ).update(applied_at=timezone.now())
    from webhooks.services import event_emit  # webhooks, queued on commit

    event_emit(
        initiative=initiative_id,
        type="aggregates.updated",
        subject=run,
        period_id=period_id,
        measure_ids=measure_ids,
    )


def measures_of_submission(submission: Submission) -> list[int]:
    """The measures whose aggregates depend on this submission's period (incl. denominators' users)."""
    from ..selectors import values_of

    ids = set(values_of(submission).order_by().values_list("measure_id", flat=True).distinct()) | set(
        Assignment.objects.filter(
            initiative_id=submission.initiative_id,
            organization=submission.organization,
            measure__frequency=submission.period.frequency,
        ).values_list("measure_id", flat=True)
    )
    ids |= set(SharedMeasure.objects.filter(denominator_id__in=ids).values_list("pk", flat=True))
    return sorted(ids)
