"""The incremental update (aggregates.update: all the approved measures of one period at once)
writes exactly the rows a full rebuild writes for that period: aggregates, and completeness with
expected, submitted, approved and on-time counts. On SQLite (the Python rules) and PostgreSQL
(the SQL rules) alike."""

from __future__ import annotations

import pytest

from measurement import services
from measurement.aggregation import runs
from measurement.models import Aggregate, AggregateRun, Completeness

pytestmark = pytest.mark.django_db


def _rows(run, period_id):
    aggregate_rows = Aggregate.objects.filter(run=run, period_id=period_id).values_list(
        "measure_id", "member1_id", "member2_id", "value", "organizations"
    )
    completeness_rows = Completeness.objects.filter(run=run, period_id=period_id).values_list(
        "measure_id", "expected", "submitted", "approved", "on_time"
    )
    key = lambda row: tuple((x is None, x or 0) for x in row)  # noqa: E731 - None sorts first
    return sorted(aggregate_rows, key=key), sorted(completeness_rows, key=key)


def _full_rebuild(initiative) -> AggregateRun:
    run = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(run.pk, measure_id)
    run.refresh_from_db()
    assert run.active
    return run


def test_an_update_writes_what_a_full_rebuild_writes(mworld):
    m = mworld
    # Partner B's current year approved too (it was only submitted), and Partner Org's current
    # year submitted but not approved: completeness counts both, the aggregates only the first.
    services.submission_approve(submission=m.b_submission, by=m.backbone)
    mine = m.submission("year")
    services.values_save(
        submission=mine,
        by=m.backbone,
        raw={
            m.cell("enrolled", "area:dalet"): "95",
            m.cell("enrolled", "area:hey"): "96",
            m.cell("enrolled", "area:vav"): "97",
            m.cell("ready-pct"): "40",
            m.cell("attended"): "4",
        },
        submit=True,
    )
    year = m.periods["year"]
    run = _full_rebuild(m.initiative)
    expected = _rows(run, year.pk)
    assert expected[0] and expected[1], "nothing to compare"
    # Wipe the period in the active run, then let the incremental update write it again.
    Aggregate.objects.filter(run=run, period=year).delete()
    Completeness.objects.filter(run=run, period=year).delete()
    runs.update(m.initiative.pk, list(m.initiative.measures.values_list("pk", flat=True)), year.pk)
    assert _rows(run, year.pk) == expected
    # Run twice: the same rows, nothing doubled.
    runs.update(m.initiative.pk, list(m.initiative.measures.values_list("pk", flat=True)), year.pk)
    assert _rows(run, year.pk) == expected


def test_an_update_of_some_measures_leaves_the_others(mworld):
    m = mworld
    services.submission_approve(submission=m.b_submission, by=m.backbone)
    year = m.periods["year"]
    run = _full_rebuild(m.initiative)
    before = _rows(run, year.pk)
    enrolled = m.measures["enrolled"]
    runs.update(m.initiative.pk, [enrolled.pk], year.pk)
    assert _rows(run, year.pk) == before
    # A quarterly measure updated for a yearly period writes nothing for it (not its frequency).
    runs.update(m.initiative.pk, [m.measures["sessions"].pk], year.pk)  # quarterly
    assert _rows(run, year.pk) == before


def test_marking_again_makes_an_applied_mark_pending_once_more(mworld):
    from measurement.models import DirtyAggregate

    m = mworld
    year = m.periods["year"]
    ids = [m.measures["enrolled"].pk, m.measures["attended"].pk]
    runs.mark_dirty(m.initiative.pk, ids + ids[:1], year.pk)  # a repeated id marks once
    assert DirtyAggregate.objects.filter(period=year, applied_at=None).count() == 2
    runs.update(m.initiative.pk, ids, year.pk)
    first = dict(DirtyAggregate.objects.filter(period=year).values_list("measure_id", "marked_at"))
    assert not DirtyAggregate.objects.filter(period=year, applied_at=None).exists()
    runs.mark_dirty(m.initiative.pk, ids[:1], year.pk)
    pending = DirtyAggregate.objects.get(period=year, applied_at=None)
    assert pending.measure_id == ids[0] and pending.marked_at >= first[ids[0]]
    assert DirtyAggregate.objects.filter(period=year).count() == 2
