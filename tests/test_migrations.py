"""The migrations, applied as production applies them, build the database the tests run on.

The test databases are built from the models (`--no-migrations` in pyproject.toml: 2 s per xdist
worker instead of 13), and the catalogue that the data migrations write is loaded after by
tests/conftest.py's `restore_migrated_rows`. This test is what makes that equal to production:
`manage.py migrate` in a process of its own, on an empty PostgreSQL database, must give the same
tables, columns, constraints and indexes as the models, and the same catalogue rows.
(`make checks` runs `makemigrations --check`: the models and the migrations' state agree; here the
SQL they run does too, and every migration runs on PostgreSQL.)"""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

COLUMNS = """
    SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision,
           numeric_scale, is_nullable, is_identity
    FROM information_schema.columns WHERE table_schema = 'public'
"""
CONSTRAINTS = """
    SELECT cl.relname, co.contype, pg_get_constraintdef(co.oid)
    FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace WHERE n.nspname = 'public'
"""
# Index names are left out: a name derives from the table and columns it was first made for, and a
# table renamed since keeps its indexes' first names. What each index is, and on what, is compared.
INDEXES = """
    SELECT tablename, regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON', 'CREATE \\1INDEX ON')
    FROM pg_indexes WHERE schemaname = 'public'
"""
# The catalogue the data migrations write (and restore_migrated_rows loads), by natural keys: ids
# and creation times differ between two databases.
CATALOGUE = {
    "functions": 'SELECT code, "order", name_en, name_he FROM backbone_backbonefunction ORDER BY code',
    "indicators": (
        "SELECT i.number, f.code, i.name_en, i.name_he FROM backbone_indicator i "
        "JOIN backbone_backbonefunction f ON f.id = i.function_id WHERE i.initiative_id IS NULL ORDER BY i.number"
    ),
    "survey items": (
        'SELECT s."group", s.code, s.text_en, s.text_he, s."order", s.active, i.number'
        " FROM backbone_surveyitem s LEFT JOIN backbone_indicator i ON i.id = s.indicator_id"
        " WHERE s.initiative_id IS NULL ORDER BY s.code"
    ),
}


def _shape(cursor) -> dict[str, list]:
    shape = {}
    for name, sql in (("columns", COLUMNS), ("constraints", CONSTRAINTS), ("indexes", INDEXES)):
        cursor.execute(sql)
        shape[name] = sorted(tuple(str(v) for v in row) for row in cursor.fetchall())
    for name, sql in CATALOGUE.items():
        cursor.execute(sql)
        shape[name] = cursor.fetchall()
    return shape


# Known and harmless, in Django's own tables: `migrate`'s record of what it applied; and the id of
# django.contrib.auth's many-to-many tables, a bigint by Django's own migrations, an integer by its
# models (the tests build those from the models).
UNCOMPARED_TABLES = {"django_migrations"}
UNCOMPARED_COLUMNS = {
    ("auth_group_permissions", "id"),
    ("auth_user_groups", "id"),
    ("auth_user_user_permissions", "id"),
}


def _compared(rows: list, key: str) -> set:
    return {
        row
        for row in rows
        if row[0] not in UNCOMPARED_TABLES
        and (key != "columns" or (row[0], row[1]) not in UNCOMPARED_COLUMNS)
    }


def _differences(migrated: dict, models: dict) -> list[str]:
    out = []
    for key in migrated:
        if key in ("columns", "constraints", "indexes"):
            only_migrated = sorted(_compared(migrated[key], key) - _compared(models[key], key))
            only_models = sorted(_compared(models[key], key) - _compared(migrated[key], key))
            out += [f"{key} only after the migrations: {row}" for row in only_migrated]
            out += [f"{key} only from the models: {row}" for row in only_models]
        elif migrated[key] != models[key]:
            out.append(f"{key}: migrations {migrated[key]}, models and restore_migrated_rows {models[key]}")
    return out


@pytest.fixture
def migrated_database():
    params = connection.get_connection_params()
    name = f"{settings.DATABASES['default']['NAME']}_migrated"
    admin = psycopg2.connect(**{**params, "dbname": "postgres"})
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield params, name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_the_migrations_build_the_database_the_models_describe(migrated_database):
    params, name = migrated_database
    user = params.get("user", "postgres")
    password = params.get("password", "")
    auth = user + (f":{password}" if password else "")
    url = f"postgres://{auth}@{params.get('host') or '127.0.0.1'}:{params.get('port') or 5432}/{name}"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]

    other = psycopg2.connect(**{**params, "dbname": name})
    try:
        with other.cursor() as cursor:
            migrated = _shape(cursor)
    finally:
        other.close()
    with connection.cursor() as cursor:
        models = _shape(cursor)

    assert migrated["columns"] and migrated["indexes"]
    assert len(migrated["indicators"]) == 27 and len(migrated["functions"]) == 6
    differences = _differences(migrated, models)
    assert not differences, "\n".join(differences)
