"""The dashboards' PostgreSQL reads (measurement.dashboards.sql) give exactly what the portable ORM
reads give: the same cards in the same groups, the same measure page, in both languages and with
every filter. Data: counts and a percentage weighted by them, broken down and not, targets, two
strategies (one measure serving both, one serving none), periods with no value, a measure with no
data, and a measure of another initiative that must not appear."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from initiatives import services as initiative_services
from measurement import services
from measurement.aggregation import runs
from measurement.choices import Aggregation, Direction, Frequency, Unit, ValueType
from measurement.dashboards import readers
from tests.measurement.worlds import measure as dashboard_measure
from tests.permission_matrix import build_world, module_world
from tests.queries import assert_num_queries
from tests.workgroups.conftest import publish_agenda

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _measure(w, code, **extra):
    """tests/test_dashboards.py's measure (a yearly count), quarterly and named in both languages."""
    fields = {"name_en": f"Measure {code}", "name_he": f"מדד {code}", "frequency": Frequency.QUARTERLY}
    return dashboard_measure(w, code, **{**fields, **extra})


def build_read_world(world):
    w, by = world, world.people["backbone"]
    reading, jobs = publish_agenda(w.initiative, by, ["Reading", "Jobs"])
    area = services.dimension_create(
        initiative=w.initiative,
        by=by,
        code="area",
        name_en="Area",
        name_he="אזור",
        members=[("north", "North", "צפון"), ("south", "South", "")],
    )
    pupils = _measure(
        w,
        "pupils",
        dimensions=[area],
        targets={"2025-Q2": "90", "2026-Q1": "120"},
        strategies=[reading, jobs],
    )
    share = _measure(
        w,
        "share",
        dimensions=[area],
        unit=Unit.PERCENT,
        value_type=ValueType.PERCENT,
        direction=Direction.LOWER_IS_BETTER,
        aggregation=Aggregation.WEIGHTED_MEAN,
        denominator=pupils,
        baseline_value="40",
        baseline_period="2025-Q1",
        targets={"2025-Q4": "30"},
        strategies=[reading],
    )
    visits = _measure(w, "visits", targets={"2025-Q3": "12.5"})
    _measure(w, "empty", strategies=[jobs])
    services.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.QUARTERLY,
        first=date(2025, 1, 1),
        last=date(2025, 12, 31),
    )
    measures = [pupils, share, visits]
    orgs = [w.orgs["partner"], w.orgs["funder"]]
    services.assignments_set(
        initiative=w.initiative, by=by, pairs={(o.pk, m.pk) for o in orgs for m in measures}
    )
    north, south = area.members.order_by("order")
    periods = list(w.initiative.periods.order_by("start"))
    for i, period in enumerate(periods[:3]):  # the last quarter has no data
        for j, org in enumerate(orgs):
            submission = services.submission_for(
                initiative=w.initiative, organization=org, period=period, by=by
            )
            services.values_save(
                submission=submission,
                by=by,
                raw={
                    (pupils.pk, north.pk, None): str(40 + 3 * i + j),
                    (pupils.pk, south.pk, None): str(7 + i),
                    (share.pk, north.pk, None): f"{30 + i + j}.25",
                    (share.pk, south.pk, None): str(55 - 2 * i),
                    (visits.pk, None, None): str(5 + i * j),
                },
                submit=True,
            )
            services.submission_approve(submission=submission, by=by)
    run = runs.rebuild_start(w.initiative)
    for measure in w.initiative.measures.all():
        runs.rebuild_measure(run.pk, measure.pk)
    runs.rebuild_finish(run.pk)
    # Another initiative's measure with the same code must stay out.
    other = initiative_services.initiative_create(
        by=w.people["backbone"],
        name="Other",
        slug="other-init",
        issue="Another issue",
        place="Elsewhere",
        topic=w.initiative.topic,
        organization=w.orgs["backbone"],
    )
    services.measure_save(
        initiative=other,
        by=w.people["backbone"],
        code="pupils",
        **{**_fields(pupils), "name_en": "Theirs", "denominator": None},
        targets={"2025-Q1": "1"},
    )
    w.reading, w.jobs, w.pupils, w.share = reading, jobs, pupils, share
    return w


# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
read_world_once, read_world = module_world("read_world", lambda: build_read_world(build_world()))


def _fields(measure) -> dict:
    names = ["name_en", "definition", "level", "unit", "value_type", "direction", "frequency", "aggregation"]
    return {name: getattr(measure, name) for name in names}


def _cards(w, **filters):
    both = [readers.measure_cards(w.initiative, sql=sql, **filters) for sql in (True, False)]
    (sql_groups, sql_run), (orm_groups, orm_run) = both
    assert sql_run == orm_run
    return sql_groups, orm_groups


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"first": date(2025, 4, 1)},
        {"last": date(2025, 6, 30)},
        {"codes": ["share", "visits", "nothing"]},
        {"strategy_id": "reading"},
        {"strategy_id": "jobs"},
    ],
    ids=["all", "from", "to", "codes", "strategy-reading", "strategy-jobs"],
)
def test_the_dashboard_cards_are_the_same_either_way(read_world, language, filters):
    w = read_world
    if "strategy_id" in filters:
        filters = {"strategy_id": getattr(w, filters["strategy_id"]).pk}
    with translation.override(language):
        sql_groups, orm_groups = _cards(w, **filters)
        assert sql_groups == orm_groups
        assert [[c.measure.name for c in g.cards] for g in sql_groups] == [
            [c.measure.name for c in g.cards] for g in orm_groups
        ]
    assert sql_groups, "the read found nothing: the comparison proves nothing"


def test_the_cards_carry_the_numbers(read_world):
    """Not only equal to each other: right. Sums over both organisations and both areas."""
    groups, _run = readers.measure_cards(read_world.initiative, sql=True)
    assert [g.title for g in groups] == ["Reading", "Jobs", ""]
    reading = {c.measure.code: c for c in groups[0].cards}
    assert sorted(reading) == ["pupils", "share"]
    pupils = reading["pupils"]
    # Q1: 40 + 41 + 7 + 7; Q2: 43 + 44 + 8 + 8; Q3: 46 + 47 + 9 + 9.
    assert pupils.curve.history.periods == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert pupils.curve.history.values == [95.0, 103.0, 111.0]
    assert pupils.curve.targets == {"2025-Q2": 90.0, "2026-Q1": 120.0}
    assert (pupils.latest_period, pupils.latest, pupils.change_previous) == ("2025-Q3", 111.0, 8.0)
    assert pupils.completeness == (2, 2)
    assert reading["share"].curve.baseline == 40.0 and reading["share"].better == -1
    assert [c.measure.code for c in groups[1].cards] == ["empty", "pupils"]
    assert groups[1].cards[0].latest is None and groups[1].cards[0].curve.history.periods == []
    assert [c.measure.code for c in groups[2].cards] == ["visits"]
    assert groups[2].cards[0].curve.targets == {"2025-Q3": 12.5}


def test_the_dashboard_read_is_two_statements_after_the_run(read_world):
    with assert_num_queries(3):  # the active run, the cards, the strategy titles
        readers.measure_cards(read_world.initiative, sql=True)


def test_no_run_yet_gives_cards_without_numbers(read_world):
    read_world.initiative.aggregate_runs.all().delete()
    sql_groups, orm_groups = _cards(read_world)
    assert sql_groups == orm_groups
    assert all(c.latest is None for g in sql_groups for c in g.cards)


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("show_organizations", [False, True])
@pytest.mark.parametrize(
    "span", [(None, None), (date(2025, 4, 1), None), (None, date(2025, 6, 30))], ids=["all", "from", "to"]
)
@pytest.mark.parametrize("code", ["pupils", "share", "visits", "empty"])
def test_the_measure_page_is_the_same_either_way(read_world, language, show_organizations, span, code):
    w = read_world
    measure = w.initiative.measures.get(code=code)
    first, last = span
    with translation.override(language):
        sql, orm = (
            readers.measure_detail(
                w.initiative, measure, show_organizations=show_organizations, first=first, last=last, sql=flag
            )
            for flag in (True, False)
        )
        assert sql == orm
    assert sql.periods, "no periods: the comparison proves nothing"
    if code == "pupils" and span == (None, None):
        labels = dict(sql.members)
        total, north = ("סך הכול", "צפון") if language == "he" else ("Total", "North")
        assert set(labels) == {total, north, "South"}  # South has no Hebrew name: English shows
        assert labels[total] == {"2025-Q1": 95.0, "2025-Q2": 103.0, "2025-Q3": 111.0}
        assert [row[0] for row in sql.completeness] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


@pytest.fixture
def provisional_world(read_world):
    """read_world with its last quarter provisional: Partner Org's values approved, Funder Org's
    waiting for review (1 of 2 expected organisations approved)."""
    w, by = read_world, read_world.people["backbone"]
    pupils, share = w.pupils, w.share
    visits = w.initiative.measures.get(code="visits")
    north, south = pupils.measure_dimensions.get().dimension.members.order_by("order")
    last = w.initiative.periods.order_by("start").last()
    for org, approve in ((w.orgs["partner"], True), (w.orgs["funder"], False)):
        submission = services.submission_for(initiative=w.initiative, organization=org, period=last, by=by)
        services.values_save(
            submission=submission,
            by=by,
            raw={
                (pupils.pk, north.pk, None): "20",
                (pupils.pk, south.pk, None): "3",
                (share.pk, north.pk, None): "70",
                (share.pk, south.pk, None): "80",
                (visits.pk, None, None): "1",
            },
            submit=True,
        )
        if approve:
            services.submission_approve(submission=submission, by=by)
    run = runs.rebuild_start(w.initiative)
    for measure in w.initiative.measures.all():
        runs.rebuild_measure(run.pk, measure.pk)
    runs.rebuild_finish(run.pk)
    return w


@pytest.mark.parametrize("language", ["en", "he"])
@pytest.mark.parametrize("complete_pct", [None, 100, 50], ids=["default", "every", "half"])
def test_provisional_periods_are_the_same_either_way(provisional_world, language, complete_pct):
    """Which periods are provisional, and so the headline, change, verdict and forecast, the report
    card's curves and the measure page's marks: the same from both reads, at every threshold."""
    w = provisional_world
    if complete_pct is not None:
        services.measurement_settings_update(
            initiative=w.initiative, by=w.people["backbone"], complete_pct=complete_pct
        )
    with translation.override(language):
        sql_groups, orm_groups = _cards(w)
        assert sql_groups == orm_groups
        sql_public, orm_public = (
            readers.measure_cards(w.initiative, complete_only=True, sql=flag)[0] for flag in (True, False)
        )
        assert sql_public == orm_public
        for measure in w.initiative.measures.all():
            sql, orm = (
                readers.measure_detail(w.initiative, measure, show_organizations=True, sql=flag)
                for flag in (True, False)
            )
            assert sql == orm
    provisional = [] if complete_pct == 50 else ["2025-Q4"]
    pupils = next(c for c in sql_groups[0].cards if c.measure.code == "pupils")
    assert pupils.curve.provisional == provisional
    assert readers.measure_detail(w.initiative, w.pupils, show_organizations=False).provisional == provisional
    # Q3: 46 + 47 + 9 + 9 = 111 after 103; Q4 (Partner Org only): 20 + 3 = 23.
    if provisional:
        assert (pupils.latest_period, pupils.latest, pupils.change_previous) == ("2025-Q3", 111.0, 8.0)
        assert (pupils.provisional_period, pupils.provisional_counts) == ("2025-Q4", (1, 2))
    else:
        assert (pupils.latest_period, pupils.latest, pupils.change_previous) == ("2025-Q4", 23.0, -88.0)
    public = next(c for c in sql_public[0].cards if c.measure.code == "pupils")
    assert public.curve.history.periods[-1] == ("2025-Q4" if complete_pct == 50 else "2025-Q3")


def test_the_threshold_costs_no_statement(provisional_world):
    services.measurement_settings_update(
        initiative=provisional_world.initiative, by=provisional_world.people["backbone"], complete_pct=50
    )
    with assert_num_queries(3):  # the active run, the cards, the strategy titles
        readers.measure_cards(provisional_world.initiative, sql=True)
    with assert_num_queries(2):  # the periods with their completeness, the rows
        readers.measure_detail(
            provisional_world.initiative, provisional_world.pupils, show_organizations=False, sql=True
        )
