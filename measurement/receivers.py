"""When a submission is approved, returned or unlocked, its period's aggregates are recomputed."""

from django.db import transaction
from django.dispatch import receiver

from .signals import submission_changed


@receiver(submission_changed)
def recompute_aggregates(sender, submission, action, **kwargs):
    from ci_platform.celery import enqueue

    from .aggregation import runs
    from .tasks import aggregates_update_task

    measure_ids = runs.measures_of_submission(submission)
    # The mark is the durable record of the pending work, written in the transaction of the
    # approval, return or unlock (the signal is sent inside it): both are stored, or neither. The
    # task is queued once that commits; if the broker is down it is not, the mark stays pending,
    # and `aggregates_catch_up_task` (beat) applies it later.
    runs.mark_dirty(submission.initiative_id, measure_ids, submission.period_id)
    args = (submission.initiative_id, measure_ids, submission.period_id)
    transaction.on_commit(lambda: enqueue(aggregates_update_task, *args))
