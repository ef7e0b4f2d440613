"""Celery beat entries of continuous communication: the daily and weekly notification digests.

ci_platform/settings.py merges them in:

    from communication.schedule import BEAT_SCHEDULE as COMMUNICATION_BEAT_SCHEDULE
    CELERY_BEAT_SCHEDULE = {**COMMUNICATION_BEAT_SCHEDULE}

Times are in CELERY_TIMEZONE (UTC): 05:00 UTC is early morning in Israel.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "communication-daily-digest": {
        "task": "communication.tasks.notification_digest_task",
        "schedule": crontab(minute=0, hour=5),
        "args": ("daily",),
    },
    "communication-weekly-digest": {
        # Sunday: the first working day of the week in Israel.
        "task": "communication.tasks.notification_digest_task",
        "schedule": crontab(minute=0, hour=5, day_of_week="sun"),
        "args": ("weekly",),
    },
}
