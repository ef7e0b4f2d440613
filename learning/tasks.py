"""Thin Celery tasks of the learning app."""

from celery import shared_task


@shared_task
def risk_reviews_notify_task() -> int:
    from . import services

    return services.risk_reviews_notify()
