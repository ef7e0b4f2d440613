"""The demo (`manage.py seed_demo`), seeded once per test run and copied back after.

Ten test modules start from the demo, and `seed_demo` takes 12-20 seconds: it goes through the
services a user's actions go through (12,000 queries for 6,000 rows). On PostgreSQL the first module
of the run seeds it and keeps what the seed left: every table's rows (`COPY … TO STDOUT`), the
sequences, and the files it wrote under MEDIA_ROOT. A later module gets the same database back in a
fraction of a second: every table emptied (as the tests' flush empties them, rolled back with the
module's transaction when there is one) and its rows copied in, the files written back, the
sequences never moved backwards, the in-process caches cleared (the ids are the first seed's). The
first worker to seed leaves its snapshot in a directory the run's workers share; another that needs
it copies it from there (waiting for the seed if it is under way) instead of seeding it again.

The seed runs in one transaction of its own (a savepoint inside a module's transaction), and what it
queues for its commit (`transaction.on_commit`: the aggregates, the reports' PDFs, the scores) runs
at its end, as `manage.py seed_demo`'s commits run it. So the demo is the same whether the module
that seeds it keeps a transaction open (`module_db`) or commits (a live server's): one snapshot
serves both. On SQLite every call seeds.
"""

import fcntl
import io
import os
import pickle
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import TestCase
from django.utils import translation


@dataclass
class Snapshot:
    tables: dict[str, bytes] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


_SNAPSHOT: list[Snapshot] = []  # this worker's, once it has one


# The directory the test workers of one run share (set by tests/conftest.py before they start): the
# first worker to seed leaves its snapshot there for the others.
SHARED_DIR = "CI_TESTS_SHARED_DIR"


def load_demo() -> None:
    """The demo in the database: seeded the first time in the run, copied back the next times, in
    this worker or another."""
    if connection.vendor != "postgresql":
        _seed()
        return
    if _SNAPSHOT:
        _restore(_SNAPSHOT[0])
        return
    # One worker seeds while another that needs it waits for its snapshot: seeding it twice at once
    # took both cores for as long as one seed takes.
    with _seeding():
        if (snapshot := _shared()) is None:
            files_before = _media_files()
            _seed()
            snapshot = _take(files_before)
            _share(snapshot)
        else:
            _restore(snapshot)
        _SNAPSHOT.append(snapshot)


@contextmanager
def _seeding():
    if (path := _shared_path()) is None:
        yield
        return
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file closes, the worker's death included
        yield


def _shared_path() -> Path | None:
    directory = os.environ.get(SHARED_DIR)
    return Path(directory) / "demo.pickle" if directory else None


def _shared() -> Snapshot | None:
    path = _shared_path()
    if path is None or not path.exists():
        return None  # no worker has seeded it: this one does
    return pickle.loads(path.read_bytes())  # noqa: S301 - written by this run's own workers


def _share(snapshot: Snapshot) -> None:
    if (path := _shared_path()) is None:
        return
    partial = path.with_suffix(f".{os.getpid()}")
    partial.write_bytes(pickle.dumps(snapshot))
    partial.replace(path)  # whole or not at all, for a worker reading it meanwhile


def _seed() -> None:
    # One transaction, whose on-commit work runs at its end even inside a module's transaction.
    with translation.override("en"), transaction.atomic(), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", force=True, stdout=io.StringIO())


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _media_files() -> dict[Path, int]:
    root = Path(settings.MEDIA_ROOT)
    return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def _take(files_before: dict[Path, int]) -> Snapshot:
    snapshot = Snapshot()
    with connection.cursor() as cursor:
        for table in _tables():
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} TO STDOUT", buffer)
            snapshot.tables[table] = buffer.getvalue()
        cursor.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
            "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
        snapshot.sequences = dict(cursor.fetchall())
    root = Path(settings.MEDIA_ROOT)
    for path, modified in _media_files().items():
        if files_before.get(path) != modified:
            snapshot.files[str(path.relative_to(root))] = path.read_bytes()
    return snapshot


def _restore(snapshot: Snapshot) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Emptied as the tests' flush empties them (tests/conftest.py: the tables with rows deleted).
        for statement in connection.ops.sql_flush(no_style(), _tables(), reset_sequences=False):
            cursor.execute(statement)
        for table, rows in snapshot.tables.items():
            if rows:
                cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", io.BytesIO(rows))
        for sequence, value in snapshot.sequences.items():
            # Never backwards: the rows a rolled-back module leaves may have later ids.
            cursor.execute(
                "SELECT setval(%s::regclass, GREATEST(%s, COALESCE(pg_sequence_last_value(%s::regclass), 0)))",
                [sequence, value, sequence],
            )
    root = Path(settings.MEDIA_ROOT)
    for name, content in snapshot.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for cache in caches.all(initialized_only=True):
        cache.clear()
    ContentType.objects.clear_cache()
