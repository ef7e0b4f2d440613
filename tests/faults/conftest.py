"""Fault injection helpers: real worker processes that the tests kill with SIGKILL, and a second
database connection that holds a lock so that a task stops at a known point, half way through its
writes, before it is killed.

The worker processes run on the test database and on REDIS_URL's Redis database, like the
`celery_worker` fixture of tests/conftest.py, but each in its own process group so that a test can
kill the whole worker (`kill -9` of every process) or only the pool child running the task.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from ..conftest import _database_url, purge_tasks, wait_for


class Worker:
    def __init__(self, tmp_path: Path, name: str, *, pool: str, env: dict[str, str]):
        self.log_path = tmp_path / f"worker-{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ci_platform",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                "-n",
                f"{name}@%h",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the pool children
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the worker logs "ready.": by then it has registered with Redis' event loop, and
        Kombu's first sweep of the unacknowledged records (`restore_visible`, on the poller's
        start) has run; the next one comes only after ten restore intervals (100 s)."""
        assert wait_for(lambda: " ready." in self.log or self.proc.poll() is not None, timeout=timeout)
        assert self.proc.poll() is None, f"the worker stopped:\n{self.log[-3000:]}"

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill_everything(self) -> None:
        """kill -9 of the worker and its pool children: nothing of it runs any cleanup."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # warm shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
        self._log.close()


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


@pytest.fixture
def workers(tmp_path, settings):
    """A factory of real worker processes; every one still running is stopped at the end.

    Before the first one starts, the queue is emptied and so are Redis' unacknowledged-message
    records, so that nothing left by an earlier test can be redelivered into this one."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    purge_tasks(settings.REDIS_URL)
    _redis().delete("unacked", "unacked_index", "unacked_mutex")
    started: list[Worker] = []

    def start(name: str, *, pool: str = "solo", **extra_env) -> Worker:
        worker = Worker(tmp_path, name, pool=pool, env={**env, **{k: str(v) for k, v in extra_env.items()}})
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def unacked_count() -> int:
    """Messages delivered to a worker and not acknowledged (kombu's Redis ack emulation)."""
    return _redis().hlen("unacked")


def unacked_task_ids() -> list[str]:
    """The ids of the tasks whose messages are unacknowledged: Kombu keeps each message as JSON,
    [message, exchange, routing key], the task's id in the message's headers (protocol 2)."""
    return [json.loads(record)[0]["headers"]["id"] for record in _redis().hvals("unacked")]


class Blocker:
    """A second connection to the test database, in a transaction that holds a lock."""

    def __init__(self):
        s = connection.settings_dict
        self.conn = psycopg2.connect(
            dbname=s["NAME"],
            user=s["USER"],
            password=s["PASSWORD"] or None,
            host=s["HOST"] or "127.0.0.1",
            port=s["PORT"] or 5432,
        )
        self.conn.autocommit = False
        self.cursor = self.conn.cursor()
        self.cursor.execute("SELECT pg_backend_pid()")
        self.pid = self.cursor.fetchone()[0]

    def execute(self, sql: str, params=()) -> None:
        self.cursor.execute(sql, params)

    def waiting_backends(self) -> list[tuple[int, str]]:
        """Other sessions of this database that wait for a lock this one holds: (pid, query)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND %s = ANY(pg_blocking_pids(pid))",
                [self.pid],
            )
            return cursor.fetchall()

    def wait_until_blocking(self, timeout: float = 60) -> tuple[int, str]:
        found = wait_for(self.waiting_backends, timeout=timeout)
        assert found, "no task reached the lock"
        return found[0]

    def wait_until_gone(self, backend_pid: int, timeout: float = 30) -> None:
        """The killed worker's database session ends when PostgreSQL sees its socket close."""

        def gone():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
                return cursor.fetchone()[0] == 0

        assert wait_for(gone, timeout=timeout), "the killed worker's session is still open"

    def release(self) -> None:
        if not self.conn.closed:
            self.conn.rollback()
            self.conn.close()


@pytest.fixture
def blocker():
    made: list[Blocker] = []

    def make() -> Blocker:
        made.append(Blocker())
        return made[-1]

    yield make
    for b in made:
        b.release()


def sleep_past(seconds: float, since: float) -> None:
    """Sleep until `seconds` have passed since the monotonic time `since`."""
    remaining = since + seconds - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


@pytest.fixture
def catalogue(transactional_db):
    """The backbone catalogue (indicators, survey items), emptied by the last transactional test's flush."""
    from ..backbone.conftest import load_catalogue

    load_catalogue()
