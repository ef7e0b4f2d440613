"""The Celery app. Configuration comes from Django settings (the CELERY_ namespace)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ci_platform.settings")

app = Celery("ci_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
