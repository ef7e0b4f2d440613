"""Calculated measures (#23): a formula over other measures, parsed without eval, checked when
saved, computed by the aggregation engine after its inputs (full rebuild and incremental update),
never entered, provisional when an input is.

The engine's rows are compared with a plain Python evaluation: the inputs aggregated by the
readable rules (`rules.aggregate_measure` over the approved values) and the formula written out
as a Python function over Decimals."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from measurement import formulas, selectors, services
from measurement.aggregation import rules, runs
from measurement.aggregation.completeness import is_complete
from measurement.choices import Aggregation, MeasureKind, Unit, ValueType
from measurement.entry import pipeline
from measurement.models import Aggregate, AggregateRun, Completeness, FormulaVersion, SharedMeasure

from .conftest import make_measure

P6 = Decimal("0.000001")


def plain(text: str) -> str:
    """A message without its bidi isolates (codes and symbols are isolated in every language)."""
    return re.sub("[\u2066-\u2069]", "", text)


def q(value: Decimal) -> Decimal:
    return value.quantize(P6, rounding=ROUND_HALF_UP)


# --- The parser (pure) ---------------------------------------------------------------------------


def test_a_formula_reads_codes_numbers_operators_and_functions():
    tree = formulas.parse("round(1000 * k-ready / (pop + 1), 2) - max(a, 2) + abs(-b)")
    assert formulas.references(tree) == ["k-ready", "pop", "a", "b"]
    value = formulas.evaluate(
        tree, {"k-ready": Decimal(3), "pop": Decimal(6), "a": Decimal(1), "b": Decimal(-4)}
    )
    assert value == Decimal("428.570000") - 2 + 4


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("100 * employed /", 17, "ends too early"),
        ("(a + b", 7, "“)” expected"),
        ("a b", 3, "Unexpected “b”"),
        ("a ^ 2", 3, "“^” cannot be used"),
        ("__import__('os')", 1, "“_” cannot be used"),
        ("exec(a)", 1, "Unknown function “exec”"),
        ("round(a, b)", 1, "whole number of places"),
        ("min(a)", 1, "min takes 2 to 20"),
        ("a.b", 2, "cannot be used"),
    ],
)
def test_a_formula_that_cannot_be_read_says_where(text, column, words):
    with pytest.raises(formulas.FormulaError) as caught:
        formulas.parse(text)
    assert caught.value.column == column
    assert words in plain(str(caught.value))
    assert "\u2066" in str(caught.value) or "ends too early" in words  # what the formula says, isolated
    assert f"at character {column}" in str(caught.value)


def test_a_formula_needs_a_measure_and_a_division_by_zero_is_a_gap():
    with pytest.raises(formulas.FormulaError, match="at least one measure"):
        formulas.parse("2 * 3")
    tree = formulas.parse("a / (b - b)")
    with pytest.raises(formulas.EvaluationGap) as caught:
        formulas.evaluate(tree, {"a": Decimal(1), "b": Decimal(2)})
    assert caught.value.reason == formulas.GAP_DIVISION_BY_ZERO
    with pytest.raises(formulas.EvaluationGap) as caught:
        formulas.evaluate(tree, {"a": None, "b": Decimal(2)})
    assert caught.value.reason == formulas.GAP_INPUT
    with pytest.raises(formulas.EvaluationGap) as caught:
        formulas.evaluate(formulas.parse("a * a"), {"a": Decimal(10) ** 11})
    assert caught.value.reason == formulas.GAP_TOO_LARGE


NUMBERS = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(a=NUMBERS, b=NUMBERS, c=NUMBERS)
def test_evaluation_equals_python_arithmetic(a, b, c):
    """The parser's precedence and functions against Python's own arithmetic on Decimals."""
    tree = formulas.parse("100 * a / b - -c + min(a, c) * 2 - abs(b - c) / 4 + round(a / 3, 2)")
    values = {"a": a, "b": b, "c": c}
    if b == 0:
        with pytest.raises(formulas.EvaluationGap):
            formulas.evaluate(tree, values)
        return
    plain = (
        100 * a / b
        - -c
        + min(a, c) * 2
        - abs(b - c) / 4
        + (a / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    )
    assert formulas.evaluate(tree, values) == q(plain)


def test_the_formula_in_words_and_symbols():
    parts = formulas.display_parts(
        "100 * employed / graduates", {"employed": "Employed", "graduates": "בוגרים"}
    )
    assert parts == [
        ("symbol", "100"),
        ("symbol", "×"),
        ("measure", "Employed"),
        ("symbol", "÷"),
        ("measure", "בוגרים"),
    ]


def test_calculate_measure_uses_the_cells_every_input_has():
    rows_a = [
        rules.AggregateRow(1, None, None, Decimal(30), 2),
        rules.AggregateRow(1, 7, None, Decimal(10), 2),
    ]
    rows_b = [
        rules.AggregateRow(1, None, None, Decimal(60), 3),
        rules.AggregateRow(1, 7, None, Decimal(0), 1),
        rules.AggregateRow(2, None, None, Decimal(5), 1),
    ]
    tree = formulas.parse("100 * a / b")
    broken_down = rules.calculate_measure(tree=tree, dims=1, inputs={"a": rows_a, "b": rows_b})
    assert broken_down == [
        rules.AggregateRow(1, None, None, Decimal("50.000000"), 2),
        rules.AggregateRow(1, 7, None, None, 1, formulas.GAP_DIVISION_BY_ZERO),
    ]
    totals = rules.calculate_measure(tree=tree, dims=0, inputs={"a": rows_a, "b": rows_b})
    assert totals == [rules.AggregateRow(1, None, None, Decimal("50.000000"), 2)]


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6)).map(lambda t: (max(t), min(t))),
        min_size=1,
        max_size=4,
    ),
    pct=st.integers(1, 100),
)
def test_a_calculated_period_is_provisional_exactly_when_an_input_is(counts, pct):
    inputs = {
        f"m{i}": {1: (expected, approved, approved, 0)} for i, (expected, approved) in enumerate(counts)
    }
    expected, _submitted, approved, _on_time = rules.calculated_completeness(inputs)[1]
    assert is_complete(approved, expected, pct) == all(is_complete(a, e, pct) for e, a in counts)


# --- Saved by the service --------------------------------------------------------------------------


def calculated(m, code, formula, **fields):
    return make_measure(
        m.initiative,
        m.backbone,
        code,
        kind=MeasureKind.CALCULATED,
        formula=formula,
        unit=Unit.RATE,
        value_type=ValueType.DECIMAL,
        **fields,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ("100 * attended / nobody", "There is no measure with the code “nobody”"),
        ("100 * attended-enrolled", "put spaces around the minus sign"),
        ("rate / 2", "cannot be calculated from itself"),
        ("enrolled / sessions", "reported quarterly"),
        ("100 * (attended", "“)” expected. (at character 16)"),
    ],
)
def test_a_formula_is_checked_when_saved(mworld, formula, words):
    with pytest.raises(ValidationError) as caught:
        calculated(mworld, "rate", formula)
    assert words in plain(" ".join(caught.value.message_dict["formula"]))
    assert not SharedMeasure.objects.filter(code="rate").exists()


@pytest.mark.django_db
def test_breakdowns_must_match_and_cycles_are_refused(mworld):
    m = mworld
    # sessions by area × gender, a quarterly twin by area only: not the same breakdown.
    make_measure(m.initiative, m.backbone, "visits", dimensions=[m.dimensions["area"]], frequency="quarterly")
    with pytest.raises(ValidationError) as caught:
        calculated(m, "per-visit", "sessions / visits", frequency="quarterly")
    assert "broken down differently" in caught.value.message_dict["formula"][0]
    first = calculated(m, "rate-a", "attended / 2")
    calculated(m, "rate-b", "rate-a * 2")
    with pytest.raises(ValidationError) as caught:
        services.measure_save(
            initiative=m.initiative, by=m.backbone, measure=first, formula="rate-b + attended"
        )
    assert "goes round in a circle: rate-a → rate-b → rate-a" in plain(
        caught.value.message_dict["formula"][0]
    )


@pytest.mark.django_db
def test_the_messages_are_in_hebrew(mworld):
    with translation.override("he"), pytest.raises(ValidationError) as caught:
        calculated(mworld, "rate", "100 * attended / nobody")
    message = caught.value.message_dict["formula"][0]
    assert "nobody" in message and "There is no measure" not in message


@pytest.mark.django_db
def test_a_calculated_measure_takes_its_inputs_breakdown_and_keeps_its_formula_history(mworld):
    m = mworld
    rate = calculated(m, "per-area", "enrolled * 2", aggregation=Aggregation.WEIGHTED_MEAN)
    assert [d.dimension.code for d in rate.measure_dimensions.all()] == ["area"]
    assert rate.aggregation == Aggregation.NONE and rate.denominator is None
    totals = calculated(m, "attend-rate", "100 * attended / enrolled")
    assert not totals.measure_dimensions.exists()  # attended has no breakdown: only totals shared
    services.measure_save(
        initiative=m.initiative, by=m.backbone, measure=totals, formula="1000 * attended / enrolled"
    )
    services.measure_save(initiative=m.initiative, by=m.backbone, measure=totals, name_en="Attendance rate")
    history = list(
        FormulaVersion.objects.filter(measure=totals).values_list("number", "formula", "created_by")
    )
    assert history == [
        (2, "1000 * attended / enrolled", m.backbone.pk),
        (1, "100 * attended / enrolled", m.backbone.pk),
    ]
    # An input's code is held by the formula that uses it.
    with pytest.raises(ValidationError) as caught:
        services.measure_save(
            initiative=m.initiative, by=m.backbone, measure=m.measures["attended"], code="came"
        )
    assert "attend-rate" in plain(caught.value.message_dict["code"][0])


@pytest.mark.django_db
def test_the_model_holds_the_formula_rule(mworld):
    m = mworld
    entered = m.measures["attended"]
    entered.formula = "enrolled * 2"
    with pytest.raises(ValidationError, match="Only a calculated measure has a formula"):
        entered.clean()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SharedMeasure.objects.filter(pk=entered.pk).update(kind=MeasureKind.CALCULATED)  # no formula


# --- Never entered -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_calculated_measure_is_never_entered(mworld):
    m = mworld
    rate = calculated(m, "attend-rate", "100 * attended / enrolled")
    with pytest.raises(ValidationError, match="never entered"):
        services.assignments_set(initiative=m.initiative, by=m.backbone, pairs={(m.org.pk, rate.pk)})
    rows = [
        pipeline.Row(
            line=2,
            measure="attend-rate",
            period=m.periods["year"].code,
            breakdown_1="",
            breakdown_2="",
            value="5",
            comment="",
        )
    ]
    pipeline.rows_preview(initiative=m.initiative, organization=m.org, by=m.backbone, rows=rows)
    assert [plain(reason) for reason in rows[0].reasons] == [
        "Measure “attend-rate” is calculated from other measures; it is never entered."
    ]


# --- Computed by the engine ----------------------------------------------------------------------


def _plain_inputs(m, codes, period_ids=None):
    """Each input's aggregates by the readable rules, over the approved values."""
    out = {}
    for code in codes:
        measure = m.measures.get(code) or SharedMeasure.objects.get(initiative=m.initiative, code=code)
        out[code] = runs._python_rows(measure, measure.measure_dimensions.count(), period_ids)
    return out


def _engine(run, measure, period_id=None):
    rows = Aggregate.objects.filter(run=run, measure=measure)
    if period_id:
        rows = rows.filter(period_id=period_id)
    return sorted(
        rows.values_list("period_id", "member1_id", "member2_id", "value", "organizations", "gap"),
        key=lambda r: (r[0], r[1] or 0, r[2] or 0),
    )


def _full_rebuild(initiative) -> AggregateRun:
    run = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(run.pk, measure_id)
    run.refresh_from_db()
    assert run.active
    return run


@pytest.mark.django_db
def test_the_full_rebuild_computes_them_after_their_inputs(mworld):
    m = mworld
    services.submission_approve(submission=m.b_submission, by=m.backbone)
    # Created first, so that their ids come before their inputs' in no helpful order.
    twice = calculated(m, "twice", "enrolled * 2 + enrolled / 3")
    rate = calculated(m, "attend-rate", "100 * attended / enrolled")
    half = calculated(m, "half-rate", "round(attend-rate / 2, 1)")
    run = _full_rebuild(m.initiative)

    plain = _plain_inputs(m, ["enrolled", "attended"])
    enrolled = {(r.period_id, r.member1_id, r.member2_id): r for r in plain["enrolled"]}
    attended = {(r.period_id, r.member1_id, r.member2_id): r for r in plain["attended"]}
    expected_twice = [
        (k[0], k[1], k[2], q(r.value * 2 + r.value / 3), r.organizations, "")
        for k, r in sorted(enrolled.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
    ]
    assert _engine(run, twice) == expected_twice and expected_twice
    expected_rate = [
        (
            k[0],
            None,
            None,
            q(100 * a.value / enrolled[k].value),
            min(a.organizations, enrolled[k].organizations),
            "",
        )
        for k, a in sorted(attended.items())
        if k in enrolled
    ]
    assert _engine(run, rate) == expected_rate and expected_rate
    expected_half = [
        (p, a, b, q((v / 2).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)), n, "")
        for p, a, b, v, n, _gap in expected_rate
    ]
    assert _engine(run, half) == expected_half
    # Its completeness is its least complete input's.
    for period_id in {r[0] for r in expected_rate}:
        counts = {
            code: Completeness.objects.filter(run=run, measure=m.measures[code], period_id=period_id)
            .values_list("expected", "submitted", "approved", "on_time")
            .get()
            for code in ("attended", "enrolled")
        }
        assert (
            Completeness.objects.filter(run=run, measure=rate, period_id=period_id)
            .values_list("expected", "submitted", "approved", "on_time")
            .get()
            == rules.calculated_completeness({c: {period_id: v} for c, v in counts.items()})[period_id]
        )


@pytest.mark.django_db
def test_an_update_recomputes_them_as_a_full_rebuild_does(mworld):
    m = mworld
    rate = calculated(m, "attend-rate", "100 * attended / enrolled")
    half = calculated(m, "half-rate", "attend-rate / 2")
    run = _full_rebuild(m.initiative)
    year = m.periods["year"]
    assert not _engine(run, rate, year.pk)  # nothing approved this year yet
    services.submission_approve(submission=m.b_submission, by=m.backbone)  # enrolled, by B
    mine = m.submission("year")
    services.values_save(submission=mine, by=m.backbone, raw=m.valid_year(), submit=True)
    services.submission_approve(submission=mine, by=m.backbone)
    # The approvals queued updates (run eagerly or not): run the one for the year by hand.
    runs.update(m.initiative.pk, [m.measures["attended"].pk, m.measures["enrolled"].pk], year.pk)
    updated = (_engine(run, rate, year.pk), _engine(run, half, year.pk))
    assert updated[0] and updated[1]
    fresh = _full_rebuild(m.initiative)
    assert (_engine(fresh, rate, year.pk), _engine(fresh, half, year.pk)) == updated
    # 200 attended of 315 + 240 enrolled.
    assert updated[0][0][3] == q(Decimal(100) * 200 / 555)


@pytest.mark.django_db
def test_a_division_by_zero_is_a_gap_with_its_reason(mworld, client):
    from django.urls import reverse

    m = mworld
    rate = calculated(m, "per-enrolled", "attended / (enrolled - enrolled)")
    run = _full_rebuild(m.initiative)
    rows = _engine(run, rate)
    assert rows and all(r[3] is None and r[5] == formulas.GAP_DIVISION_BY_ZERO for r in rows)
    # The measure's dashboard page says where and why, in the reader's language; the API too.
    client.force_login(m.backbone)
    url = reverse("measurement:measure_dashboard", args=[m.initiative.slug, rate.code])
    period = m.periods["year_closed"].code
    assert (
        f'<bdi class="number">{period}</bdi>, <bdi>Total</bdi>: a division by zero</li>'
        in client.get(url).content.decode()
    )
    client.cookies["django_language"] = "he"
    assert "חלוקה באפס" in client.get(url).content.decode()
    api = client.get(
        reverse("measurement-api:aggregate-list", kwargs={"initiative_slug": m.initiative.slug}),
        {"measure": rate.code},
    ).json()
    assert {(row["value"], row["gap"]) for row in api["results"]} == {(None, "division_by_zero")}


@pytest.mark.django_db
def test_a_changed_formula_is_recomputed_in_the_active_run(mworld):
    m = mworld
    rate = calculated(m, "attend-rate", "100 * attended / enrolled")
    run = _full_rebuild(m.initiative)
    before = _engine(run, rate)
    services.measure_save(
        initiative=m.initiative, by=m.backbone, measure=rate, formula="1000 * attended / enrolled"
    )
    runs.calculated_refresh(rate.pk)  # what the task queued on commit does
    after = _engine(run, rate)
    assert before and [r[3] * 10 for r in before] == [r[3] for r in after]


# --- The form ------------------------------------------------------------------------------------------


def _form(code, formula, **extra):
    return {
        "code": code,
        "name_en": "Attendance rate",
        "name_he": "שיעור נוכחות",
        "definition": "Children attending per 100 enrolled.",
        "level": "process",
        "unit": "rate",
        "value_type": "decimal",
        "direction": "up",
        "frequency": "yearly",
        "kind": "calculated",
        "formula": formula,
        "required": "on",
        **extra,
    }


@pytest.mark.django_db
def test_the_form_saves_a_calculated_measure_and_says_what_is_wrong(mworld, client):
    from django.urls import reverse

    m = mworld
    client.force_login(m.backbone)
    url = reverse("measurement:measure_create", kwargs={"slug": m.initiative.slug})
    page = client.get(url).content.decode()
    assert 'name="formula"' in page and 'value="calculated"' in page
    response = client.post(url, _form("attend-rate", "100 * attended / enrolled"))
    assert response.status_code == 302
    rate = SharedMeasure.objects.get(initiative=m.initiative, code="attend-rate")
    assert rate.is_calculated and rate.aggregation == Aggregation.NONE
    assert rate.formula_versions.get().created_by == m.backbone
    # The measure page: the formula in words (names, bidi-isolated) and symbols (codes).
    page = client.get(rate.get_absolute_url()).content.decode()
    assert '<bdi class="fw-semibold">Attended</bdi> <span class="number">÷</span>' in page
    assert '<code dir="ltr" id="formula-codes">100 * attended / enrolled</code>' in page
    client.cookies["django_language"] = "he"
    page = client.get(rate.get_absolute_url()).content.decode()
    assert '<bdi class="fw-semibold">מדד attended</bdi>' in page and "מחושב כך" in page
    # Refused, with the message on the field, in the reader's language.
    response = client.post(url, _form("bad-rate", "100 * attended / (enrolled"))
    assert response.status_code == 200 and not SharedMeasure.objects.filter(code="bad-rate").exists()
    assert "חסר “)”" in plain(response.content.decode()) and "(בתו 27)" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.post(url, _form("bad-rate", "100 * attended / ghosts"))
    assert (
        "There is no measure with the code “\u2066ghosts\u2069”. (at character 18)"
        in response.content.decode()
    )
    # An entered measure without a kind chosen stays entered (and needs its aggregation).
    response = client.post(url, _form("mentors", "", kind="", aggregation="sum"))
    assert response.status_code == 302
    assert SharedMeasure.objects.get(initiative=m.initiative, code="mentors").kind == MeasureKind.ENTERED
    # The list of measures marks the calculated one.
    home = client.get(reverse("measurement:home", kwargs={"slug": m.initiative.slug})).content.decode()
    assert home.count('title="Calculated from other measures">calculated</span>') == 1


# --- The engine against the plain evaluation, on generated data ---------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("dims", "b_dims"), [(0, 0), (1, 1), (2, 2), (2, 0)])
@pytest.mark.parametrize("rule", [Aggregation.SUM, Aggregation.NONE])
def test_the_engine_gives_the_plain_evaluation(world, dims, b_dims, rule):
    """Generated approved values of two measures (`rule` across partners; `b` broken down as `a`,
    or not at all), a calculated `100 * a / b - min(a, b)`: the full rebuild's rows, and an
    incremental update's, are the formula evaluated in plain Python over the inputs' aggregates by
    the readable rules (`rules.aggregate_measure`), at every period and cell both have; gaps with
    their reason where b is 0 or an input has no value (several sources of a not-aggregable one)."""
    import os

    from hypothesis import HealthCheck
    from hypothesis import settings as hsettings

    from .test_aggregation_sql import SLOTS, Shape, numbers, python_rows

    shape = Shape(world)
    a = shape.measure(aggregation=rule, value_type=ValueType.DECIMAL, dims=dims)
    b = shape.measure(aggregation=rule, value_type=ValueType.DECIMAL, dims=b_dims)
    c = services.measure_save(
        initiative=shape.initiative,
        by=shape.by,
        code="c",
        name_en="C",
        definition="calculated",
        level="process",
        unit=Unit.RATE,
        value_type=ValueType.DECIMAL,
        direction="up",
        frequency="yearly",
        kind=MeasureKind.CALCULATED,
        formula=f"100 * {a.code} / {b.code} - min({a.code}, {b.code})",
    )
    assert c.measure_dimensions.count() == (dims if b_dims else 0)

    def plain(rows_a, rows_b, c_dims):
        by_b = {row[:3]: row for row in rows_b}
        out = []
        for key in sorted({row[:3] for row in rows_a} & set(by_b), key=lambda k: tuple(x or 0 for x in k)):
            if not c_dims and key[1:] != (None, None):
                continue
            row_a, row_b = next(r for r in rows_a if r[:3] == key), by_b[key]
            x, y, n = row_a[3], row_b[3], min(row_a[4], row_b[4])
            if x is None or y is None:
                out.append((*key, None, n, formulas.GAP_INPUT))
            elif y == 0:
                out.append((*key, None, n, formulas.GAP_DIVISION_BY_ZERO))
            else:
                out.append((*key, q(100 * x / y - min(x, y)), n, ""))
        return out

    @hsettings(
        max_examples=int(os.environ.get("AGG_EXAMPLES", 8)),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        picks_a=st.lists(numbers(False), min_size=SLOTS, max_size=SLOTS),
        picks_b=st.lists(
            st.one_of(st.none(), st.just(Decimal(0)), st.integers(0, 500).map(Decimal)),
            min_size=SLOTS,
            max_size=SLOTS,
        ),
    )
    def check(picks_a, picks_b):
        rows_a = python_rows(a, dims, shape.store(a, dims, picks_a), None)
        rows_b = python_rows(b, b_dims, shape.store(b, b_dims, picks_b), None)
        expected = plain(rows_a, rows_b, dims if b_dims else 0)
        run = _full_rebuild(shape.initiative)
        assert _engine(run, c) == expected
        # The incremental update of one period writes the same rows again.
        period = shape.periods[0]
        Aggregate.objects.filter(run=run, period=period).delete()
        runs.update(shape.initiative.pk, [a.pk, b.pk], period.pk)
        assert _engine(run, c) == expected

    check()


@pytest.mark.django_db
def test_an_entered_measure_becomes_calculated_only_without_data(mworld):
    m = mworld
    attended = m.measures["attended"]  # has approved values
    with pytest.raises(ValidationError) as caught:
        services.measure_save(
            initiative=m.initiative,
            by=m.backbone,
            measure=attended,
            kind=MeasureKind.CALCULATED,
            formula="enrolled / 2",
        )
    assert "cannot become calculated" in caught.value.message_dict["kind"][0]
    spend = m.measures["spend"]  # assigned, nothing entered yet
    assert spend.assignments.exists()
    spend.kind, spend.formula = MeasureKind.CALCULATED, "attended / 2"  # changed on the instance first
    services.measure_save(initiative=m.initiative, by=m.backbone, measure=spend)
    spend.refresh_from_db()
    assert spend.is_calculated and not spend.assignments.exists()
    assert list(spend.formula_versions.values_list("number", "formula")) == [(1, "attended / 2")]
    assert all(g.measure.code != "spend" for g in selectors.dataset(m.initiative, m.org, m.periods["year"]))
