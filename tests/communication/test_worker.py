"""Notification emails sent by a real Celery worker through Redis, against the test database:
immediately after the commit, and in a digest."""

from pathlib import Path

import pytest
from django.utils import timezone

from communication import services
from communication.choices import Delivery, NotificationKind
from communication.tasks import notification_digest_task

from ..conftest import sent_emails, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_queued_notification_email_is_sent_by_a_real_worker(world, celery_worker):
    mail_dir, worker_log = celery_worker
    services.preferences_update(
        user=world.people["steering"],
        initiative=world.initiative,
        choices={NotificationKind.MEETING_INVITATION: Delivery.IMMEDIATE},
    )
    # meeting_create runs in its own transaction; on commit the email task goes to Redis.
    services.meeting_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        title="Steering committee, June",
        starts_at=timezone.now(),
        invitees=[world.people["steering"]],
    )
    mails = wait_for(lambda: sent_emails(mail_dir))
    assert mails, "no email was written by the worker:\n" + Path(worker_log).read_text()[-3000:]
    message = mails[0]
    assert "To: steering@example.org" in message
    assert "Steering committee, June" in message
    assert "List-Unsubscribe:" in message
    assert "notification_email_task" in Path(worker_log).read_text()
    notification = world.people["steering"].notifications.get()
    assert wait_for(
        lambda: type(notification).objects.filter(pk=notification.pk, emailed_at__isnull=False).exists()
    )


def test_a_digest_is_sent_by_a_real_worker(world, celery_worker):
    mail_dir, worker_log = celery_worker
    services.preferences_update(
        user=world.people["partner"],
        initiative=world.initiative,
        choices={NotificationKind.DECISION: Delivery.WEEKLY},
    )
    for title in ("First", "Second"):
        services.decision_record(
            initiative=world.initiative,
            by=world.people["backbone"],
            title=title,
            decided_on=timezone.localdate(),
        )
    notification_digest_task.delay("weekly")
    mails = wait_for(lambda: [text for text in sent_emails(mail_dir) if "partner@example.org" in text])
    assert mails, "no digest was written by the worker:\n" + Path(worker_log).read_text()[-3000:]
    body = mails[0]
    assert "Decision: First" in body and "Decision: Second" in body
