"""Aggregation rules against hand-computed numbers, and the rebuild's idempotency and swap."""

from datetime import date
from decimal import Decimal as D

import pytest

from measurement import services
from measurement.aggregation import runs
from measurement.aggregation.rules import aggregate_measure
from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
from measurement.models import Aggregate, AggregateRun, Completeness


def total(rows, period=1):
    return next(r for r in rows if r.period_id == period and r.member1_id is None and r.member2_id is None)


def cell(rows, m1=None, m2=None, period=1):
    return next(r for r in rows if (r.period_id, r.member1_id, r.member2_id) == (period, m1, m2))


class TestRules:
    ROWS = [(1, 10, None, None, D(5)), (1, 11, None, None, D(7)), (1, 12, None, None, D(12))]

    def test_sum(self):
        r = total(
            aggregate_measure(
                aggregation=Aggregation.SUM, value_type=ValueType.INTEGER, dims=0, rows=self.ROWS
            )
        )
        assert (r.value, r.organizations) == (D(24), 3)

    def test_mean(self):
        r = total(
            aggregate_measure(
                aggregation=Aggregation.MEAN, value_type=ValueType.INTEGER, dims=0, rows=self.ROWS
            )
        )
        assert r.value == D(8)

    def test_not_aggregable_needs_one_source(self):
        rows = aggregate_measure(
            aggregation=Aggregation.NONE, value_type=ValueType.PERCENT, dims=0, rows=self.ROWS[:1]
        )
        assert total(rows).value == D(5)
        rows = aggregate_measure(
            aggregation=Aggregation.NONE, value_type=ValueType.PERCENT, dims=0, rows=self.ROWS
        )
        assert total(rows).value is None and total(rows).organizations == 3

    def test_weighted_mean_with_breakdown(self):
        # Two organisations, readiness % by neighbourhood (1, 2), weighted by children assessed.
        rows = [(1, 10, 1, None, D(50)), (1, 10, 2, None, D(70)), (1, 11, 1, None, D(40))]
        weights = [(1, 10, 1, None, D(10)), (1, 10, 2, None, D(30)), (1, 11, 1, None, D(20))]
        result = aggregate_measure(
            aggregation=Aggregation.WEIGHTED_MEAN,
            value_type=ValueType.PERCENT,
            dims=1,
            rows=rows,
            denominator_rows=weights,
        )
        # cell 1: (50·10 + 40·20) / 30 = 43.333…; cell 2: 70 (one organisation)
        assert cell(result, 1).value == D("43.333333") and cell(result, 1).organizations == 2
        assert cell(result, 2).value == D("70.000000")
        # org 10 total: (50·10 + 70·30) / 40 = 65 (weight 40); org 11: 40 (weight 20) → (65·40 + 40·20) / 60
        assert total(result).value == D("56.666667")

    def test_sum_with_two_breakdowns_derives_subtotals(self):
        rows = [(1, 10, 1, 5, D(1)), (1, 10, 1, 6, D(2)), (1, 10, 2, 5, D(3)), (1, 11, 2, 6, D(4))]
        result = aggregate_measure(
            aggregation=Aggregation.SUM, value_type=ValueType.INTEGER, dims=2, rows=rows
        )
        assert cell(result, 1, 5).value == D(1)
        assert cell(result, 1, None).value == D(3)  # 1 + 2
        assert cell(result, 2, None).value == D(7)  # 3 + 4
        assert cell(result, None, 5).value == D(4)  # 1 + 3
        assert cell(result, None, 6).value == D(6)  # 2 + 4
        assert total(result).value == D(10)

    def test_percent_totals_are_means_not_sums(self):
        rows = [(1, 10, 1, None, D(40)), (1, 10, 2, None, D(60))]
        result = aggregate_measure(
            aggregation=Aggregation.MEAN, value_type=ValueType.PERCENT, dims=1, rows=rows
        )
        assert total(result).value == D(50)

    def test_periods_are_kept_apart(self):
        rows = [(1, 10, None, None, D(1)), (2, 10, None, None, D(2))]
        result = aggregate_measure(
            aggregation=Aggregation.SUM, value_type=ValueType.INTEGER, dims=0, rows=rows
        )
        assert total(result, 1).value == D(1) and total(result, 2).value == D(2)


@pytest.fixture
def approved_world(world):
    w, by = world, world.people["backbone"]
    measure = services.measure_save(
        initiative=w.initiative,
        by=by,
        code="hours",
        name_en="Hours",
        definition="d",
        level=Level.PROCESS,
        unit=Unit.COUNT,
        value_type=ValueType.INTEGER,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.YEARLY,
        aggregation=Aggregation.SUM,
    )
    services.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.YEARLY,
        first=date(2024, 1, 1),
        last=date(2025, 12, 31),
    )
    services.assignments_set(
        initiative=w.initiative,
        by=by,
        pairs={(w.orgs["partner"].pk, measure.pk), (w.orgs["funder"].pk, measure.pk)},
    )
    for org, value in (("partner", "10"), ("funder", "32")):
        for period in w.initiative.periods.all():
            submission = services.submission_for(
                initiative=w.initiative, organization=w.orgs[org], period=period, by=by
            )
            services.values_save(
                submission=submission, by=by, raw={(measure.pk, None, None): value}, submit=True
            )
            if org == "partner" or period.code == "2024":
                services.submission_approve(submission=submission, by=by)
    w.measure = measure
    return w


def snapshot(run):
    return sorted(
        Aggregate.objects.filter(run=run).values_list(
            "measure__code", "period__code", "member1", "member2", "value", "organizations"
        )
    )


def full_rebuild(initiative):
    run = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(run.pk, measure_id)
    run.refresh_from_db()
    return run


@pytest.mark.django_db
def test_rebuild_counts_approved_data_only_and_swaps(approved_world):
    w = approved_world
    first = full_rebuild(w.initiative)
    assert first.active and first.status == AggregateRun.Status.DONE
    # 2024: both approved (10 + 32); 2025: only the partner's is approved.
    assert snapshot(first) == [
        ("hours", "2024", None, None, D(42), 2),
        ("hours", "2025", None, None, D(10), 1),
    ]
    c = Completeness.objects.get(run=first, period__code="2025")
    assert (c.expected, c.submitted, c.approved) == (2, 2, 1)
    second = full_rebuild(w.initiative)
    first.refresh_from_db()
    assert second.active and not first.active
    assert snapshot(second) == [
        ("hours", "2024", None, None, D(42), 2),
        ("hours", "2025", None, None, D(10), 1),
    ]
    assert not Aggregate.objects.filter(run=first).exists()  # the old run's rows are gone


@pytest.mark.django_db
def test_running_a_measure_twice_leaves_the_same_rows(approved_world):
    w = approved_world
    run = runs.rebuild_start(w.initiative)
    runs.rebuild_measure(run.pk, w.measure.pk)
    once = snapshot(run)
    runs.compute_into(run, w.measure)  # a redelivered task
    runs.rebuild_measure(run.pk, w.measure.pk)
    assert snapshot(run) == once
    assert Aggregate.objects.filter(run=run).count() == 2


@pytest.mark.django_db
def test_readers_do_not_see_a_half_built_run(approved_world):
    w = approved_world
    first = full_rebuild(w.initiative)
    building = runs.rebuild_start(w.initiative)
    assert runs.active_run(w.initiative) == first
    assert building.status == AggregateRun.Status.QUEUED and not building.active


@pytest.mark.django_db
def test_incremental_update_after_approval(approved_world, django_capture_on_commit_callbacks, eager_tasks):
    w = approved_world
    full_rebuild(w.initiative)
    submission = w.initiative.submissions.get(organization=w.orgs["funder"], period__code="2025")
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_approve(submission=submission, by=w.people["backbone"])
    run = runs.active_run(w.initiative)
    assert Aggregate.objects.get(run=run, period__code="2025", member1=None).value == D(42)
    # Unlocking reopens it for correction: the approved 32 goes on counting...
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_unlock(submission=submission, by=w.people["backbone"], reason="typo")
    assert Aggregate.objects.get(run=run, period__code="2025", member1=None).value == D(42)
    # ...while the correction is entered and submitted...
    cell = (w.measure.pk, None, None)
    with django_capture_on_commit_callbacks(execute=True):
        services.values_save(submission=submission, by=w.people["backbone"], raw={cell: "40"}, submit=True)
    assert Aggregate.objects.get(run=run, period__code="2025", member1=None).value == D(42)
    c = Completeness.objects.get(run=run, period__code="2025")
    assert (c.expected, c.approved) == (2, 2)  # still complete: its approved data still counts
    # ...and the correction counts once approved, as a full rebuild computes it.
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_approve(submission=submission, by=w.people["backbone"])
    assert Aggregate.objects.get(run=run, period__code="2025", member1=None).value == D(50)
    incremental = snapshot(run)
    assert snapshot(full_rebuild(w.initiative)) == incremental


@pytest.mark.django_db
def test_one_value_reopened_keeps_the_approved_figures(
    approved_world, django_capture_on_commit_callbacks, eager_tasks
):
    """Unlocking one value of an approved submission leaves every figure as it was: the other
    values and the reopened one's approved value, until the correction is approved."""
    w = approved_world
    before = snapshot(full_rebuild(w.initiative))
    submission = w.initiative.submissions.get(organization=w.orgs["partner"], period__code="2025")
    value = submission.values.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.value_unlock(value=value, by=w.people["backbone"], reason="typo")
    assert snapshot(runs.active_run(w.initiative)) == before
    assert snapshot(full_rebuild(w.initiative)) == before
    c = Completeness.objects.get(run=runs.active_run(w.initiative), period__code="2025")
    assert c.approved == 1  # the partner's approved data still counts; the funder's never did


@pytest.mark.django_db
def test_changes_during_a_rebuild_are_not_lost(
    approved_world, django_capture_on_commit_callbacks, eager_tasks
):
    w = approved_world
    other = services.measure_save(
        initiative=w.initiative,
        by=w.people["backbone"],
        code="other",
        name_en="Other",
        definition="d",
        level=Level.PROCESS,
        unit=Unit.COUNT,
        value_type=ValueType.INTEGER,
        direction=Direction.HIGHER_IS_BETTER,
        frequency=Frequency.YEARLY,
        aggregation=Aggregation.SUM,
    )
    full_rebuild(w.initiative)
    building = runs.rebuild_start(w.initiative)
    # The rebuild computes "hours" before the approval...
    runs.rebuild_measure(building.pk, w.measure.pk)
    assert Aggregate.objects.get(run=building, period__code="2025", member1=None).value == D(10)
    submission = w.initiative.submissions.get(organization=w.orgs["funder"], period__code="2025")
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_approve(submission=submission, by=w.people["backbone"])
    # ...and its last measure finishes after it: the swap re-applies the change it missed.
    runs.rebuild_measure(building.pk, other.pk)
    assert runs.active_run(w.initiative).pk == building.pk
    assert Aggregate.objects.get(
        run=building, measure=w.measure, period__code="2025", member1=None
    ).value == D(42)
