"""Thin Celery tasks: ids in, a service does the work."""

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def network_metrics_compute_task(wave_id: int) -> None:
    services.network_metrics_compute(wave_id=wave_id)
