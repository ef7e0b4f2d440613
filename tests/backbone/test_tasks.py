"""Thin tasks call the services; the nightly task queues one recompute per initiative with periods."""

import pytest

from backbone import services, tasks
from backbone.models import FunctionScore, IndicatorScore, ScoreRun

from .helpers import PERIOD

pytestmark = pytest.mark.django_db


def test_recompute_task_runs_the_service_and_records_the_run(world, eager_tasks):
    services.period_ensure(initiative=world.initiative, code=PERIOD)
    run = ScoreRun.objects.create(initiative=world.initiative, trigger="manual")
    assert tasks.scores_recompute_task.delay(world.initiative.pk, run.pk).get() == run.pk
    run.refresh_from_db()
    assert run.status == "done" and run.periods == 1 and run.indicators == 27 and run.finished_at
    assert IndicatorScore.objects.count() == 27 and FunctionScore.objects.count() == 6


def test_nightly_task_recomputes_each_initiative_with_periods(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    services.period_ensure(initiative=world.initiative, code=PERIOD)
    assert tasks.scores_recompute_all_task.delay().get() == 1  # the other initiative has no period
    run = ScoreRun.objects.get()
    assert (run.initiative_id, run.trigger, run.status) == (world.initiative.pk, "nightly", "done")


def test_a_failing_recompute_is_recorded_as_failed(world, monkeypatch):
    def boom(initiative):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "scores_compute", boom)
    with pytest.raises(RuntimeError):
        services.scores_recompute(initiative=world.initiative)
    run = ScoreRun.objects.get()
    assert run.status == "failed" and "disk full" in run.error


def test_the_nightly_beat_entry_names_a_real_task():
    from ci_platform.celery import app

    app.loader.import_default_modules()
    assert "backbone.tasks.scores_recompute_all_task" in app.tasks
    assert "backbone.tasks.scores_recompute_task" in app.tasks
