"""The demo (`manage.py seed_demo`), seeded once per test run and copied back after.

Ten test modules start from the demo, and `seed_demo` takes about 20 seconds: it goes through the
services a user's actions go through (12,000 queries for 6,000 rows). On PostgreSQL the first module
of a worker seeds it and keeps what the seed left: every table's rows (`COPY … TO STDOUT`), the
sequences, and the files it wrote under MEDIA_ROOT. A later module of the worker gets the same
database back in a fraction of a second: every table emptied (as the tests' flush empties them,
rolled back with the module's transaction when there is one) and its rows copied in, the files
written back, the sequences never moved backwards, the in-process caches cleared (the ids are the
first seed's). The first worker to seed a kind leaves its snapshot in a directory the run's workers
share; another that needs it copies it from there (waiting for the seed if it is under way) instead
of seeding it again.

A seed inside a module's transaction (`module_db`) never reaches the commit that runs its
`on_commit` tasks (the reports' PDFs, say); a committed seed does. The two are kept apart (`kind`).
On SQLite every call seeds.
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
from django.utils import translation


@dataclass
class Snapshot:
    tables: dict[str, bytes] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


_SNAPSHOTS: dict[str, Snapshot] = {}


# The directory the test workers of one run share (set by tests/conftest.py before they start): the
# first worker to seed a kind leaves its snapshot there for the others.
SHARED_DIR = "CI_TESTS_SHARED_DIR"


def load_demo(kind: str) -> None:
    """The demo in the database: seeded the first time for `kind` ("module": inside `module_db`,
    "committed": outside any transaction), copied back the next times, in this worker or another."""
    if connection.vendor != "postgresql":
        _seed()
        return
    if (snapshot := _SNAPSHOTS.get(kind)) is not None:
        _restore(snapshot)
        return
    # One worker seeds a kind while another that needs it waits for its snapshot: seeding it twice at
    # once took both cores for as long as one seed takes.
    with _seeding(kind):
        if (snapshot := _shared(kind)) is not None:
            _SNAPSHOTS[kind] = snapshot
            _restore(snapshot)
            return
        files_before = _media_files()
        _seed()
        _SNAPSHOTS[kind] = _take(files_before)
        _share(kind, _SNAPSHOTS[kind])


@contextmanager
def _seeding(kind: str):
    if (path := _shared_path(kind)) is None:
        yield
        return
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file closes, the worker's death included
        yield


def _shared_path(kind: str) -> Path | None:
    directory = os.environ.get(SHARED_DIR)
    return Path(directory) / f"demo-{kind}.pickle" if directory else None


def _shared(kind: str) -> Snapshot | None:
    path = _shared_path(kind)
    if path is None or not path.exists():
        return None  # no worker has seeded it: this one does
    return pickle.loads(path.read_bytes())  # noqa: S301 - written by this run's own workers


def _share(kind: str, snapshot: Snapshot) -> None:
    if (path := _shared_path(kind)) is None:
        return
    partial = path.with_suffix(f".{os.getpid()}")
    partial.write_bytes(pickle.dumps(snapshot))
    partial.replace(path)  # whole or not at all, for a worker reading it meanwhile


def _seed() -> None:
    with translation.override("en"):
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
