"""The Celery app. Configuration comes from Django settings (the CELERY_ namespace)."""

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")

app = Celery("ci_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


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
