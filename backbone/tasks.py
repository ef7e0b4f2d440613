"""Thin Celery tasks: ids in, a service call out."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def scores_recompute_task(initiative_id: int, run_id: int | None = None) -> int:
    """Recompute one initiative's backbone scores (on demand, when a wave closes, nightly)."""
    from initiatives.models import Initiative

    from . import services
    from .models import ScoreRun

    initiative = Initiative.objects.get(pk=initiative_id)
    run = ScoreRun.objects.filter(pk=run_id).first() if run_id else None
    return services.scores_recompute(
        initiative=initiative, run=run, trigger=run.trigger if run else "nightly"
    ).pk


@shared_task
def scores_recompute_all_task() -> int:
    """Nightly (Celery beat): one recompute task per initiative that has an assessment period."""
    from . import services
    from .choices import RunTrigger
    from .models import ScoreRun

    ids = services.initiatives_to_score()
    for initiative_id in ids:
        run = ScoreRun.objects.create(initiative_id=initiative_id, trigger=RunTrigger.NIGHTLY)
        scores_recompute_task.delay(initiative_id, run.pk)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def survey_invitations_send_task(wave_id: int) -> int:
    from . import services

    return services.invitations_deliver(wave_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def survey_reminders_send_task(wave_id: int) -> int:
    from . import services

    return services.reminders_deliver(wave_id)


@shared_task
def backbone_catch_up_task(older_than_seconds: int = 600) -> int:
    """Every few minutes (Celery beat): queue again what a broker outage kept from being queued:
    score runs still queued, and survey invitations still unsent in open waves. Returns how many."""
    from ci_platform.celery import requeue_pending

    from .choices import RunStatus, WaveStatus
    from .models import ScoreRun, SurveyWave

    runs = ScoreRun.objects.filter(status=RunStatus.QUEUED)
    waves = SurveyWave.objects.filter(
        status=WaveStatus.OPEN, respondents__invited_at=None, respondents__responded_at=None
    )
    return requeue_pending(
        runs, "created_at", older_than_seconds, scores_recompute_task, "initiative_id", "pk"
    ) + requeue_pending(waves, "opened_at", older_than_seconds, survey_invitations_send_task, "pk")
