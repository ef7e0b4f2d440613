"""The flush that ends every test with a real transaction (a live server, a Celery worker) deletes
the rows of the tables that have any, instead of Django's TRUNCATE of every table
(tests/conftest.py, `_flush_by_delete`). It must leave the database as Django's own flush does, and
it relies on every foreign key being checked at the commit."""

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from .permission_matrix import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _rows() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT %s, count(*) FROM {quote(t)}" for t in tables), tables)  # noqa: S608 - the models' tables, quoted
        return dict(cursor.fetchall())


def test_every_foreign_key_is_checked_at_the_commit():
    """Deleting table by table in any order is sound only if no foreign key is checked at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND NOT (condeferrable AND condeferred)"
        )
        assert cursor.fetchall() == []


def test_the_flush_deletes_what_the_tables_hold_and_leaves_what_djangos_own_leaves(world, django_user_model):
    written = {table for table, count in _rows().items() if count}
    statements = connection.ops.sql_flush(no_style(), sorted(_rows()), reset_sequences=False)
    # One DELETE per table with rows, and none for the empty ones.
    deletes = sorted(f"DELETE FROM {connection.ops.quote_name(t)};" for t in written)  # noqa: S608 - expected text
    assert sorted(statements) == deletes
    assert {"initiatives_initiative", "initiatives_membership", "auth_user"} <= written

    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)  # the tests' flush
    after_delete = _rows()
    assert not django_user_model.objects.exists()

    build_world()
    call_command("flush", interactive=False, verbosity=0, reset_sequences=True)  # Django's TRUNCATE
    after_truncate = _rows()

    # The same tables empty, and the same rows put back (content types, permissions, the catalogue).
    assert after_delete == after_truncate
    assert {t for t, count in after_delete.items() if count} < written
