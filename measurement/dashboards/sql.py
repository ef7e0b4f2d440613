"""The dashboards' reads in one PostgreSQL statement each.

`measurement.dashboards.readers` reads a dashboard with the ORM on every database; on PostgreSQL it reads
the same rows with the statements below instead, which gather each measure's strategies, targets,
total series and completeness into arrays (one row per measure, not one per number) and skip the
ORM's per-query cost, most of a dashboard's time once the aggregates are precomputed
(docs/performance.md). tests/measurement/test_dashboards_sql.py asserts that both paths give the
same cards and measure pages.
"""

# S608: the SQL is assembled from fixed fragments and the models' table names; every value is a
# query parameter.
# ruff: noqa: S608
from __future__ import annotations

from django.db import connections, router

from ..models import (
    Aggregate,
    AggregateRun,
    Completeness,
    DimensionMember,
    MeasurementSettings,
    ReportingPeriod,
    SharedMeasure,
    Target,
)

ACTIVE_RUN = f"(SELECT id FROM {AggregateRun._meta.db_table} WHERE initiative_id = %(initiative)s AND active)"
# The initiative's completeness threshold (NULL without settings: the default applies), read by the
# statements below as one more column rather than in a query of its own.
COMPLETE_PCT = (
    f"(SELECT complete_pct FROM {MeasurementSettings._meta.db_table} WHERE initiative_id = %(initiative)s)"
)


def _rows(sql: str, params: dict) -> list[tuple]:
    # The page's reads, on the replica where the page may use one (ci_platform/replica.py).
    with connections[router.db_for_read(Aggregate)].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def card_rows(initiative_id: int, run_id: int | None, *, codes=None, first=None, last=None) -> list[tuple]:
    """Per measure, in code order: id, code, name_en, name_he, unit, direction, level,
    denominator_id, baseline_value, baseline_period, [strategy ids], [target period codes],
    [target values], [period codes], [total values], [completeness period codes], [approved],
    [expected], the initiative's complete_pct (None: the default). Arrays are None where there is nothing, and in no particular order (sorting them
    here, by the collation of the period codes, cost more than the rest of the statement)."""
    measure, period = SharedMeasure._meta.db_table, ReportingPeriod._meta.db_table
    through = SharedMeasure.strategies.through._meta.db_table
    span = (" AND p.start >= %(first)s" if first else "") + (" AND p.end <= %(last)s" if last else "")
    sql = f"""
WITH h AS (
    SELECT a.measure_id, array_agg(p.code) AS codes, array_agg(a.value) AS vals
    FROM {Aggregate._meta.db_table} a JOIN {period} p ON p.id = a.period_id
    WHERE a.run_id = %(run)s AND a.member1_id IS NULL AND a.member2_id IS NULL{span}
    GROUP BY a.measure_id
), c AS (
    SELECT c.measure_id, array_agg(p.code) AS codes, array_agg(c.approved) AS approved,
           array_agg(c.expected) AS expected
    FROM {Completeness._meta.db_table} c JOIN {period} p ON p.id = c.period_id
    WHERE c.run_id = %(run)s
    GROUP BY c.measure_id
), t AS (
    SELECT t.measure_id, array_agg(t.period_code) AS codes, array_agg(t.value) AS vals
    FROM {Target._meta.db_table} t JOIN {measure} tm ON tm.id = t.measure_id
    WHERE tm.initiative_id = %(initiative)s
    GROUP BY t.measure_id
), s AS (
    SELECT s.sharedmeasure_id AS measure_id, array_agg(s.strategy_id ORDER BY s.strategy_id) AS ids
    FROM {through} s JOIN {measure} sm ON sm.id = s.sharedmeasure_id
    WHERE sm.initiative_id = %(initiative)s
    GROUP BY s.sharedmeasure_id
)
SELECT m.id, m.code, m.name_en, m.name_he, m.unit, m.direction, m.level, m.denominator_id,
       m.baseline_value, m.baseline_period,
       s.ids, t.codes, t.vals, h.codes, h.vals, c.codes, c.approved, c.expected, {COMPLETE_PCT}
FROM {measure} m
LEFT JOIN s ON s.measure_id = m.id
LEFT JOIN t ON t.measure_id = m.id
LEFT JOIN h ON h.measure_id = m.id
LEFT JOIN c ON c.measure_id = m.id
WHERE m.initiative_id = %(initiative)s{" AND m.code = ANY(%(codes)s)" if codes is not None else ""}
ORDER BY m.code"""
    params = {"initiative": initiative_id, "run": run_id, "first": first, "last": last}
    if codes is not None:
        params["codes"] = list(codes)
    return _rows(sql, params)


def measure_page_rows(
    initiative_id: int, measure_id: int, frequency: str, *, first=None, last=None
) -> tuple[list[tuple], list[tuple]]:
    """The measure page's two reads. Periods of the measure's frequency in start order, each with
    its completeness in the active run when there is one: (code, expected, submitted, approved,
    on_time, the initiative's complete_pct), the counts None where none. And the active run's aggregate rows of those periods:
    (period code, member1 name_en, name_he, member2 name_en, name_he, value)."""
    period, member = ReportingPeriod._meta.db_table, DimensionMember._meta.db_table
    span = (" AND p.start >= %(first)s" if first else "") + (" AND p.end <= %(last)s" if last else "")
    params = {
        "initiative": initiative_id,
        "measure": measure_id,
        "frequency": frequency,
        "first": first,
        "last": last,
    }
    periods = _rows(
        f"""
SELECT p.code, c.expected, c.submitted, c.approved, c.on_time, {COMPLETE_PCT} FROM {period} p
LEFT JOIN {Completeness._meta.db_table} c
    ON c.period_id = p.id AND c.measure_id = %(measure)s AND c.run_id = {ACTIVE_RUN}
WHERE p.initiative_id = %(initiative)s AND p.frequency = %(frequency)s{span}
ORDER BY p.start""",
        params,
    )
    members = _rows(
        f"""
SELECT p.code, m1.name_en, m1.name_he, m2.name_en, m2.name_he, a.value
FROM {Aggregate._meta.db_table} a JOIN {period} p ON p.id = a.period_id
LEFT JOIN {member} m1 ON m1.id = a.member1_id
LEFT JOIN {member} m2 ON m2.id = a.member2_id
WHERE a.run_id = {ACTIVE_RUN} AND a.measure_id = %(measure)s
    AND p.initiative_id = %(initiative)s AND p.frequency = %(frequency)s{span}""",
        params,
    )
    return periods, members
