"""A bulk import interrupted half way commits nothing: not when an error strikes between two
periods' writes (file import and API bulk submission), and not when the server process handling
the request is killed with SIGKILL while it writes; the same request sent again then goes through,
once (Idempotency-Key)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest
from django.db import DatabaseError

from initiatives import services as initiative_services
from initiatives.choices import TokenScope
from measurement.api import bulk
from measurement.entry import importer, pipeline

from ..conftest import _database_url, wait_for
from ..measurement.conftest import build_measurement_world
from ..measurement.test_import import csv_file, good_rows, snapshot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mworld(world, make_user):
    return build_measurement_world(world, make_user)


def _fail_on_second_period(monkeypatch) -> list:
    """pipeline.write_values (the one writer of values and audit rows, under the grid, the file
    import and the API) works for the first period of a request and fails on the second, as if the
    database connection dropped between them."""
    calls, real = [], pipeline.write_values

    def flaky(**kwargs):
        calls.append(kwargs["submission"].period.code)
        if len(calls) == 2:
            raise DatabaseError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(pipeline, "write_values", flaky)
    return calls


def test_a_file_import_failing_half_way_commits_nothing(mworld, monkeypatch):
    job = importer.preview(
        initiative=mworld.initiative,
        organization=mworld.org,
        by=mworld.partner,
        name="data.csv",
        data=csv_file(good_rows(mworld)),
    )
    before = snapshot()
    calls = _fail_on_second_period(monkeypatch)
    with pytest.raises(DatabaseError):
        importer.commit(job=job, by=mworld.partner)
    assert len(calls) == 2  # the first period had been written
    assert snapshot() == before
    job.refresh_from_db()
    assert job.committed_at is None
    monkeypatch.undo()
    totals = importer.commit(job=job, by=mworld.partner)  # and it can be confirmed again
    assert totals["created"] == 7 and snapshot() != before


def _bulk_values(mworld) -> list[dict]:
    return [
        {"measure": measure, "period": period, "breakdown_1": b1, "breakdown_2": b2, "value": value}
        for measure, period, b1, b2, value, _comment in good_rows(mworld)
    ]


def test_an_api_bulk_submission_failing_half_way_commits_nothing(mworld, monkeypatch):
    before = snapshot()
    calls = _fail_on_second_period(monkeypatch)
    with pytest.raises(DatabaseError):
        bulk.bulk_submit(
            initiative=mworld.initiative,
            organization=mworld.org,
            by=mworld.partner,
            values=_bulk_values(mworld),
        )
    assert len(calls) == 2
    assert snapshot() == before


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, token: str, body: dict, key: str) -> tuple[int, dict | str]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Gunicorn:
    def __init__(self, tmp_path, port: int):
        self.log = tmp_path / f"gunicorn-{port}.log"
        # With DEBUG off the site refuses to start on the embedded key (ci_platform/wsgi.py).
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "SECRET_KEY": secrets.token_hex(32),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "ci_platform.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--timeout", "120", "--error-logfile", "-"],
            env=env,
            stdout=open(self.log, "w"),  # noqa: SIM115 - the process owns it
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.port = port

        def ready():  # the application answers (a bound socket alone is only the master)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5):  # noqa: S310
                    return True
            except urllib.error.HTTPError:
                return True  # it answered (503: a dependency is down, which is not this test's concern)
            except OSError:
                return self.proc.poll() is not None and pytest.fail(self.log.read_text())

        assert wait_for(ready, timeout=30), self.log.read_text()

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc.poll() is None:  # a graceful stop
            self.proc.terminate()
            self.proc.wait(timeout=30)


@pytest.fixture
def gunicorn(tmp_path):
    started: list[Gunicorn] = []

    def start() -> Gunicorn:
        started.append(Gunicorn(tmp_path, _free_port()))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_a_bulk_request_whose_server_is_killed_half_way_commits_nothing(mworld, gunicorn, blocker):
    from measurement.models import Submission

    _token, secret = initiative_services.api_token_create(
        initiative=mworld.initiative,
        by=mworld.backbone,
        label="Partner database",
        scope=TokenScope.SUBMIT,
        organization=mworld.org,
    )
    # Both periods' drafts exist; we hold the quarter's, so the request stops before writing it.
    year = mworld.submission("year", by=mworld.partner)
    quarter = mworld.submission("quarter", by=mworld.partner)
    before = snapshot()
    lock = blocker()
    lock.execute("SELECT 1 FROM measurement_submission WHERE id = %s FOR UPDATE", [quarter.pk])

    server = gunicorn()
    url = f"http://127.0.0.1:{server.port}/api/v1/initiatives/{mworld.initiative.slug}/submissions/bulk/"
    body = {"organization": mworld.org.pk, "values": _bulk_values(mworld)}
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(_post_or_error(url, secret, body)))
    thread.start()
    backend_pid, query = lock.wait_until_blocking()
    assert query.startswith('SELECT "measurement_submission"')  # (FOR UPDATE is past the shown length)
    server.kill()
    thread.join(timeout=30)
    assert answers and answers[0][0] == "connection lost", answers
    lock.release()
    lock.wait_until_gone(backend_pid)

    assert snapshot() == before, "a killed request left part of its writes"
    assert (
        Submission.objects.get(pk=year.pk).status == Submission.objects.get(pk=quarter.pk).status == "draft"
    )

    # The integrator sends it again, with the same Idempotency-Key: it goes through, once.
    server = gunicorn()
    url = url.replace(url.split("/")[2], f"127.0.0.1:{server.port}")
    status, answer = _post(url, secret, body, key="sync-2026-11-28")
    assert status in (200, 201), answer
    assert answer["summary"]["created"] == 7
    after = snapshot()
    assert len(after[0]) == len(before[0]) + 7
    status, _again = _post(url, secret, body, key="sync-2026-11-28")
    assert status in (200, 201) and snapshot()[0] == after[0]


def _post_or_error(url, secret, body):
    try:
        return _post(url, secret, body, key="sync-2026-11-28")
    except (ConnectionError, urllib.error.URLError, OSError) as exc:
        return ("connection lost", repr(exc))
