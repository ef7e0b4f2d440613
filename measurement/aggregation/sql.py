"""The aggregation rules of `measurement.aggregation.rules`, run inside PostgreSQL.

`aggregation.aggregate_measure` is the specification (pure Python, checked against hand-computed
numbers); this module computes the same rows with one INSERT … SELECT per measure, so a full rebuild
of a million values costs about what one GROUP BY over them costs instead of a Python loop over
every value (docs/performance.md). tests/measurement/test_aggregation_sql.py asserts that both give
the same rows, rule by rule and on generated data (values equal to the sixth decimal place, or one
unit apart where a sum of repeating quotients sits exactly on a half-unit). Other databases (SQLite for `make run`) use the
Python path.

The query, per measure (v: the measure's approved values; w: its denominator's, when the rule
needs weights):
1. each organisation's value and weight at every key: its stored cells as they are, and for a
   breakdown its derived totals (and a two-way breakdown's subtotals) by the rules of `_combine`;
2. across organisations at every (period, key), the measure's aggregation, with the number of
   organisations, rounded to 6 places (half away from zero, as `aggregation.PLACES` rounds).
"""

# S608: the SQL is assembled from fixed fragments and the models' table names; every value is a
# query parameter.
# ruff: noqa: S608
from __future__ import annotations

from django.db import connection, connections, router, transaction

from ..choices import Aggregation, SubmissionStatus, ValueType
from ..models import Aggregate, DataValue, Submission, holding_approved_values_sql


def _approved(alias: str, period_filter: str) -> str:
    # Values widened to 20 decimal places, so that quotients (means, weighted means) carry as many
    # digits as Python's Decimal does before both round to 6: they then round the same way.
    return (
        f"SELECT d.period_id AS p, d.organization_id AS o, d.member1_id AS a, d.member2_id AS b,"
        f" d.value::numeric(40, 20) AS x FROM {DataValue._meta.db_table} d JOIN {Submission._meta.db_table} s"
        f" ON s.id = d.submission_id WHERE d.measure_id = %({alias})s AND {holding_approved_values_sql('s')}"
        f"{period_filter}"
    )


_SAME_KEY = "{r}.p = {l}.p AND {r}.o = {l}.o AND COALESCE({r}.a, 0) = COALESCE({l}.a, 0) AND COALESCE({r}.b, 0) = COALESCE({l}.b, 0)"  # noqa: E501


def select_sql(
    *,
    aggregation: str,
    value_type: str,
    dims: int,
    weights: bool,
    periods: bool,
    per_organization=False,
    organizations=False,
) -> str:
    """The SELECT giving (period_id, member1_id, member2_id, value, organizations); with
    `per_organization`, each organisation's total instead: (period_id, organization_id, value),
    of the organisations in %(organizations)s when `organizations`."""
    period_filter = " AND d.period_id = ANY(%(periods)s)" if periods else ""
    if organizations:  # one page of organisations: their values and submissions only
        period_filter += (
            " AND d.organization_id = ANY(%(organizations)s) AND s.organization_id = ANY(%(organizations)s)"
        )
        if periods:
            period_filter += " AND s.period_id = ANY(%(periods)s)"
    percent = value_type == ValueType.PERCENT
    # An organisation's total over some of its cells (aggregation._combine) and its weight.
    combined = (
        "CASE WHEN count(wt) = count(*) AND sum(wt) > 0 THEN sum(x * wt) / sum(wt) ELSE avg(x) END"
        if percent
        else "sum(x)"
    )
    derived = []
    if dims:
        groupings = [("NULL", "NULL")] if dims == 1 else [("a", "NULL"), ("NULL", "b"), ("NULL", "NULL")]
        if per_organization:  # only the organisations' totals are read: no cell, no sub-total
            groupings = [("NULL", "NULL")]
        for a, b in groupings:
            keys = "".join(f", {k}" for k in (a, b) if k != "NULL")
            derived.append(
                f"SELECT g.p, g.o, g.a, g.b, g.val, COALESCE(wd.x, g.wsum) AS wt FROM ("
                f"SELECT p, o, {a}::bigint AS a, {b}::bigint AS b, {combined} AS val,"
                f" CASE WHEN count(wt) = count(*) THEN sum(wt) END AS wsum"
                f" FROM vw GROUP BY p, o{keys}) g LEFT JOIN w wd ON {_SAME_KEY.format(r='wd', l='g')}"
            )
    # An organisation's own cells, then its totals; per organisation without a breakdown, the cell
    # is the total, and with one, the cells are not read.
    cells = [] if per_organization and dims else ["SELECT p, o, a, b, x AS val, wt FROM vw"]
    per_org = " UNION ALL ".join([*cells, *derived])
    by_rule: dict[str, str] = {
        Aggregation.SUM: "sum(val)",
        Aggregation.MEAN: "avg(val)",
        Aggregation.WEIGHTED_MEAN: (
            "CASE WHEN sum(wt) FILTER (WHERE wt IS NOT NULL) > 0"
            " THEN sum(val * wt) FILTER (WHERE wt IS NOT NULL) / sum(wt) FILTER (WHERE wt IS NOT NULL) END"
        ),
    }
    across = by_rule.get(
        aggregation, "CASE WHEN count(*) = 1 THEN min(val) END"
    )  # not aggregable: one source
    denominator = (
        _approved("denominator", period_filter) if weights else f"{_approved('measure', '')} AND false"
    )
    return (
        f"WITH v AS MATERIALIZED ({_approved('measure', period_filter)}),"
        f" w AS MATERIALIZED ({denominator}),"
        f" vw AS MATERIALIZED (SELECT v.p, v.o, v.a, v.b, v.x, w.x AS wt FROM v LEFT JOIN w"
        f" ON {_SAME_KEY.format(r='w', l='v')}),"
        f" org AS ({per_org})"
        + (
            " SELECT p, o, val FROM org WHERE a IS NULL AND b IS NULL"
            if per_organization
            else f" SELECT p, a, b, round({across}, 6), count(*) FROM org GROUP BY p, a, b"
        )
    )


def insert_aggregates(run_id: int, measure, dims: int, period_ids=None) -> int:
    """Write one measure's aggregates into a run (the caller has deleted what they replace)."""
    weighted = measure.aggregation == Aggregation.WEIGHTED_MEAN or measure.value_type == ValueType.PERCENT
    weights = bool(measure.denominator_id) and weighted
    select = select_sql(
        aggregation=measure.aggregation,
        value_type=measure.value_type,
        dims=dims,
        weights=weights,
        periods=period_ids is not None,
    )
    table = Aggregate._meta.db_table
    sql = (
        f"INSERT INTO {table} (run_id, measure_id, period_id, member1_id, member2_id, value, organizations)"
        f" SELECT %(run)s, %(measure)s, q.* FROM ({select}) q"
    )
    params = {
        "run": run_id,
        "measure": measure.pk,
        "denominator": measure.denominator_id,
        "approved": SubmissionStatus.APPROVED,
        "periods": list(period_ids) if period_ids is not None else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _run(measure, dims: int, period_ids, per_organization: bool, organization_ids=None) -> list[tuple]:
    weighted = measure.aggregation == Aggregation.WEIGHTED_MEAN or measure.value_type == ValueType.PERCENT
    select = select_sql(
        aggregation=measure.aggregation,
        value_type=measure.value_type,
        dims=dims,
        weights=bool(measure.denominator_id) and weighted,
        periods=period_ids is not None,
        per_organization=per_organization,
        organizations=organization_ids is not None,
    )
    params = {
        "measure": measure.pk,
        "denominator": measure.denominator_id,
        "approved": SubmissionStatus.APPROVED,
        "periods": list(period_ids) if period_ids is not None else None,
        "organizations": list(organization_ids) if organization_ids is not None else None,
    }
    # A read: on a page that a read replica may serve (ci_platform/replica.py), the replica serves it.
    alias = router.db_for_read(Aggregate)
    if organization_ids is None:
        with connections[alias].cursor() as cursor:
            cursor.execute(select, params)
            return cursor.fetchall()
    # One page of organisations (the measure page): the planner estimates the filtered values of a
    # small initiative in a large table at a row or two, and then joins the measure's values to
    # its denominator's by a nested loop over both (3,600 x 3,600 comparisons for 10 organisations:
    # 0.7 s; 4.6 s at 100). Without nested loops the same read takes 15-30 ms at every size
    # (docs/performance.md). The setting holds for this one statement's transaction.
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(select, params)
        return cursor.fetchall()


def rows_sql(measure, dims: int, period_ids=None) -> list[tuple]:
    """The rows `insert_aggregates` would write, for comparison with the Python rules."""
    return _run(measure, dims, period_ids, per_organization=False)


def organization_totals(measure, dims: int, period_ids=None, organization_ids=None) -> list[tuple]:
    """Each organisation's approved total per period: (period_id, organization_id, value), by the
    rules the aggregates use (a percentage's total is a (weighted) mean of its cells); of the
    given organisations only, when given."""
    return _run(measure, dims, period_ids, per_organization=True, organization_ids=organization_ids)
