"""A worker killed with SIGKILL in the middle of a task loses nothing: the task is delivered again
and the final tables equal those of a clean run (no duplicates, no gaps).

Each test stops the task at a known point half way through its writes: a second database session
holds a lock that the task's next write needs, and the test waits until PostgreSQL reports the
worker's session waiting for it. Then it kills either

* the pool child that runs the task (`pool-child`, prefork pool): the worker's main process sees
  the child die and, the task being `acks_late` and `reject_on_worker_lost`, puts the message back
  at once; or
* every process of the worker (`whole-worker`): nothing acknowledges or rejects the message, which
  stays in Redis' "unacked" records. Redis gives it to a worker again only once it has been
  unacknowledged for the visibility timeout (CELERY_VISIBILITY_TIMEOUT, 40 minutes by default):
  the test first shows that a restarted worker with the default does NOT run it, then starts one
  with a 2-second visibility timeout, which does.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from datetime import date

import pytest

from ..conftest import wait_for
from .conftest import sleep_past, unacked_count, unacked_task_ids
from .helpers import Eager, aggregate_tables

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

KILLS = ["pool-child", "whole-worker"]


def _kill(kill: str, worker, blocker, backend_pid: int) -> None:
    if kill == "pool-child":
        children = worker.children()
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
    else:
        worker.kill_everything()
    # A session waiting for a lock does not notice that its client died: only once the lock is let
    # go does it run on, find the socket closed, and roll its transaction back.
    blocker.release()
    blocker.wait_until_gone(backend_pid)


def _restart_after_whole_kill(workers, delivered_at: float, stuck) -> None:
    """After a whole-worker kill: the production visibility timeout keeps the message away from a
    restarted worker; a short one brings it back."""
    (killed,) = unacked_task_ids()
    plain = workers("restarted-default-visibility")
    plain.wait_ready()  # its sweep of the unacked records has run
    # A message the sweep put back would be taken by the worker's first poll, right after.
    time.sleep(1)
    assert f"[{killed}] received" not in plain.log, "the killed task was delivered again before its timeout"
    assert stuck(), "the killed task ran again before its visibility timeout"
    assert unacked_count() == 1
    plain.stop()
    sleep_past(3, delivered_at)
    workers("restarted-short-visibility", CELERY_VISIBILITY_TIMEOUT=2)


# --- Full aggregate rebuild ------------------------------------------------------------------------


def _measurement_data(world):
    """3 organisations × 4 measures (sum by area, mean, weighted mean, not aggregable) × 6 months,
    entered, submitted and approved through the services."""
    from initiatives.choices import Sector
    from initiatives.models import Organization
    from measurement import services
    from measurement.choices import Aggregation, Frequency, Unit, ValueType

    from ..measurement.conftest import make_measure

    init, by = world.initiative, world.people["backbone"]
    orgs = [world.orgs["partner"]]
    for name in ("North", "South"):
        org = Organization.objects.create(name=f"{name} Partner", sector=Sector.NONPROFIT)
        init.participations.get_or_create(organization=org)
        orgs.append(org)
    area = services.dimension_create(
        initiative=init,
        by=by,
        code="area",
        name_en="Area",
        name_he="אזור",
        members=[("a", "A", "א"), ("b", "B", "ב"), ("c", "C", "ג")],
    )
    monthly = {"frequency": Frequency.MONTHLY}
    enrolled = make_measure(init, by, "enrolled", dimensions=[area], aggregation=Aggregation.SUM, **monthly)
    measures = [
        enrolled,
        make_measure(
            init, by, "score", aggregation=Aggregation.MEAN, value_type=ValueType.DECIMAL, **monthly
        ),
        make_measure(
            init,
            by,
            "ready-pct",
            aggregation=Aggregation.WEIGHTED_MEAN,
            value_type=ValueType.PERCENT,
            unit=Unit.PERCENT,
            denominator=enrolled,
            **monthly,
        ),
        make_measure(init, by, "rate", aggregation=Aggregation.NONE, value_type=ValueType.DECIMAL, **monthly),
    ]
    services.periods_ensure(
        initiative=init, by=by, frequency=Frequency.MONTHLY, first=date(2025, 1, 1), last=date(2025, 6, 30)
    )
    services.assignments_set(initiative=init, by=by, pairs={(o.pk, m.pk) for o in orgs for m in measures})
    members = list(area.members.order_by("order"))
    rng = random.Random(10)  # noqa: S311 - test data
    with Eager():
        for org in orgs:
            for period in init.periods.all():
                raw = {(enrolled.pk, m.pk, None): str(rng.randint(10, 90)) for m in members}
                raw |= {(m.pk, None, None): str(rng.randint(0, 100)) for m in measures[1:]}
                submission = services.submission_for(initiative=init, organization=org, period=period, by=by)
                services.values_save(submission=submission, by=by, raw=raw, submit=True)
                services.submission_approve(submission=submission, by=by)
    return measures


@pytest.mark.parametrize("kill", KILLS)
def test_full_rebuild_killed_half_way_is_redelivered_and_equals_a_clean_run(world, workers, blocker, kill):
    from measurement.aggregation import runs
    from measurement.models import AggregateRun, AggregateRunMeasure
    from measurement.tasks import aggregates_rebuild_task

    _measurement_data(world)
    # The real rebuild task, run here: it opens the run and queues one task per measure (no worker yet).
    run_id = aggregates_rebuild_task.apply(args=[world.initiative.pk]).get()
    measure_ids = list(world.initiative.measures.values_list("pk", flat=True))  # the queue's order
    run = AggregateRun.objects.get(pk=run_id)
    assert run.status == "queued" and run.measures_total == len(measure_ids) == 4

    # The third measure's task will stop at its last write: its "measure done" row is held by us.
    lock = blocker()
    lock.execute(
        "INSERT INTO measurement_aggregaterunmeasure (run_id, measure_id) VALUES (%s, %s)",
        [run_id, measure_ids[2]],
    )
    worker = workers("first", pool="prefork" if kill == "pool-child" else "solo")
    backend_pid, query = lock.wait_until_blocking()
    delivered_at = time.monotonic()
    assert "measurement_aggregaterunmeasure" in query
    # Half way: two measures committed, the third has written its rows (uncommitted), one is queued.
    assert AggregateRunMeasure.objects.filter(run_id=run_id).count() == 2
    assert unacked_count() == 1

    _kill(kill, worker, lock, backend_pid)
    if kill == "whole-worker":

        def stuck():
            done = AggregateRunMeasure.objects.filter(run_id=run_id)
            # the queued fourth measure runs; the killed third does not
            return done.count() == 3 and not done.filter(measure_id=measure_ids[2]).exists()

        _restart_after_whole_kill(workers, delivered_at, stuck)

    finished = wait_for(lambda: AggregateRun.objects.filter(pk=run_id, status="done").first(), timeout=90)
    assert finished is not None, "the rebuild never finished:\n" + "\n".join(w.log[-3000:] for w in [worker])
    assert finished.active and finished.measures_done == finished.measures_total == 4
    assert AggregateRunMeasure.objects.filter(run_id=run_id).count() == 4
    faulted = aggregate_tables(run_id)
    assert sum(faulted[0].values()) > 0 and sum(faulted[1].values()) > 0

    # A clean rebuild, in this process, of the same data.
    clean = runs.rebuild_start(world.initiative)
    for measure_id in measure_ids:
        runs.rebuild_measure(clean.pk, measure_id)
    assert aggregate_tables(clean.pk) == faulted
    if kill == "pool-child":
        assert "WorkerLostError" in worker.log or "SIGKILL" in worker.log


# --- Backbone score computation -------------------------------------------------------------------


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("kill", KILLS)
def test_score_computation_killed_half_way_is_redelivered_and_equals_a_clean_run(
    world, workers, blocker, kill
):
    from backbone import services
    from backbone.choices import RespondentGroup
    from backbone.models import FunctionScore, IndicatorScore, ScoreRun

    from ..backbone.helpers import answer, invite, make_wave, open_wave

    wave = make_wave(world, "partner-10", "partner-11", "community-18")
    people = invite(world, wave, RespondentGroup.PARTNER, 6)
    open_wave(world, wave)
    for person, rating in zip(people[:3], (5, 4, 2), strict=True):
        answer(person, rating)
    services.scores_recompute(initiative=world.initiative)  # the scores before: what gets replaced
    before = IndicatorScore.objects.filter(initiative=world.initiative).count()
    for person, rating in zip(people[3:], (1, 3, 5), strict=True):
        answer(person, rating)

    # The recompute stops after deleting the old indicator scores, at the function scores' delete.
    lock = blocker()
    lock.execute(
        "SELECT 1 FROM backbone_functionscore WHERE initiative_id = %s FOR UPDATE", [world.initiative.pk]
    )
    run = services.scores_recompute_request(initiative=world.initiative, by=world.people["backbone"])
    worker = workers("first", pool="prefork" if kill == "pool-child" else "solo")
    backend_pid, query = lock.wait_until_blocking()
    delivered_at = time.monotonic()
    assert "backbone_functionscore" in query and query.lstrip().upper().startswith("DELETE")
    assert unacked_count() == 1
    # Nothing of the half-done transaction is visible: the old scores are all there.
    assert IndicatorScore.objects.filter(initiative=world.initiative).count() == before

    _kill(kill, worker, lock, backend_pid)
    if kill == "whole-worker":
        _restart_after_whole_kill(
            workers, delivered_at, lambda: ScoreRun.objects.get(pk=run.pk).status == "running"
        )

    done = wait_for(lambda: ScoreRun.objects.filter(pk=run.pk, status="done").first(), timeout=90)
    assert done is not None, "the recompute never finished:\n" + worker.log[-3000:]

    def tables():
        return (
            Counter(
                IndicatorScore.objects.filter(initiative=world.initiative).values_list(
                    "period_id", "indicator_id", "score", "survey_score", "record_score", "confidence",
                    "responses", "invited", "response_rate",
                )
            ),
            Counter(
                FunctionScore.objects.filter(initiative=world.initiative).values_list(
                    "period_id", "function_id", "score", "confidence", "indicators_scored", "indicators_total"
                )
            ),
        )  # fmt: skip

    faulted = tables()
    assert IndicatorScore.objects.filter(initiative=world.initiative).exclude(run_id=run.pk).count() == 0
    services.scores_recompute(initiative=world.initiative)  # a clean run of the same data
    assert tables() == faulted
    assert sum(faulted[0].values()) >= before > 0
