"""A Celery task executed by a real worker process through Redis, against the test database."""

from pathlib import Path

import pytest

from initiatives import services
from initiatives.choices import Role

from .conftest import sent_emails, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_invitation_email_is_sent_by_a_real_worker(world, celery_worker):
    mail_dir, worker_log = celery_worker
    invitation, token = services.invitation_create(
        initiative=world.initiative,
        by=world.people["backbone"],
        email="guest@example.org",
        role=Role.VIEWER,
        organization=world.orgs["partner"],
    )
    # invitation_create ran in its own transaction; on commit the task went to Redis.
    mails = wait_for(lambda: sent_emails(Path(mail_dir)))
    assert mails, "no email was written by the worker:\n" + Path(worker_log).read_text()[-3000:]
    message = mails[0]
    assert "To: guest@example.org" in message
    assert f"/invitations/{token}/" in message
    assert "invitation_send_task" in Path(worker_log).read_text()


def test_full_aggregate_rebuild_runs_on_a_real_worker(world, celery_worker):

    from measurement import services as measurement
    from measurement.models import Aggregate, AggregateRun
    from measurement.tasks import aggregates_rebuild_task
    from tests.measurement.worlds import submitted

    w = world
    submission, by = submitted(world)
    measure = submission.values.get().measure
    measurement.submission_approve(submission=submission, by=by)  # also queues an incremental update

    aggregates_rebuild_task.delay(w.initiative.pk)
    run = wait_for(
        lambda: AggregateRun.objects.filter(initiative=w.initiative, kind="full", active=True).first()
    )
    assert run is not None, "no full rebuild finished:\n" + Path(celery_worker[1]).read_text()[-3000:]
    assert run.measures_done == run.measures_total == 1
    assert Aggregate.objects.get(run=run, measure=measure, member1=None).value == 17


def test_purge_tasks_empties_the_queue_a_worker_would_read(settings):
    """The tests' purge (tests/conftest.py) empties what `celery purge -f` empties: the app's queues
    on this worker's broker."""
    import redis

    from ci_platform.celery import app

    from .conftest import purge_tasks

    queue = app.conf.task_default_queue
    with app.connection_for_write(settings.REDIS_URL) as connection:
        for _ in range(3):
            app.send_task("tests.never-run", connection=connection)
    assert redis.Redis.from_url(settings.REDIS_URL).llen(queue) >= 3
    assert purge_tasks(settings.REDIS_URL) >= 3
    assert redis.Redis.from_url(settings.REDIS_URL).llen(queue) == 0
