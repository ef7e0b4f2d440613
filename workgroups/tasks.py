"""Thin Celery tasks: ids in, a service does the work."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def network_metrics_compute_task(wave_id: int) -> None:
    services.network_metrics_compute(wave_id=wave_id)


@shared_task
def network_metrics_catch_up_task(older_than_seconds: int = 600) -> int:
    """Every few minutes (Celery beat): queue again the network figures still waiting to be
    computed after `older_than_seconds`, e.g. a wave closed while the broker was down."""
    from ci_platform.celery import requeue_pending

    from .choices import MetricsStatus
    from .models import NetworkMetrics

    pending = NetworkMetrics.objects.filter(status=MetricsStatus.PENDING)
    return requeue_pending(
        pending, "requested_at", older_than_seconds, network_metrics_compute_task, "wave_id"
    )
