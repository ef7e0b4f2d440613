"""The demo (`manage.py seed_demo`), seeded once per test worker and copied back after.

Ten test modules start from the demo, and `seed_demo` takes about 20 seconds: it goes through the
services a user's actions go through (12,000 queries for 6,000 rows). On PostgreSQL the first module
of a worker seeds it and keeps what the seed left: every table's rows (`COPY … TO STDOUT`), the
sequences, and the files it wrote under MEDIA_ROOT. A later module of the worker gets the same
database back in a fraction of a second: every table emptied (`TRUNCATE`, rolled back with the
module's transaction when there is one) and its rows copied in, the files written back, the
sequences never moved backwards, the in-process caches cleared (the ids are the first seed's).

A seed inside a module's transaction (`module_db`) never reaches the commit that runs its
`on_commit` tasks (the reports' PDFs, say); a committed seed does. The two are kept apart (`kind`).
On SQLite every call seeds.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation


@dataclass
class Snapshot:
    tables: dict[str, bytes] = field(default_factory=dict)
    sequences: dict[str, int] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


_SNAPSHOTS: dict[str, Snapshot] = {}


def load_demo(kind: str) -> None:
    """The demo in the database: seeded the first time for `kind` ("module": inside `module_db`,
    "committed": outside any transaction), copied back the next times."""
    if connection.vendor != "postgresql":
        _seed()
        return
    if (snapshot := _SNAPSHOTS.get(kind)) is not None:
        _restore(snapshot)
        return
    files_before = _media_files()
    _seed()
    _SNAPSHOTS[kind] = _take(files_before)


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
        cursor.execute("TRUNCATE " + ", ".join(quote(t) for t in _tables()))
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
