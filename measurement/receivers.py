"""When a submission is approved, returned or unlocked, its period's aggregates are recomputed."""

from django.dispatch import receiver

from .signals import submission_changed


@receiver(submission_changed)
def recompute_aggregates(sender, submission, action, **kwargs):
    from . import aggregates
    from .tasks import aggregates_update_task

    measure_ids = aggregates.measures_of_submission(submission)
    aggregates.mark_dirty(submission.initiative_id, measure_ids, submission.period_id)
    aggregates_update_task.delay(submission.initiative_id, measure_ids, submission.period_id)
