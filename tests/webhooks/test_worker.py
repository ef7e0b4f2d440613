"""Webhooks through a real Celery worker and Redis, against the test database: an approval reaches
a receiver that verifies its signature exactly once; a receiver failing at first gets it on a later
attempt, and the log shows the retries."""

import pytest

from measurement import services as measurement
from webhooks import services
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import Delivery

from ..conftest import wait_for
from .conftest import submitted

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webhook_worker(request, monkeypatch, loopback_allowed):
    # The worker is its own process: it reads these from its environment (ci_platform/settings.py).
    monkeypatch.setenv("WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("WEBHOOKS_RETRY_BASE_SECONDS", "1")
    return request.getfixturevalue("celery_worker")


def _log(worker) -> str:
    return worker[1].read_text()[-3000:]


def test_an_approval_reaches_the_receiver_exactly_once(world, receiver, webhook_worker):
    _subscription, receiver.secret = services.subscription_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        url=receiver.url,
        events=[EventType.SUBMISSION_APPROVED],
    )
    submission, by = submitted(world)
    measurement.submission_approve(submission=submission, by=by)
    delivered = wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).first())
    assert delivered is not None, _log(webhook_worker)
    wait_for(lambda: False, timeout=2)  # time for a duplicate to arrive, if there were one
    assert len(receiver.received) == 1 and receiver.received[0].verified, receiver.received
    assert receiver.received[0].payload["data"]["submission"]["id"] == submission.pk
    assert "webhook_deliver_task" in _log(webhook_worker)


def test_a_failing_receiver_gets_the_event_on_a_retry(world, receiver, webhook_worker):
    _subscription, receiver.secret = services.subscription_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        url=receiver.url,
        events=[EventType.SUBMISSION_APPROVED],
    )
    receiver.answers = [500, 502]
    submission, by = submitted(world)
    measurement.submission_approve(submission=submission, by=by)
    delivered = wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).first(), timeout=60)
    assert delivered is not None, _log(webhook_worker)
    assert list(delivered.attempt_log.values_list("status_code", flat=True)) == [500, 502, 200]
    assert len(receiver.verified()) >= 1 and all(r.verified for r in receiver.received)
