"""Our PostgreSQL sessions run with JIT off (ci_platform/settings.py, DB_JIT): at 10× the data,
JIT compilation cost more than the queries it compiled (docs/performance.md)."""

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_sessions_have_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
