"""Webhooks: an initiative's backbone staff subscribe a URL to its events; each event is sent to
each subscription that listens for it, signed as the Standard Webhooks specification says
(https://www.standardwebhooks.com/), retried with exponential backoff, and every attempt is kept
in the delivery log. Payloads carry ids, types, times and API links, never data values."""

import json

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative

from .choices import DeliveryStatus, EventType


class Subscription(models.Model):
    """A receiver's URL and the events it listens for. The secret signs every request; after a
    rotation the previous one signs too until `previous_secret_expires_at` (the overlap)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # Kept readable: every request is signed with it (HMAC needs the key itself, not a hash).
    secret = models.CharField(max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Failed attempts in a row since the last success; at WEBHOOKS_DISABLE_AFTER the subscription is
    # disabled and its creator told.
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url

    def get_absolute_url(self) -> str:
        return reverse("webhooks:detail", kwargs={"slug": self.initiative.slug, "pk": self.pk})

    def listens_for(self, event_type: str) -> bool:
        return event_type in (self.events or [])

    def event_labels(self) -> list[str]:
        return [str(EventType(e).label) for e in self.events or [] if e in EventType.values]

    @property
    def secret_hint(self) -> str:
        """The secret as lists and logs show it: its prefix and last characters only."""
        return f"whsec_…{self.secret[-4:]}" if self.secret else ""


class Event(models.Model):
    """Something that happened in the initiative, as sent to the subscriptions listening for it.
    `msg_id` is the `webhook-id`: the same on every attempt and redelivery, so that a receiver can
    tell a message it already handled."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="webhook_events")
    msg_id = models.CharField(max_length=40, unique=True)
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.type} {self.msg_id}"

    def body(self) -> bytes:
        """The request body, the same bytes on every attempt (the signature covers them)."""
        payload = {"type": self.type, "timestamp": self.created_at.isoformat(), "data": self.data}
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Delivery(models.Model):
    """One event to one subscription: pending until an attempt succeeds or the retries run out."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhooks_one_delivery_per_event")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event} -> {self.subscription}"


class Attempt(models.Model):
    """One request of a delivery, as the delivery log shows it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("sent"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)  # the network's words, as they came
    # Why the attempt failed, as a message (communication.messages): read in the reader's language.
    reason = models.JSONField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    manual = models.BooleanField(_("redelivered by hand"), default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error_text}"

    @property
    def error_text(self) -> str:
        from communication.messages import render

        return render(self.reason, self.error)
