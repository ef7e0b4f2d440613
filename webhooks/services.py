"""Writes of webhooks: subscriptions, the events the other apps emit, and each delivery attempt.

Each state change is one function, atomic; what leaves the database (a request queued, an email)
goes on commit. The other apps call `event_emit` (or `submission_event`) once where the thing
happens, inside their own transaction: the event and its deliveries commit with it, or not at all,
and the requests are queued only once it has committed."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from initiatives.models import Initiative
from initiatives.permissions import require

from . import network, payloads, signing
from . import permissions as perms
from .choices import DeliveryStatus, EventType
from .models import Attempt, Delivery, Event, Subscription

log = logging.getLogger(__name__)

# The audit trail's words for a submission's transitions (measurement.choices.AuditAction).
SUBMISSION_EVENTS = {
    "submit": EventType.SUBMISSION_SUBMITTED,
    "approve": EventType.SUBMISSION_APPROVED,
    "return": EventType.SUBMISSION_RETURNED,
    "unlock": EventType.SUBMISSION_REOPENED,
}


# --- Subscriptions --------------------------------------------------------------------------------


def _clean(url: str, events) -> tuple[str, list[str]]:
    """The checks of every channel (the page and the API): a public address, known events."""
    url = (url or "").strip()
    try:
        network.check_url(url)
    except network.UnsafeURL as exc:
        raise ValidationError({"url": str(exc)}) from exc
    events = list(dict.fromkeys(events or []))
    unknown = [e for e in events if e not in EventType.values]
    if unknown:
        raise ValidationError({"events": _("Unknown event: %(event)s.") % {"event": unknown[0]}})
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    return url, events


@transaction.atomic
def subscription_create(
    *, initiative: Initiative, by, url: str, events, description: str = ""
) -> tuple[Subscription, str]:
    """A new subscription and its secret (returned to be shown once)."""
    require(by, perms.MANAGE, initiative)
    url, events = _clean(url, events)
    secret = signing.secret_new()
    subscription = Subscription.objects.create(
        initiative=initiative,
        url=url,
        events=events,
        description=description.strip(),
        secret=secret,
        created_by=by,
    )
    return subscription, secret


@transaction.atomic
def subscription_update(
    *, subscription: Subscription, by, url=None, events=None, description=None, is_active=None
) -> Subscription:
    """Change the address, the events or the description; enabling again clears the failure count."""
    require(by, perms.MANAGE, subscription.initiative)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    url, events = _clean(
        subscription.url if url is None else url, subscription.events if events is None else events
    )
    subscription.url, subscription.events = url, events
    if description is not None:
        subscription.description = description.strip()
    if is_active is not None and is_active != subscription.is_active:
        subscription.is_active = is_active
        subscription.disabled_at = None if is_active else timezone.now()
        subscription.consecutive_failures = 0
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription, by) -> None:
    require(by, perms.MANAGE, subscription.initiative)
    subscription.delete()


@transaction.atomic
def subscription_secret_rotate(*, subscription: Subscription, by) -> str:
    """A new secret, returned to be shown once. The previous one goes on signing beside it for
    WEBHOOKS_ROTATION_OVERLAP_HOURS, time for the receiver to be given the new one."""
    require(by, perms.MANAGE, subscription.initiative)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    secret = signing.secret_new()
    subscription.previous_secret = subscription.secret
    subscription.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.WEBHOOKS_ROTATION_OVERLAP_HOURS
    )
    subscription.secret = secret
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return secret


def secrets_in_force(subscription: Subscription, at) -> list[str]:
    """The secrets that sign a request sent at `at`: the current one, and the previous one during
    its overlap."""
    found = [subscription.secret]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and at < expires:
        found.append(subscription.previous_secret)
    return found


# --- Events ---------------------------------------------------------------------------------------


def event_emit(*, initiative: Initiative | int, type: str, subject, **extra) -> Event | None:
    """Record that `type` happened to `subject` and queue it for every active subscription of the
    initiative listening for it (on commit). Nothing is written when no one listens."""
    initiative_id = initiative if isinstance(initiative, int) else initiative.pk
    listening = [
        s
        for s in Subscription.objects.filter(initiative_id=initiative_id, is_active=True).only("id", "events")
        if s.listens_for(type)
    ]
    if not listening:
        return None
    slug = (
        initiative.slug
        if isinstance(initiative, Initiative)
        else Initiative.objects.get(pk=initiative_id).slug
    )
    now = timezone.now()
    event = Event.objects.create(
        initiative_id=initiative_id,
        msg_id=f"msg_{uuid.uuid4().hex}",
        type=type,
        data=payloads.BUILDERS[type](subject, slug, **extra),
        created_at=now,
    )
    deliveries = Delivery.objects.bulk_create(
        [Delivery(subscription=s, event=event, next_attempt_at=now) for s in listening]
    )
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: [_queue(pk) for pk in ids])
    return event


def submission_event(*, submission, action: str) -> Event | None:
    """A submission submitted, approved, returned or reopened (its audit action)."""
    return event_emit(initiative=submission.initiative_id, type=SUBMISSION_EVENTS[action], subject=submission)


def _queue(delivery_id: int, countdown: float = 0) -> bool:
    """Queue one attempt; a broker that is down leaves the delivery pending for the catch-up."""
    from .tasks import webhook_deliver_task

    try:
        webhook_deliver_task.apply_async((delivery_id,), countdown=countdown)
    except OperationalError as exc:
        log.error("broker unavailable, webhook delivery %s not queued: %s", delivery_id, exc)
        return False
    return True


# --- Deliveries -----------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> int:
    """The wait after the `attempts`-th failed attempt: base, 2 × base, 4 × base, …"""
    return settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)


def delivery_attempt(delivery_id: int, *, manual: bool = False, by=None) -> str:
    """Send one delivery once and log the attempt. An automatic attempt is made only for a pending
    delivery whose time has come; a failure schedules the next (exponential backoff) until
    WEBHOOKS_MAX_ATTEMPTS, and WEBHOOKS_DISABLE_AFTER failures in a row disable the subscription.
    The delivery's row is locked while it is sent: a duplicate task skips it, so a delivery that
    succeeded is never sent again by the retries. Returns what happened, for the task's log."""
    with transaction.atomic():
        found = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "event")
            .filter(pk=delivery_id)
        )
        if not manual:
            found = found.filter(status=DeliveryStatus.PENDING)
        delivery = found.first()
        if delivery is None:
            return "skipped"
        subscription = delivery.subscription
        if not manual and delivery.next_attempt_at and delivery.next_attempt_at > timezone.now():
            return "not yet"  # its scheduled task comes later
        if not subscription.is_active:
            if delivery.status == DeliveryStatus.PENDING:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.CANCELLED, None
                delivery.save(update_fields=["status", "next_attempt_at"])
            return "cancelled"
        body = delivery.event.body()
        at = timezone.now()
        headers = signing.headers(
            secrets_in_force=secrets_in_force(subscription, at),
            msg_id=delivery.event.msg_id,
            at=at,
            body=body,
        )
        result = network.post(subscription.url, body, headers)
        delivery.attempts += 1
        Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=at,
            status_code=result.status_code,
            response_ms=result.response_ms,
            error=result.error[:500],
            reason=result.reason,
            succeeded=result.ok,
            manual=manual,
            by=by,
        )
        delivery.last_status_code = result.status_code
        if result.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.SUCCEEDED,
                at,
                None,
            )
            Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        else:
            if not manual and delivery.attempts < settings.WEBHOOKS_MAX_ATTEMPTS:
                wait = backoff_seconds(delivery.attempts)
                delivery.next_attempt_at = at + timedelta(seconds=wait)
                transaction.on_commit(lambda: _queue(delivery.pk, countdown=wait))
            elif not manual:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            _failure_count(subscription)
        delivery.save(
            update_fields=["status", "attempts", "next_attempt_at", "last_status_code", "delivered_at"]
        )
    if result.ok:
        return "delivered"
    from communication.messages import render

    return f"failed ({result.status_code or render(result.reason, result.error)})"


def _failure_count(subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = Subscription.objects.values_list("consecutive_failures", flat=True).get(pk=subscription.pk)
    if failures >= settings.WEBHOOKS_DISABLE_AFTER:
        disabled = Subscription.objects.filter(pk=subscription.pk, is_active=True).update(
            is_active=False, disabled_at=timezone.now()
        )
        if disabled:
            from ci_platform.celery import enqueue

            from .tasks import subscription_disabled_notify_task

            transaction.on_commit(lambda: enqueue(subscription_disabled_notify_task, subscription.pk))


def delivery_redeliver(*, delivery: Delivery, by) -> Delivery:
    """Send a delivery again now, by hand (one attempt, logged as such; no automatic retries)."""
    require(by, perms.MANAGE, delivery.subscription.initiative)
    if not delivery.subscription.is_active:
        raise ValidationError(_("This subscription is disabled: enable it first."))
    transaction.on_commit(lambda: _queue_manual(delivery.pk, by.pk))
    return delivery


def _queue_manual(delivery_id: int, by_id: int) -> bool:
    from .tasks import webhook_redeliver_task

    try:
        webhook_redeliver_task.delay(delivery_id, by_id)
    except OperationalError as exc:
        log.error("broker unavailable, webhook redelivery %s not queued: %s", delivery_id, exc)
        return False
    return True


def deliveries_catch_up(older_than_seconds: int) -> int:
    """Pending deliveries whose attempt is overdue (the broker was down when it was to be queued)."""
    from ci_platform.celery import requeue_pending

    from .tasks import webhook_deliver_task

    pending = Delivery.objects.filter(status=DeliveryStatus.PENDING, subscription__is_active=True)
    return requeue_pending(pending, "next_attempt_at", older_than_seconds, webhook_deliver_task, "pk")


def subscription_disabled_notify(subscription_id: int) -> bool:
    """Tell the subscription's creator it was disabled, in the language they read the platform in."""
    from communication.services import reader_language

    subscription = (
        Subscription.objects.select_related("created_by", "initiative").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.created_by is None or not subscription.created_by.email:
        return False
    user = subscription.created_by
    with translation.override(reader_language(user, settings.LANGUAGE_CODE)):
        context = {
            "subscription": subscription,
            "failures": settings.WEBHOOKS_DISABLE_AFTER,
            "link": settings.SITE_URL.rstrip("/") + subscription.get_absolute_url(),
        }
        subject = render_to_string("webhooks/email/disabled_subject.txt", context).strip()
        body = render_to_string("webhooks/email/disabled_body.txt", context)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send()
    return True
