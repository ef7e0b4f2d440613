"""A Celery task executed by a real worker process through Redis, against the test database."""

from pathlib import Path

import pytest

from initiatives import services
from initiatives.choices import Role

from .conftest import wait_for

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
    files = wait_for(lambda: list(Path(mail_dir).glob("*.log")) if mail_dir.exists() else None)
    assert files, "no email was written by the worker:\n" + Path(worker_log).read_text()[-3000:]
    message = files[0].read_text()
    assert "To: guest@example.org" in message
    assert f"/invitations/{token}/" in message
    assert "invitation_send_task" in Path(worker_log).read_text()
