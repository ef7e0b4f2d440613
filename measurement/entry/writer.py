"""Bulk writes to the largest tables (data values and their audit trail).

On PostgreSQL new rows go in with one `COPY` and changed rows with one `UPDATE … FROM (VALUES …)`
per few thousand rows: no model instance per row and no SQL compiled per row, which is what made a
100,000-value import take a minute (docs/performance.md). Other databases (SQLite for `make run`)
take Django's bulk_create / bulk_update, which give the same result more slowly.

Callers pass plain dicts keyed by field name; every concrete column must be given (auto_now and
defaults are not applied here), and the caller is inside the transaction that must hold them all.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db import connection, models

from .. import database

BATCH = 5000


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# COPY's CSV format: an unquoted empty field is NULL, a quoted one is the empty string.
_FORMAT: dict[type, Callable[[Any], str]] = {
    int: str,
    str: _quote,
    type(None): lambda value: "",
    bool: lambda value: "t" if value else "f",
    Decimal: lambda value: format(value, "f"),
    datetime: datetime.isoformat,
    date: date.isoformat,
}


def _subclass_format(value):
    """The formatter of a subclass of a known type (a TextChoices member is a str)."""
    for kind, formatter in _FORMAT.items():
        if kind is not type(None) and isinstance(value, kind):
            return formatter
    raise TypeError(f"COPY cannot write a {type(value).__name__}")


def _csv_column(values: list) -> list[str]:
    """One column's values as COPY's CSV fields."""
    kinds = set(map(type, values))
    if kinds <= {int, type(None)}:
        return ["" if v is None else str(v) for v in values]
    if kinds <= {Decimal, type(None)}:
        return ["" if v is None else format(v, "f") for v in values]
    if kinds <= {datetime, type(None)}:
        moments: dict = {}
        return ["" if v is None else moments.get(v) or moments.setdefault(v, v.isoformat()) for v in values]
    if str in kinds and kinds <= {str, type(None)}:
        return ["" if v is None else _quote(v) for v in values]
    return [(_FORMAT.get(type(v)) or _subclass_format(v))(v) for v in values]


def _field(model: type[models.Model], name: str) -> models.Field:
    """A concrete field of the model: every name written here is one of its columns."""
    return cast(models.Field, model._meta.get_field(name))


def _column(field: models.Field) -> str:
    return cast(str, field.column)  # a concrete field's: never None


def _columns(model: type[models.Model], fields: list[str]) -> list[str]:
    return [_column(_field(model, name)) for name in fields]


def insert(model: type[models.Model], fields: list[str], rows: list[dict]) -> int:
    """Insert rows (dicts with exactly `fields`). Returns how many."""
    if not rows:
        return 0
    if not database.does_the_work():
        attnames = {name: _field(model, name).attname for name in fields}
        model._default_manager.bulk_create(
            [model(**{attnames[name]: row[name] for name in fields}) for row in rows], batch_size=2000
        )
        return len(rows)
    # Column by column: one comprehension per column and type (ints and None mostly, one moment
    # repeated in every row), instead of a function call per value: most of an import's time.
    csv_columns = [_csv_column([row[name] for row in rows]) for name in fields]
    buffer = io.StringIO()
    buffer.write("\n".join(map(",".join, zip(*csv_columns, strict=True))))
    buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _columns(model, fields))
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
        )
    return len(rows)


def update(model: type[models.Model], fields: list[str], rows: list[dict]) -> int:
    """Set `fields` on existing rows, each dict holding `pk` and the fields. Returns how many."""
    if not rows:
        return 0
    if not database.does_the_work():
        objects = []
        for row in rows:
            obj = model(pk=row["pk"])
            for name in fields:
                setattr(obj, _field(model, name).attname, row[name])
            objects.append(obj)
        model._default_manager.bulk_update(objects, fields, batch_size=2000)
        return len(rows)
    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    opts = model._meta
    db_fields = [_field(model, name) for name in fields]
    casts = ", ".join(f"%s::{f.db_type(connection)}" for f in [opts.pk, *db_fields])
    names = ", ".join(["pk", *(f"f{i}" for i in range(len(fields)))])
    sets = ", ".join(f"{quote(_column(f))} = v.f{i}" for i, f in enumerate(db_fields))
    # Identifiers come from the model's metadata, quoted; every value is a parameter.
    table, pk = quote(opts.db_table), quote(_column(opts.pk))
    sql = f"UPDATE {table} AS t SET {sets} FROM (VALUES %s) AS v({names}) WHERE t.{pk} = v.pk"  # noqa: S608
    values = [[row["pk"], *(row[name] for name in fields)] for row in rows]
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, values, template=f"({casts})", page_size=BATCH)
    return len(rows)
