"""The Celery app. Configuration comes from Django settings (the CELERY_ namespace)."""

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")
# Django's system checks run where the code is deployed: `manage.py migrate` (compose's `migrate`
# service, before any worker starts) and `make checks`. A worker repeating them at each start loaded
# every URL and view it never serves: 1 s of CPU of its 2.5 s start. CELERY_SKIP_CHECKS= (empty)
# makes workers run them again.
os.environ.setdefault("CELERY_SKIP_CHECKS", "true")

app = Celery("ci_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def requeue_pending(queryset, since_field: str, older_than_seconds: int, task, *arg_fields: str) -> int:
    """Queue `task` again for each row of `queryset` (rows whose state says their work is still
    pending) whose `since_field` is older than `older_than_seconds`, with the row's `arg_fields` as
    arguments: the beat catch-up for work a broker outage kept from being queued. Younger rows are
    left to their own task; the tasks are idempotent, so one only slow in the queue runs twice to
    the same result. Returns how many were queued."""
    from datetime import timedelta

    from django.utils import timezone

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    rows = list(queryset.filter(**{f"{since_field}__lte": cutoff}).values_list(*arg_fields).distinct())
    for args in rows:
        task.delay(*args)
    return len(rows)


def enqueue(task, *args, **kwargs) -> bool:
    """Queue a task after a commit, surviving a broker that is down.

    The data is already committed when this runs (from `transaction.on_commit`): a broker error must
    not turn a saved request into an error page. This logs the error and says False. Work that must
    not be lost keeps a durable mark in the database that a periodic task catches up (the
    aggregates' dirty marks, `aggregates_catch_up_task`); a notification email is simply not sent
    (the in-app notification stays). Celery retries the publish for about a second before giving up.
    """
    try:
        task.delay(*args, **kwargs)
    except OperationalError as exc:
        logger.error("broker unavailable, %s%r not queued: %s", task.name, args, exc)
        return False
    return True
