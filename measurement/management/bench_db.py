"""Create the benchmark's PostgreSQL database when it does not exist yet (`make bench` calls it).

Run as `python -m measurement.management.bench_db`; reads DATABASE_URL. Needs no Django set-up.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "psql"):
        print(f"make bench needs PostgreSQL; DATABASE_URL is {parts.scheme or 'unset'}://…", file=sys.stderr)
        return 1
    import psycopg2
    from psycopg2 import sql

    name = unquote(parts.path.lstrip("/"))
    shown = f"{parts.scheme}://{parts.username or ''}@{parts.hostname}:{parts.port or 5432}/{name}"
    connection = psycopg2.connect(
        dbname="postgres",
        user=unquote(parts.username or ""),
        password=unquote(parts.password or "") or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created the benchmark database {shown}", file=sys.stderr)
        else:
            print(f"Benchmark database: {shown}", file=sys.stderr)
    connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
