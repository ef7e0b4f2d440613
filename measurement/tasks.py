from celery import shared_task

from .reminders import reminders_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def reminders_send_task() -> int:
    """Daily (Celery beat): email contributors whose data is due soon or overdue."""
    return reminders_send()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def aggregates_rebuild_task(initiative_id: int, run_id: int | None = None) -> int:
    """Full rebuild of one initiative: the run requested (services.aggregates_rebuild_request) or,
    nightly, a new one; then one task per measure (a measure done already is not redone)."""
    from django.db import transaction

    from initiatives.models import Initiative

    from .aggregation import runs
    from .choices import MeasureKind
    from .models import AggregateRun

    initiative = Initiative.objects.get(pk=initiative_id)
    run = AggregateRun.objects.filter(pk=run_id, initiative=initiative).first() if run_id else None
    if run is None:
        run = runs.rebuild_start(initiative)
    # Entered measures only: the calculated ones follow their inputs, in rebuild_finish.
    measure_ids = list(initiative.measures.filter(kind=MeasureKind.ENTERED).values_list("pk", flat=True))
    transaction.on_commit(lambda: [aggregate_measure_task.delay(run.pk, m) for m in measure_ids])
    return run.pk


@shared_task(acks_late=True, reject_on_worker_lost=True, autoretry_for=(OSError,), max_retries=3)
def aggregate_measure_task(run_id: int, measure_id: int) -> None:
    from .aggregation import runs

    initiative_id = runs.rebuild_measure(run_id, measure_id)
    if initiative_id is not None:  # the last measure: the run is the active one now
        dashboard_cards_render_task.delay(initiative_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def aggregates_update_task(initiative_id: int, measure_ids: list[int], period_id: int) -> None:
    """Incremental: one submission's period changed state; recompute its measures there."""
    from .aggregation import runs

    runs.update(initiative_id, measure_ids, period_id)
    dashboard_cards_render_task.delay(initiative_id)


@shared_task(ignore_result=True)
def dashboard_cards_render_task(initiative_id: int) -> int:
    """After the aggregates changed: render the dashboard's new cards into the cache, so that its
    first reader does not (measurement/dashboards/prerender.py)."""
    from .dashboards.prerender import dashboard_cards_render

    return dashboard_cards_render(initiative_id)


@shared_task
def aggregates_rebuild_all_task() -> int:
    """Nightly (Celery beat): a full rebuild of every initiative that has measures."""
    from initiatives.models import Initiative

    ids = list(Initiative.objects.filter(measures__isnull=False).distinct().values_list("pk", flat=True))
    for initiative_id in ids:
        aggregates_rebuild_task.delay(initiative_id)
    return len(ids)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def aggregates_catch_up_task(older_than_seconds: int = 60) -> int:
    """Every few minutes (Celery beat): queue again the work a broker outage kept from being queued:
    an update per (initiative, period) whose dirty marks are still pending, and each requested full
    rebuild still queued. It only queues; the workers do the work. Marks and runs younger than
    `older_than_seconds` are left to their own task. Returns how many tasks were queued."""
    from datetime import timedelta

    from django.utils import timezone

    from ci_platform.celery import requeue_pending

    from .models import AggregateRun, DirtyAggregate

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    groups: dict[tuple[int, int], set[int]] = {}
    for initiative_id, period_id, measure_id in DirtyAggregate.objects.filter(
        applied_at=None, marked_at__lte=cutoff
    ).values_list("initiative_id", "period_id", "measure_id"):
        groups.setdefault((initiative_id, period_id), set()).add(measure_id)
    for (initiative_id, period_id), measure_ids in sorted(groups.items()):
        aggregates_update_task.delay(initiative_id, sorted(measure_ids), period_id)
    rebuilds = requeue_pending(
        AggregateRun.objects.filter(kind=AggregateRun.Kind.FULL, status=AggregateRun.Status.QUEUED),
        "created_at",
        older_than_seconds,
        aggregates_rebuild_task,
        "initiative_id",
        "pk",
    )
    return len(groups) + rebuilds


@shared_task(acks_late=True, reject_on_worker_lost=True)
def aggregates_calculated_task(measure_id: int) -> None:
    """A calculated measure's formula changed: recompute it (and what uses it) in the active run."""
    from .aggregation import runs

    runs.calculated_refresh(measure_id)
