"""Aggregates across partners, computed from approved data only.

`aggregate_measure` is a pure function over plain rows, so every rule can be checked against
hand-computed numbers. The rules:

* a cell (measure × period × breakdown cell) across organisations follows the measure's
  aggregation: sum, mean, mean weighted by the denominator measure's value in the same cell (or
  its total), or "not aggregable": the one designated source's value, none when several report;
* an organisation's total over a breakdown is the sum of its cells, except for percentages,
  whose total is the mean of the cells weighted by the denominator's cells when there is a
  denominator, else the plain mean; subtotals of a two-way breakdown likewise;
* totals across organisations then follow the measure's aggregation over the organisations'
  totals, so that a total is never typed and never disagrees with its cells.

A calculated measure (`calculate_measure`) is its formula over its inputs' aggregates, for every
period and breakdown cell they all have (only totals when an input has no breakdown): a division
by zero, an input without a value or a result too large to store is a gap with its reason. It
rests on as few organisations as its thinnest input, and a period is as complete as its least
complete input (`calculated_completeness`): provisional when any input is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..choices import Aggregation, ValueType

# A stored value: (period_id, organization_id, member1_id, member2_id, value)
ValueRow = tuple[int, int, int | None, int | None, Decimal]
# A breakdown key: (member1_id or None, member2_id or None); None on both sides is the total.
Key = tuple[int | None, int | None]

ANY = "*"
# Aggregates keep 6 decimal places, rounded half away from zero (as PostgreSQL's round() does, so
# that measurement.aggregation.sql gives the same numbers).
PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class AggregateRow:
    period_id: int
    member1_id: int | None
    member2_id: int | None
    value: Decimal | None
    organizations: int  # how many organisations' values it rests on
    gap: str = ""  # a calculated measure's reason for having no value (formulas.GAP_*)


def _org_cells(rows, dims: int) -> dict[tuple[int, int], dict[Key, Decimal]]:
    cells: dict[tuple[int, int], dict[Key, Decimal]] = defaultdict(dict)
    for period_id, org_id, m1, m2, value in rows:
        cells[(period_id, org_id)][(m1, m2)] = value
    return cells


def _combine(values: list[Decimal], weights: list[Decimal] | None, percent: bool) -> Decimal | None:
    """An organisation's total over some of its cells."""
    if not values:
        return None
    if not percent:
        return sum(values, Decimal(0))
    if weights is not None and len(weights) == len(values) and sum(weights) > 0:
        return sum((v * w for v, w in zip(values, weights, strict=True)), Decimal(0)) / sum(weights)
    return sum(values, Decimal(0)) / len(values)


def _rollups(cells: dict[Key, Decimal], dims: int) -> dict[Key, list[Key]]:
    """Which stored cells make up each derived key of one organisation."""
    groups: dict[Key, list[Key]] = {}
    if dims == 0:
        return {(None, None): list(cells)}
    for key in cells:
        groups.setdefault(key, [key])
    groups[(None, None)] = list(cells)
    if dims == 2:
        for m1, m2 in cells:
            groups.setdefault((m1, None), []).append((m1, m2))
            groups.setdefault((None, m2), []).append((m1, m2))
    return groups


def _per_org(
    rows: list[ValueRow], dims: int, percent: bool, weights_rows: list[ValueRow] | None
) -> dict[tuple[int, Key], dict[int, tuple[Decimal, Decimal | None]]]:
    """(period, key) -> {organization: (value, its weight or None)} including derived totals."""
    cells = _org_cells(rows, dims)
    weight_cells = _org_cells(weights_rows, dims) if weights_rows is not None else {}
    out: dict[tuple[int, Key], dict[int, tuple[Decimal, Decimal | None]]] = defaultdict(dict)
    no_weights: dict[Key, Decimal] = {}
    for (period_id, org_id), org_cells in cells.items():
        w_cells = weight_cells.get((period_id, org_id), no_weights)
        for key, parts in _rollups(org_cells, dims).items():
            if len(parts) == 1 and parts[0] == key:
                # A stored cell: its own value, weighed by the denominator's same cell if any.
                out[(period_id, key)][org_id] = (org_cells[key], w_cells.get(key))
                continue
            weighed = all(p in w_cells for p in parts)
            weights = [w_cells[p] for p in parts] if weighed else None
            value = _combine([org_cells[p] for p in parts], weights, percent)
            if value is None:  # not reached: every key rolls up at least one stored cell
                continue
            weight: Decimal | None
            if key in w_cells:
                weight = w_cells[key]
            elif w_cells and weights is not None:  # weighed
                weight = sum(weights, Decimal(0))
            else:
                weight = None
            out[(period_id, key)][org_id] = (value, weight)
    return out


def aggregate_measure(
    *,
    aggregation: str,
    value_type: str,
    dims: int,
    rows: list[ValueRow],
    denominator_rows: list[ValueRow] | None = None,
) -> list[AggregateRow]:
    percent = value_type == ValueType.PERCENT
    weighted = aggregation == Aggregation.WEIGHTED_MEAN
    per_org = _per_org(rows, dims, percent, denominator_rows if (weighted or percent) else None)
    result = []
    for (period_id, (m1, m2)), by_org in sorted(per_org.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        values = [v for v, _w in by_org.values()]
        value: Decimal | None
        if aggregation == Aggregation.SUM:
            value = sum(values, Decimal(0))
        elif aggregation == Aggregation.MEAN:
            value = sum(values, Decimal(0)) / len(values)
        elif aggregation == Aggregation.WEIGHTED_MEAN:
            pairs = [(v, w) for v, w in by_org.values() if w is not None]
            total_weight = sum((w for _v, w in pairs), Decimal(0))
            value = sum((v * w for v, w in pairs), Decimal(0)) / total_weight if total_weight > 0 else None
        else:  # not aggregable: one designated source
            value = values[0] if len(values) == 1 else None
        result.append(
            AggregateRow(
                period_id,
                m1,
                m2,
                value.quantize(PLACES, rounding=ROUND_HALF_UP) if value is not None else None,
                len(by_org),
            )
        )
    return result


def calculate_measure(*, tree, dims: int, inputs: dict[str, list[AggregateRow]]) -> list[AggregateRow]:
    """A calculated measure's rows: the formula (`formulas.parse`'s tree) over its inputs'
    aggregates (code -> rows), at each (period, cell) every input has. With no breakdown of its
    own (`dims` 0) only the inputs' totals are used."""
    from ..formulas import EvaluationGap, evaluate

    by_input: dict[str, dict[tuple, AggregateRow]] = {
        code: {
            (r.period_id, r.member1_id, r.member2_id): r
            for r in rows
            if dims or (r.member1_id is None and r.member2_id is None)
        }
        for code, rows in inputs.items()
    }
    if not by_input:
        return []
    shared = set.intersection(*(set(rows) for rows in by_input.values()))
    result = []
    for key in sorted(shared, key=lambda k: (k[0], k[1] or 0, k[2] or 0)):
        rows = {code: by_input[code][key] for code in by_input}
        try:
            value, gap = evaluate(tree, {code: r.value for code, r in rows.items()}), ""
        except EvaluationGap as exc:
            value, gap = None, exc.reason
        period_id, member1_id, member2_id = key
        organizations = min(r.organizations for r in rows.values())
        result.append(AggregateRow(period_id, member1_id, member2_id, value, organizations, gap))
    return result


# Completeness counts of one measure and period: (expected, submitted, approved, on_time).
Counts = tuple[int, int, int, int]


def calculated_completeness(inputs: dict[str, dict[int, Counts]]) -> dict[int, Counts]:
    """A calculated measure's counts per period: those of its least complete input (the lowest
    share approved; an input expecting nobody is complete), at the periods every input has. Any
    threshold `completeness.is_complete` applies then finds it provisional exactly when one of
    its inputs is."""
    from fractions import Fraction

    if not inputs:
        return {}
    periods = set.intersection(*(set(by_period) for by_period in inputs.values()))

    def share(counts: Counts) -> Fraction:
        expected, _submitted, approved, _on_time = counts
        return Fraction(approved, expected) if expected else Fraction(1)

    return {
        period_id: min((by_period[period_id] for by_period in inputs.values()), key=share)
        for period_id in periods
    }
