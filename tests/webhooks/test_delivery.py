"""Deliveries end to end against a real HTTP receiver that verifies Standard Webhooks signatures
with the specification's package: once per event, retried with a log, disabled after repeated
failure (its creator told, in their language), the secret rotated with an overlap."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from communication import services as communication
from measurement import services as measurement
from webhooks import services, signing
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import Attempt, Delivery, Event

from .conftest import submitted

pytestmark = pytest.mark.django_db


def subscribe(world, receiver, events):
    subscription, secret = services.subscription_create(
        initiative=world.initiative, by=world.people["backbone"], url=receiver.url, events=events
    )
    receiver.secret = secret
    return subscription


def decide(world, title="Extend the camps"):
    return communication.decision_record(
        initiative=world.initiative, by=world.people["backbone"], title=title, decided_on=timezone.localdate()
    )


def test_an_approval_reaches_the_receiver_once_signed(
    world, receiver, loopback_allowed, django_capture_on_commit_callbacks
):
    subscription = subscribe(world, receiver, [EventType.SUBMISSION_APPROVED])
    submission, by = submitted(world)  # submitted: not listened for
    assert not Event.objects.exists()
    with django_capture_on_commit_callbacks() as queued:
        measurement.submission_approve(submission=submission, by=by)
    delivery = Delivery.objects.get()
    assert delivery.subscription == subscription and delivery.status == DeliveryStatus.PENDING
    assert queued, "the delivery is queued on commit"

    assert services.delivery_attempt(delivery.pk) == "delivered"
    assert services.delivery_attempt(delivery.pk) == "skipped"  # a duplicate task sends nothing

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got.verified, got.error
    assert got.headers["webhook-id"] == delivery.event.msg_id
    assert got.headers["webhook-signature"].startswith("v1,")
    payload = got.payload
    assert payload["type"] == "submission.approved"
    assert payload["data"]["submission"] == {"id": submission.pk, "status": "approved"}
    assert payload["data"]["links"]["api"].endswith(
        f"/api/v1/initiatives/{world.initiative.slug}/submissions/{submission.pk}/"
    )
    # Ids and links, never a value: the 17 entered is in no field but ids, written in any way (17,
    # "17.000", "17 hours"); an id such as 1745 holds the digits, and a link holds ids only.
    data = dict(payload["data"])
    assert all(
        str(link).startswith(("http://", "https://", "/")) for _key, link in _leaves(data.pop("links"))
    )
    entered = re.compile(r"(?<![\d.])17(\.0*)?(?![\d])")
    assert not [(key, value) for key, value in _leaves(data) if key != "id" and entered.search(str(value))]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.status_code == 200 and attempt.response_ms is not None and attempt.succeeded


def test_every_submission_event_is_emitted_to_who_listens(world, receiver, loopback_allowed):
    subscribe(world, receiver, [e.value for e in EventType])
    submission, by = submitted(world)
    measurement.submission_return(submission=submission, by=by, message="Check the hours.")
    measurement.values_save(submission=submission, by=by, raw={}, replace=False, submit=True)
    measurement.submission_approve(submission=submission, by=by)
    measurement.submission_unlock(submission=submission, by=by, reason="A typo")
    types = list(Event.objects.order_by("created_at", "id").values_list("type", flat=True))
    assert types[:2] == ["submission.submitted", "submission.returned"]
    assert "submission.approved" in types and types[-1] == "submission.reopened"


def test_a_failing_receiver_is_retried_and_the_log_shows_each_attempt(world, receiver, loopback_allowed):
    subscribe(world, receiver, [EventType.DECISION_RECORDED])
    receiver.answers = [500, 503]
    decide(world)
    delivery = Delivery.objects.get()
    results = [services.delivery_attempt(delivery.pk) for _ in range(4)]
    assert results[:3] == ["failed (500)", "failed (503)", "delivered"] and results[3] == "skipped"
    log = list(delivery.attempt_log.values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert [r.verified for r in receiver.received] == [True, True, True]  # at least once, never unsigned
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1  # the same message each time
    assert world.initiative.webhook_subscriptions.get().consecutive_failures == 0


def test_backoff_doubles_and_the_retries_stop_at_the_limit(world, receiver, loopback_allowed, settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    assert [services.backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    subscribe(world, receiver, [EventType.DECISION_RECORDED])
    receiver.answers = [500] * 5
    decide(world)
    delivery = Delivery.objects.get()
    before = timezone.now()
    services.delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert before + timedelta(seconds=29) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=31)
    assert services.delivery_attempt(delivery.pk) == "not yet"  # a task early for its time waits
    for _ in range(2):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        services.delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert services.delivery_attempt(delivery.pk) == "skipped"
    assert len(receiver.received) == 3


def test_the_verifier_catches_tampering_and_a_wrong_secret():
    secret, other = signing.secret_new(), signing.secret_new()
    assert secret.startswith("whsec_")
    at = timezone.now()
    body = b'{"type":"submission.approved","data":{"submission":{"id":1}}}'
    headers = signing.headers(secrets_in_force=[secret], msg_id="msg_1", at=at, body=body)
    assert Webhook(secret).verify(body, headers)["type"] == "submission.approved"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"1}", b"2}"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-id": "msg_2"})
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, {**headers, "webhook-timestamp": str(int(at.timestamp()) + 1)})
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)


def test_a_receiver_with_another_secret_rejects_the_request(world, receiver, loopback_allowed):
    subscribe(world, receiver, [EventType.DECISION_RECORDED])
    receiver.secret = signing.secret_new()
    decide(world)
    assert services.delivery_attempt(Delivery.objects.get().pk) == "failed (401)"
    assert receiver.received and not receiver.verified()


def test_repeated_failure_disables_the_subscription_and_tells_its_creator_in_their_language(
    world, receiver, loopback_allowed, settings, mailoutbox, eager_tasks, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_DISABLE_AFTER = 3
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    communication.reader_language_set(user=world.people["backbone"], language="he")
    subscription = subscribe(world, receiver, [EventType.DECISION_RECORDED])
    receiver.answers = [500] * 10
    for n in range(4):
        decide(world, f"Decision {n}")
    deliveries = list(Delivery.objects.order_by("id"))
    for delivery in deliveries[:2]:
        services.delivery_attempt(delivery.pk)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 2
    assert not mailoutbox
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_attempt(deliveries[2].pk)
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_at is not None
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [world.people["backbone"].email]
    assert email.subject == f"וובהוק הושבת ב־{world.initiative.name}"  # in the language she reads
    assert subscription.url in email.body and "הושבת" in email.body and "/webhooks/" in email.body
    # A disabled subscription is sent nothing more.
    assert services.delivery_attempt(deliveries[3].pk) == "cancelled"
    assert len(receiver.received) == 3
    assert Delivery.objects.get(pk=deliveries[3].pk).status == DeliveryStatus.CANCELLED
    assert not services.event_emit(
        initiative=world.initiative, type="decision.recorded", subject=deliveries[0]
    )
    # Enabled again by hand: the count starts over.
    services.subscription_update(subscription=subscription, by=world.people["backbone"], is_active=True)
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_rotation_signs_with_both_secrets_during_the_overlap(world, receiver, loopback_allowed):
    subscription = subscribe(world, receiver, [EventType.DECISION_RECORDED])
    old = receiver.secret
    new = services.subscription_secret_rotate(subscription=subscription, by=world.people["backbone"])
    assert new != old and new.startswith("whsec_")
    decide(world, "One")
    services.delivery_attempt(Delivery.objects.get().pk)  # the receiver still holds the old secret
    first = receiver.received[-1]
    assert first.verified and len(first.headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(first.body, first.headers)  # and the new one verifies too

    subscription.refresh_from_db()
    subscription.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)
    subscription.save(update_fields=["previous_secret_expires_at"])
    decide(world, "Two")
    second = Delivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).get()
    assert services.delivery_attempt(second.pk) == "failed (401)"  # the old secret is over
    last = receiver.received[-1]
    assert len(last.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(last.body, last.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(last.body, last.headers)


def test_a_redelivery_by_hand_is_one_logged_attempt(
    world, receiver, loopback_allowed, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    subscribe(world, receiver, [EventType.DECISION_RECORDED])
    receiver.answers = [500]
    decide(world)
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    with django_capture_on_commit_callbacks() as queued:
        services.delivery_redeliver(delivery=delivery, by=world.people["backbone"])
    assert len(queued) == 1
    assert services.delivery_attempt(delivery.pk, manual=True, by=world.people["backbone"]) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert list(delivery.attempt_log.values_list("number", "manual", "status_code")) == [
        (1, False, 500),
        (2, True, 200),
    ]
    assert [r.headers["webhook-id"] for r in receiver.received] == [delivery.event.msg_id] * 2


def test_other_events_carry_ids_and_links(world, receiver, loopback_allowed):
    subscribe(world, receiver, [e.value for e in EventType])
    decision = decide(world)
    event = Event.objects.get(type="decision.recorded")
    assert event.data["decision"]["id"] == decision.pk
    assert event.data["links"]["api"].endswith(f"/decisions/{decision.pk}/")
    assert "Extend" not in json.dumps(event.data)  # no one's text either


def _leaves(node, key: str = ""):
    """(key, value) of every scalar in a JSON document."""
    if isinstance(node, dict):
        for name, value in node.items():
            yield from _leaves(value, name)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value, key)
    else:
        yield key, node
