"""A correction of approved data, with a real Celery worker computing the aggregates (through
Redis, on the test database): unlock → correction saved → submitted → approved. While the
correction waits, the active run's aggregates stay those of the approved data; once approved they
are those a fresh full rebuild computes."""

from decimal import Decimal
from pathlib import Path

import pytest

from measurement import services
from measurement.aggregation.runs import active_run
from measurement.models import Aggregate, AggregateRun, Correction, DataValue, DirtyAggregate
from measurement.tasks import aggregates_rebuild_task

from ..conftest import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def aggregates(run) -> list[tuple]:
    return sorted(
        Aggregate.objects.filter(run=run)
        .order_by()
        .values_list("measure_id", "period_id", "member1_id", "member2_id", "value", "organizations"),
        key=lambda r: tuple(-1 if x is None else x for x in r[:4]),
    )


def settled(initiative, log) -> list[tuple]:
    """The active run's aggregates once the worker has applied every pending mark."""
    done = wait_for(lambda: not DirtyAggregate.objects.filter(applied_at=None).exists() or None)
    assert done, "the worker left marks pending:\n" + Path(log).read_text()[-3000:]
    run = active_run(initiative)
    assert run is not None
    return aggregates(run)


def full_rebuild(initiative, log) -> list[tuple]:
    before = set(AggregateRun.objects.filter(initiative=initiative).values_list("pk", flat=True))
    aggregates_rebuild_task.delay(initiative.pk)
    run = wait_for(
        lambda: (
            AggregateRun.objects.filter(initiative=initiative, kind="full", active=True)
            .exclude(pk__in=before)
            .first()
        )
    )
    assert run is not None, "no full rebuild finished:\n" + Path(log).read_text()[-3000:]
    return aggregates(run)


# celery_worker first: it purges the queue as it starts, so the tasks mworld queues must come after.
def test_aggregates_keep_the_approved_values_until_the_correction_is_approved(celery_worker, mworld):
    _mail, log = celery_worker
    initiative, backbone, partner = mworld.initiative, mworld.backbone, mworld.partner
    attended = mworld.cell("attended")
    enrolled = mworld.cell("enrolled", "area:dalet")
    year = mworld.periods["year"]

    submission = mworld.submission("year")
    services.values_save(submission=submission, by=partner, raw=mworld.valid_year(), submit=True)
    services.submission_approve(submission=submission, by=backbone)
    incremental = settled(initiative, log)
    approved = full_rebuild(initiative, log)
    assert incremental == approved
    attended_total = [r for r in approved if r[:4] == (attended[0], year.pk, None, None)]
    assert [r[4] for r in attended_total] == [Decimal(200)]

    # Unlock two values: the update the unlock queues recomputes from the approved values still.
    for cell in (attended, enrolled):
        value = DataValue.objects.get(
            submission=submission, measure_id=cell[0], member1_id=cell[1], member2_id=cell[2]
        )
        submission = services.value_unlock(value=value, by=backbone, reason="Recount")
    assert settled(initiative, log) == approved

    # The correction saved, then submitted: the approved rows and the aggregates do not move.
    services.values_save(
        submission=submission,
        by=partner,
        raw={attended: "190", enrolled: "120"},
        comments={enrolled: "Late enrolment"},
        replace=False,
    )
    assert Correction.objects.filter(submission=submission).count() == 2
    assert settled(initiative, log) == approved
    submission.refresh_from_db()
    services.values_save(submission=submission, by=partner, raw={}, replace=False, submit=True)
    assert settled(initiative, log) == approved

    # Approved: the corrections are the data; the incremental update equals a full rebuild.
    services.submission_approve(submission=submission, by=backbone)
    corrected = settled(initiative, log)
    assert corrected != approved
    assert corrected == full_rebuild(initiative, log)
    totals = {r[0]: r[4] for r in corrected if r[1] == year.pk and r[2] is None and r[3] is None}
    assert totals[attended[0]] == Decimal(190)
    # enrolled: Partner Org 120 + 100 + 105, Partner B's submitted (not approved) values left out.
    assert totals[enrolled[0]] == Decimal(325)
    assert not Correction.objects.exists()
