"""The aggregation rules run in PostgreSQL (measurement.aggregation.sql) give exactly the rows of
the Python specification (measurement.aggregation.rules.aggregate_measure): every rule × value type ×
breakdown × denominator shape, on generated data (hypothesis), approved values only; and so do
each organisation's totals (the measure page's named-organisation table)."""

import os
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.choices import Sector
from initiatives.models import Organization
from measurement import services
from measurement.aggregation import sql as aggregation_sql
from measurement.aggregation.rules import PLACES, _per_org, aggregate_measure
from measurement.choices import Aggregation, Direction, Frequency, Level, SubmissionStatus, Unit, ValueType
from measurement.entry import pipeline, writer
from measurement.models import DataValue, Submission

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

RULES = [Aggregation.SUM, Aggregation.MEAN, Aggregation.WEIGHTED_MEAN, Aggregation.NONE]
# The denominator: none, without breakdown, or with the measure's own breakdown.
DENOMINATORS = [None, "total", "same"]


class Shape:
    """Organisations, periods and two dimensions, built once per test through the services."""

    def __init__(self, world):
        by = world.people["backbone"]
        self.initiative, self.by = world.initiative, by
        self.orgs = [Organization.objects.create(name=f"Org {i}", sector=Sector.NONPROFIT) for i in range(4)]
        services.periods_ensure(
            initiative=world.initiative,
            by=by,
            frequency=Frequency.YEARLY,
            first=date(2023, 1, 1),
            last=date(2025, 12, 31),
        )
        self.periods = list(world.initiative.periods.order_by("start"))
        self.dims = [
            services.dimension_create(
                initiative=world.initiative,
                by=by,
                code=code,
                name_en=code,
                name_he="",
                members=[(f"{code}{k}", f"{code} {k}", "") for k in range(n)],
            )
            for code, n in (("band", 3), ("area", 2))
        ]
        self.members = [list(d.members.order_by("order")) for d in self.dims]
        self.submissions = {}
        for org in self.orgs:
            for period in self.periods:
                self.submissions[(org.pk, period.pk)] = Submission.objects.create(
                    initiative=world.initiative,
                    organization=org,
                    period=period,
                    status=SubmissionStatus.APPROVED,
                )
        # One organisation's last period is only submitted: the rules must leave it out.
        pending = self.submissions[(self.orgs[0].pk, self.periods[-1].pk)]
        pending.status = SubmissionStatus.SUBMITTED
        pending.save()
        self.n = 0

    def measure(self, *, aggregation, value_type, dims, denominator=None):
        self.n += 1
        return services.measure_save(
            initiative=self.initiative,
            by=self.by,
            dimensions=self.dims[:dims],
            code=f"m{self.n}",
            name_en=f"Measure {self.n}",
            definition="generated",
            level=Level.PROCESS,
            unit=Unit.PERCENT if value_type == ValueType.PERCENT else Unit.COUNT,
            value_type=value_type,
            direction=Direction.HIGHER_IS_BETTER,
            frequency=Frequency.YEARLY,
            aggregation=aggregation,
            denominator=denominator,
        )

    def cells(self, dims: int) -> list[tuple]:
        if dims == 0:
            return [(None, None)]
        if dims == 1:
            return [(m.pk, None) for m in self.members[0]]
        return [(a.pk, b.pk) for a in self.members[0] for b in self.members[1]]

    def store(self, measure, dims: int, picks: list) -> list[tuple]:
        """Store the picked values (one per org × period × cell slot, None = left empty)."""
        DataValue.objects.filter(measure=measure).delete()
        rows, slots = [], [(o, p, c) for o in self.orgs for p in self.periods for c in self.cells(dims)]
        for (org, period, (a, b)), value in zip(slots, picks, strict=False):
            if value is None:
                continue
            submission = self.submissions[(org.pk, period.pk)]
            rows.append(
                {
                    "submission": submission.pk,
                    "measure": measure.pk,
                    "period": period.pk,
                    "organization": org.pk,
                    "member1": a,
                    "member2": b,
                    "value": value,
                    "comment": "",
                    "entered_by": None,
                    "updated_at": submission.updated_at,
                }
            )
        writer.insert(DataValue, pipeline.DATA_VALUE_FIELDS, rows)
        approved = {k for k, s in self.submissions.items() if s.status == SubmissionStatus.APPROVED}
        return [
            (r["period"], r["organization"], r["member1"], r["member2"], r["value"])
            for r in rows
            if (r["organization"], r["period"]) in approved
        ]


@pytest.fixture
def shape(world):
    return Shape(world)


def numbers(percent: bool):
    top = 100 if percent else 10**6
    return st.one_of(
        st.none(),
        st.decimals(min_value=0, max_value=top, places=6, allow_nan=False, allow_infinity=False),
        st.integers(min_value=0, max_value=top).map(Decimal),
    )


def _order(row):
    return tuple(-1 if x is None else x for x in row[:3])


def python_rows(measure, dims, rows, denominator_rows):
    result = aggregate_measure(
        aggregation=measure.aggregation,
        value_type=measure.value_type,
        dims=dims,
        rows=rows,
        denominator_rows=denominator_rows,
    )
    return sorted(
        ((r.period_id, r.member1_id, r.member2_id, r.value, r.organizations) for r in result), key=_order
    )


def sql_rows(measure, dims):
    rows = aggregation_sql.rows_sql(measure, dims)
    places = Decimal("0.000001")
    return sorted(
        ((p, a, b, v.quantize(places) if v is not None else None, n) for p, a, b, v, n in rows), key=_order
    )


def org_totals_python(measure, dims, rows, denominator_rows):
    weights = measure.aggregation == Aggregation.WEIGHTED_MEAN or measure.value_type == ValueType.PERCENT
    per_org = _per_org(
        rows, dims, measure.value_type == ValueType.PERCENT, denominator_rows if weights else None
    )
    return sorted(
        (period_id, org_id, value.quantize(PLACES))
        for (period_id, key), by_org in per_org.items()
        if key == (None, None)
        for org_id, (value, _weight) in by_org.items()
    )


def org_totals_sql(measure, dims):
    return sorted(
        (p, o, v.quantize(PLACES)) for p, o, v in aggregation_sql.organization_totals(measure, dims)
    )


def assert_same(got: list[tuple], expected: list[tuple], value_at: int) -> None:
    """The same rows (keys, organisation counts) and values equal to the sixth decimal place, or
    one unit apart in it: where a quotient repeats (a mean of 1/3s), PostgreSQL carries 20
    decimals and Python 28 significant digits, so a sum of such quotients that is exactly a
    half-unit in rationals can land either side of it before rounding."""
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g[:value_at] + g[value_at + 1 :] == e[:value_at] + e[value_at + 1 :], (g, e)
        if g[value_at] is None or e[value_at] is None:
            assert g[value_at] is e[value_at], (g, e)
        else:
            assert abs(g[value_at] - e[value_at]) <= PLACES, (g, e)


SLOTS = 4 * 3 * 6  # organisations × periods × the largest grid


@pytest.mark.parametrize("dims", [0, 1, 2])
@pytest.mark.parametrize("value_type", [ValueType.DECIMAL, ValueType.PERCENT])
@pytest.mark.parametrize(
    ("rule", "denominator"),
    # A weighted mean always names its denominator (SharedMeasure's rule and check constraint).
    [(r, d) for d in DENOMINATORS for r in RULES if not (r == Aggregation.WEIGHTED_MEAN and d is None)],
)
def test_sql_gives_the_python_rows(shape, rule, value_type, dims, denominator):
    den = None
    if denominator is not None:
        den_dims = 0 if denominator == "total" else dims
        den = shape.measure(aggregation=Aggregation.SUM, value_type=ValueType.INTEGER, dims=den_dims)
    measure = shape.measure(aggregation=rule, value_type=value_type, dims=dims, denominator=den)
    percent = value_type == ValueType.PERCENT

    @settings(
        max_examples=int(os.environ.get("AGG_EXAMPLES", 12)),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        picks=st.lists(numbers(percent), min_size=SLOTS, max_size=SLOTS),
        den_picks=st.lists(
            st.one_of(st.none(), st.integers(min_value=0, max_value=500).map(Decimal)),
            min_size=SLOTS,
            max_size=SLOTS,
        ),
    )
    def check(picks, den_picks):
        rows = shape.store(measure, dims, picks)
        den_rows = shape.store(den, 0 if denominator == "total" else dims, den_picks) if den else None
        assert_same(sql_rows(measure, dims), python_rows(measure, dims, rows, den_rows), value_at=3)
        assert_same(
            org_totals_sql(measure, dims), org_totals_python(measure, dims, rows, den_rows), value_at=2
        )

    check()


def test_a_hand_computed_weighted_percentage(shape):
    """Two organisations, percent by band, weighted by a denominator broken down the same way."""
    den = shape.measure(aggregation=Aggregation.SUM, value_type=ValueType.INTEGER, dims=1)
    measure = shape.measure(
        aggregation=Aggregation.WEIGHTED_MEAN, value_type=ValueType.PERCENT, dims=1, denominator=den
    )
    p = shape.periods[0]
    b0, b1 = (m.pk for m in shape.members[0][:2])
    o1, o2 = shape.orgs[1], shape.orgs[2]
    slots = {(o.pk, p.pk, c): None for o in shape.orgs for p in shape.periods for c in shape.cells(1)}

    def picks(values):
        return [values.get(k) for k in slots]

    shape.store(
        measure, 1, picks({(o1.pk, p.pk, (b0, None)): Decimal(50), (o2.pk, p.pk, (b1, None)): Decimal(80)})
    )
    shape.store(
        den, 1, picks({(o1.pk, p.pk, (b0, None)): Decimal(10), (o2.pk, p.pk, (b1, None)): Decimal(30)})
    )
    got = {(a, b): (v, n) for period, a, b, v, n in aggregation_sql.rows_sql(measure, 1) if period == p.pk}
    # Total: (50 × 10 + 80 × 30) / 40 = 72.5, from two organisations.
    assert got[(None, None)] == (Decimal("72.500000"), 2)
    assert got[(b0, None)] == (Decimal("50.000000"), 1)
    assert got[(b1, None)] == (Decimal("80.000000"), 1)
