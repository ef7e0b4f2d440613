"""When a submission is approved, returned or unlocked, its period's aggregates are recomputed."""

from django.dispatch import receiver

from .signals import submission_changed


@receiver(submission_changed)
def recompute_aggregates(sender, submission, action, **kwargs):
    from ci_platform.celery import enqueue

    from . import aggregates
    from .tasks import aggregates_update_task

    measure_ids = aggregates.measures_of_submission(submission)
    # The mark is the durable record of the pending work: if the broker is down the task is not
    # queued, the mark stays pending, and `aggregates_catch_up_task` (beat) applies it later.
    aggregates.mark_dirty(submission.initiative_id, measure_ids, submission.period_id)
    enqueue(aggregates_update_task, submission.initiative_id, measure_ids, submission.period_id)
