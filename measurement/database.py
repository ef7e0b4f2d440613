"""Where the database does the work itself: the one place the choice between databases is made.

On PostgreSQL the aggregation rules run as SQL (aggregation/sql.py), the dashboards read their rows
in one statement each (dashboards/sql.py) and values are written with COPY (entry/writer.py). On
other databases (SQLite, for `make run`) the same results come from the Python specification and
the ORM; tests hold the two equal (tests/measurement/test_aggregation_sql.py, test_dashboards_sql.py,
test_bulk_writer.py).
"""

from django.db import connection


def does_the_work() -> bool:
    """Whether the database runs the rules, the reads and the bulk writes itself (PostgreSQL)."""
    return connection.vendor == "postgresql"
