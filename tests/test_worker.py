"""A Celery task executed by a real worker process through Redis, against the test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from initiatives import services
from initiatives.choices import Role

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker(tmp_path, settings):
    """Start `celery worker` as its own process, on the test database, writing mail to files."""
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    celery = [sys.executable, "-m", "celery", "-A", "ci_platform"]
    # Messages left by earlier tests (tasks queued with no worker running) must not run here.
    subprocess.run([*celery, "purge", "-f"], env=env, check=True, capture_output=True, timeout=60)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            *celery,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield mail_dir, tmp_path / "worker.log"
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.25)
    return None


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
    files = _wait_for(lambda: list(Path(mail_dir).glob("*.log")) if mail_dir.exists() else None)
    assert files, "no email was written by the worker:\n" + Path(worker_log).read_text()[-3000:]
    message = files[0].read_text()
    assert "To: guest@example.org" in message
    assert f"/invitations/{token}/" in message
    assert "invitation_send_task" in Path(worker_log).read_text()
