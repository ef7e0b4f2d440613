"""Redis down while partners submit: the submissions are saved, the pages work and say that a
recomputation is pending, and the pending work runs once Redis is back.

"Down" is a Redis address where nothing listens, for both the broker and the cache, as when the one
Redis of a deployment stops. (`make faults` does the same with a Redis server it really stops and
starts again, with Celery beat bringing the catch-up.)
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from django.urls import reverse

from ..conftest import wait_for
from ..measurement.conftest import build_measurement_world, field_name
from .helpers import Eager, aggregate_tables

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # free once closed: nothing listens there


@contextmanager
def redis_down(settings):
    from ci_platform.celery import app

    dead = f"redis://127.0.0.1:{_closed_port()}/0"
    previous_broker, previous_caches = app.conf.broker_url, settings.CACHES

    def reconnect(url):
        app.conf.broker_url = url
        app._pool = None  # the producer pools are made from the broker URL once, then kept
        app.amqp._producer_pool = None

    reconnect(dead)
    settings.CACHES = {  # as production has them (REDIS_CACHE_URL), on a Redis that is down
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead},
        "template_fragments": {"BACKEND": "ci_platform.cache.FragmentCache", "LOCATION": dead},
    }
    try:
        yield
    finally:
        reconnect(previous_broker)
        settings.CACHES = previous_caches


def _login(client, user):
    client.force_login(user)
    return client


def test_submissions_are_saved_and_pages_work_while_redis_is_down_and_catch_up_after(
    world, make_user, client, settings, workers
):
    from measurement.aggregation import runs
    from measurement.models import AggregateRun, DirtyAggregate, Submission
    from measurement.tasks import aggregates_catch_up_task

    with Eager():
        m = build_measurement_world(world, make_user)
        runs.rebuild_start(m.initiative)
        for measure_id in m.initiative.measures.values_list("pk", flat=True):
            runs.rebuild_measure(AggregateRun.objects.get(kind="full").pk, measure_id)
    run = runs.active_run(m.initiative)
    assert run is not None and not DirtyAggregate.objects.filter(applied_at=None).exists()
    slug = m.initiative.slug
    year = m.periods["year"]

    with redis_down(settings):
        # A partner submits the current year through the grid.
        _login(client, m.partner)
        entry = reverse(
            "measurement:entry",
            kwargs={"slug": slug, "org": m.org.pk, "frequency": "yearly", "period": year.code},
        )
        data = {field_name(cell): value for cell, value in m.valid_year().items()} | {"submit": "1"}
        response = client.post(entry, data)
        assert response.status_code == 302, response.content[:500]
        submitted = Submission.objects.get(organization=m.org, period=year)
        assert submitted.status == "submitted" and submitted.values.count() == 6
        assert client.get(response.url).status_code == 200

        # The backbone approves it and Partner B's, and returns nothing: two recomputes to queue.
        client.logout()
        _login(client, m.backbone)
        for submission in (submitted, m.b_submission):
            url = reverse("measurement:submission", kwargs={"slug": slug, "pk": submission.pk})
            response = client.post(url, {"action": "approve"})
            assert response.status_code == 302, response.content[:500]
            submission.refresh_from_db()
            assert submission.status == "approved"
        pending = set(DirtyAggregate.objects.filter(applied_at=None).values_list("measure_id", "period_id"))
        assert {(m.measures[c].pk, year.pk) for c in ("enrolled", "attended", "pop-rate")} <= pending

        # The dashboard works and says a recomputation is pending; a full one is saved as queued
        # (its task could not be), and asking again does not queue a second.
        dashboard = reverse("measurement:dashboard", kwargs={"slug": slug})
        page = client.get(dashboard)
        assert page.status_code == 200 and b'data-pending="updates"' in page.content
        for _twice in range(2):
            response = client.post(reverse("measurement:recompute", kwargs={"slug": slug}), follow=True)
            assert response.status_code == 200
        requested = AggregateRun.objects.get(kind="full", status="queued")

        # Returning a submission (an email notification to queue) is saved too.
        url = reverse("measurement:submission", kwargs={"slug": slug, "pk": m.closed_submission.pk})
        response = client.post(url, {"action": "return", "message": "Check the totals, please."})
        assert response.status_code == 302
        m.closed_submission.refresh_from_db()
        assert m.closed_submission.status == "returned"
        # The API reads too (its throttle counters live in the cache).
        assert client.get(f"/api/v1/initiatives/{slug}/aggregates/").status_code == 200

    # Redis is back: a worker, and the catch-up that beat sends every few minutes.
    assert DirtyAggregate.objects.filter(applied_at=None).exists()
    workers("back")
    aggregates_catch_up_task.delay(0)
    assert wait_for(lambda: not DirtyAggregate.objects.filter(applied_at=None).exists(), timeout=60)
    # The requested rebuild, queued again by the catch-up, ran to the end.
    assert wait_for(
        lambda: AggregateRun.objects.filter(pk=requested.pk, status="done", active=True).exists(), timeout=60
    )
    assert b'data-pending="updates"' not in client.get(dashboard).content

    # The aggregates now equal a clean full rebuild of the same data.
    caught_up = aggregate_tables(runs.active_run(m.initiative).pk)
    clean = runs.rebuild_start(m.initiative)
    for measure_id in m.initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(clean.pk, measure_id)
    assert aggregate_tables(clean.pk) == caught_up


def test_an_update_leaves_a_mark_made_after_it_started_pending(world, make_user):
    """The catch-up's bookkeeping: an update applies the marks made before it began, not later ones."""
    from datetime import timedelta

    from django.utils import timezone

    from measurement.aggregation import runs
    from measurement.models import DirtyAggregate

    with Eager():
        m = build_measurement_world(world, make_user)
    measure, period = m.measures["enrolled"], m.periods["year_closed"]
    runs.mark_dirty(m.initiative.pk, [measure.pk], period.pk)
    mark = DirtyAggregate.objects.get(measure=measure, period=period)
    DirtyAggregate.objects.filter(pk=mark.pk).update(marked_at=timezone.now() + timedelta(minutes=5))
    runs.update(m.initiative.pk, [measure.pk], period.pk)
    assert DirtyAggregate.objects.get(pk=mark.pk).applied_at is None
    DirtyAggregate.objects.filter(pk=mark.pk).update(marked_at=timezone.now() - timedelta(seconds=1))
    runs.update(m.initiative.pk, [measure.pk], period.pk)
    assert DirtyAggregate.objects.get(pk=mark.pk).applied_at is not None
