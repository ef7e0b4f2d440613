"""Helpers shared by the fault tests."""

from __future__ import annotations

from collections import Counter


class Eager:
    """Run tasks in-process while the test data is built (no message is left in the queue)."""

    def __enter__(self):
        from ci_platform.celery import app

        self.app, self.previous = app, app.conf.task_always_eager
        app.conf.task_always_eager = True

    def __exit__(self, *exc):
        self.app.conf.task_always_eager = self.previous


def aggregate_tables(run_id: int) -> tuple[Counter, Counter]:
    from measurement.models import Aggregate, Completeness

    aggregates = Counter(
        Aggregate.objects.filter(run_id=run_id).values_list(
            "measure_id", "period_id", "member1_id", "member2_id", "value", "organizations"
        )
    )
    completeness = Counter(
        Completeness.objects.filter(run_id=run_id).values_list(
            "measure_id", "period_id", "expected", "submitted", "approved", "on_time"
        )
    )
    return aggregates, completeness
