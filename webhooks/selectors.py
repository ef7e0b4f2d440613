"""Reads of webhooks."""

from __future__ import annotations

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from initiatives.models import Initiative

from .choices import DeliveryStatus
from .models import Attempt, Delivery, Subscription


def subscriptions_of(initiative: Initiative) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(initiative=initiative)
        .select_related("created_by", "initiative")
        .annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SUCCEEDED)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            last_event_at=Max("deliveries__created_at"),
        )
    )


def deliveries_of(initiative: Initiative) -> QuerySet[Delivery]:
    """The delivery log, newest first, each with its attempts."""
    return (
        Delivery.objects.filter(subscription__initiative=initiative)
        .select_related("event", "subscription")
        .prefetch_related(
            Prefetch("attempt_log", queryset=Attempt.objects.select_related("by").order_by("number"))
        )
        .order_by("-created_at", "-id")
    )
