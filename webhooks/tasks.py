"""Thin Celery tasks of webhooks: ids in, a service call."""

from celery import shared_task


@shared_task
def webhook_deliver_task(delivery_id: int) -> str:
    from . import services

    return services.delivery_attempt(delivery_id)


@shared_task
def webhook_redeliver_task(delivery_id: int, by_id: int | None = None) -> str:
    from django.contrib.auth import get_user_model

    from . import services

    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    return services.delivery_attempt(delivery_id, manual=True, by=by)


@shared_task
def webhooks_catch_up_task(older_than_seconds: int = 120) -> int:
    from . import services

    return services.deliveries_catch_up(older_than_seconds)


@shared_task
def subscription_disabled_notify_task(subscription_id: int) -> bool:
    from . import services

    return services.subscription_disabled_notify(subscription_id)
