"""Completeness-aware figures: a period below the initiative's completeness threshold
(`MeasurementSettings.complete_pct`, default: every expected organisation approved) is provisional.
It is shown as such (chart, tables, API) and left out of the headline, the change since the previous
period, the on-track verdict and the forecast, which rest on the latest complete period; the public
report card leaves it out altogether.

The data: one quarterly count, "hours", broken down by area and reported by two organisations.
Q1–Q3 2025 are approved for both; in Q4 one organisation is approved and the other waits for review.

| quarter | Partner Org (north + south) | Funder Org | total | approved |
| ------- | --------------------------- | ---------- | ----- | -------- |
| 2025-Q1 | 90 + 10                     | 40 + 10    | 150   | 2 of 2   |
| 2025-Q2 | 100 + 10                    | 50 + 10    | 170   | 2 of 2   |
| 2025-Q3 | 110 + 10                    | 60 + 10    | 190   | 2 of 2   |
| 2025-Q4 | 120 + 10                    | (waiting)  | 130   | 1 of 2   |

Targets: 200 in 2025-Q4 and 240 in 2026-Q2. Read with the provisional Q4, the headline would be 130
"since previous: −60", off track, with a forecast extending the drop; read from the latest complete
quarter it is 190, +20, and on track (the trend of +20 a quarter reaches 200 by 2025-Q4).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from ci_platform.i18n_format import isolate, period_label
from measurement import services
from measurement.aggregation import runs
from measurement.aggregation.completeness import is_complete
from measurement.choices import Frequency
from measurement.dashboards import readers
from measurement.dashboards.charts import CurveData, Series, bars_by_member, turn_the_curve
from measurement.models import ReportCard
from tests.queries import assert_queries_constant

from ..permission_matrix import build_world, module_world
from .worlds import measure as _measure

pytestmark = pytest.mark.django_db

COMPLETE = ["2025-Q1", "2025-Q2", "2025-Q3"]
WORDS = {
    "en": {
        "provisional": "Provisional",
        "note": "provisional: 1 of 2 organisations approved",
        "on_track": "on track",
        "since_previous": "since previous",
    },
    "he": {
        "provisional": "זמני",
        "note": "זמני: 1 מתוך 2 ארגונים אושרו",
        "on_track": "בכיוון היעד",
        "since_previous": "מאז התקופה הקודמת",
    },
}


def _recompute(initiative):
    run = runs.rebuild_start(initiative)
    for measure_id in initiative.measures.values_list("pk", flat=True):
        runs.rebuild_measure(run.pk, measure_id)
    runs.rebuild_finish(run.pk)


def _enter(w, org, period, north: int, south: int, *, approve: bool):
    by = w.people["backbone"]
    submission = services.submission_for(
        initiative=w.initiative, organization=w.orgs[org], period=period, by=by
    )
    services.values_save(
        submission=submission,
        by=by,
        raw={(w.hours.pk, w.north.pk, None): str(north), (w.hours.pk, w.south.pk, None): str(south)},
        submit=True,
    )
    if approve:
        services.submission_approve(submission=submission, by=by)


def build_pworld(world):
    w, by = world, world.people["backbone"]
    area = services.dimension_create(
        initiative=w.initiative,
        by=by,
        code="area",
        name_en="Area",
        name_he="אזור",
        members=[("north", "North", "צפון"), ("south", "South", "דרום")],
    )
    w.hours = _measure(
        w,
        "hours",
        name_en="Tutoring hours",
        name_he="שעות חונכות",
        frequency=Frequency.QUARTERLY,
        dimensions=[area],
        targets={"2025-Q4": "200", "2026-Q2": "240"},
    )
    w.north, w.south = area.members.order_by("order")
    services.periods_ensure(
        initiative=w.initiative,
        by=by,
        frequency=Frequency.QUARTERLY,
        first=date(2025, 1, 1),
        last=date(2025, 12, 31),
    )
    services.assignments_set(
        initiative=w.initiative,
        by=by,
        pairs={(w.orgs["partner"].pk, w.hours.pk), (w.orgs["funder"].pk, w.hours.pk)},
    )
    w.periods = list(w.initiative.periods.order_by("start"))
    for i, period in enumerate(w.periods):
        _enter(w, "partner", period, 90 + 10 * i, 10, approve=True)
        if i < 3:
            _enter(w, "funder", period, 40 + 10 * i, 10, approve=True)
        else:
            _enter(w, "funder", period, 999, 999, approve=False)  # waiting for review
    _recompute(w.initiative)
    card = ReportCard.objects.create(
        initiative=w.initiative, published=True, title="Hours", suppression_threshold=1
    )
    card.measures.set([w.hours])
    return w


# Built once for the module: each test runs in a savepoint of it, with its own copy (module_world).
pworld_once, pworld = module_world("pworld", lambda: build_pworld(build_world()))


def _set_threshold(w, pct: int):
    services.measurement_settings_update(initiative=w.initiative, by=w.people["backbone"], complete_pct=pct)


def _card(w, **kwargs):
    groups, _run = readers.measure_cards(w.initiative, **kwargs)
    return groups[0].cards[0]


def _client(client, w, language, persona="steering"):
    client.force_login(w.people[persona])
    client.cookies["django_language"] = language
    return client


# --- The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approved", "expected", "pct", "complete"),
    [
        (2, 2, 100, True),
        (1, 2, 100, False),
        (1, 2, 50, True),
        (1, 2, 51, False),
        (2, 3, 66, True),
        (2, 3, 67, False),  # 66.67 % is below 67 %, however a float would round it
        (0, 0, 100, True),  # nobody expected: the aggregate stands on its own
        (None, None, 100, True),  # no counts computed: nothing to wait for
        (1, 2, None, False),  # no settings: the default, every organisation
    ],
)
def test_the_rule(approved, expected, pct, complete):
    assert is_complete(approved, expected, pct) is complete


# --- The cards: headline, change, verdict, forecast ----------------------------------------------


def test_the_card_rests_on_the_latest_complete_period(pworld):
    card = _card(pworld)
    assert card.curve.history.periods == [*COMPLETE, "2025-Q4"]
    assert card.curve.history.values == [150.0, 170.0, 190.0, 130.0]
    assert card.curve.provisional == ["2025-Q4"]
    assert (card.latest_period, card.latest, card.change_previous) == ("2025-Q3", 190.0, 20.0)
    assert card.completeness == (2, 2)
    assert (card.provisional_period, card.provisional_counts) == ("2025-Q4", (1, 2))
    # The forecast continues the complete quarters' trend from 2025-Q3, not the drop to 130.
    assert card.curve.forecast.periods == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert card.curve.forecast.values == [190.0, 210.0, 230.0]
    assert (card.target_now, card.on_track) == (200.0, True)


def test_a_lower_threshold_makes_the_period_complete_and_changes_the_verdict(pworld):
    _set_threshold(pworld, 50)  # 1 of 2 approved is enough
    card = _card(pworld)
    assert card.curve.provisional == [] and card.provisional_period is None
    assert (card.latest_period, card.latest, card.change_previous) == ("2025-Q4", 130.0, -60.0)
    assert (card.target_now, card.on_track) == (200.0, False)
    assert card.completeness == (1, 2)
    _set_threshold(pworld, 51)
    assert _card(pworld).latest_period == "2025-Q3"


def test_no_complete_period_gives_no_headline(pworld):
    # Only Q4 in the span: its figure is provisional, so there is no headline at all.
    card = _card(pworld, first=date(2025, 10, 1))
    assert card.latest is None and card.change_previous is None and card.on_track is None
    assert card.curve.forecast is None
    assert (card.provisional_period, card.provisional_counts) == ("2025-Q4", (1, 2))


def test_the_report_card_read_leaves_provisional_periods_out(pworld):
    card = _card(pworld, complete_only=True)
    assert card.curve.history.periods == COMPLETE and card.curve.provisional == []
    assert (card.latest_period, card.latest, card.change_previous, card.on_track) == (
        "2025-Q3",
        190.0,
        20.0,
        True,
    )
    assert card.provisional_period is None


# --- The charts ----------------------------------------------------------------------------------


def test_the_chart_draws_provisional_points_apart():
    data = CurveData(
        "m",
        "M",
        "people",
        Series(["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"], [1.0, 2.0, 3.0, 1.5]),
        provisional=["2025-Q2", "2025-Q4"],
    )
    labels = {
        "history": "Actual",
        "target": "T",
        "baseline": "B",
        "forecast": "F",
        "provisional": "Provisional",
    }
    actual, provisional = turn_the_curve(data, rtl=False, labels=labels)["data"][:2]
    assert actual["y"] == [1.0, None, 3.0, None]  # no solid line through a provisional point
    assert provisional["name"] == "Provisional" and provisional["line"]["dash"] == "dash"
    assert provisional["marker"]["symbol"] == "circle-open"
    # Each provisional run joined to its complete neighbours, runs apart (None), hollow markers
    # on the provisional points only.
    assert provisional["x"] == ["2025-Q1", "2025-Q2", "2025-Q3", None, "2025-Q3", "2025-Q4"]
    assert provisional["y"] == [1.0, 2.0, 3.0, None, 3.0, 1.5]
    assert provisional["marker"]["size"] == [0, 10, 0, 0, 0, 10]


def test_bars_of_provisional_periods_are_hatched_and_labelled():
    figure = bars_by_member(
        ["2025-Q3", "2025-Q4"],
        {"Total": [1.0, 2.0]},
        rtl=True,
        unit="u",
        provisional=["2025-Q4"],
        provisional_label="זמני",
    )
    assert figure["data"][0]["marker"]["pattern"]["shape"] == ["", "/"]
    assert figure["layout"]["xaxis"]["ticktext"] == ["2025-Q3", "2025-Q4 (זמני)"]
    plain = bars_by_member(["2025-Q3"], {"Total": [1.0]}, rtl=False, unit="u")
    assert "marker" not in plain["data"][0] and "ticktext" not in plain["layout"]["xaxis"]


# --- Time to scale ----------------------------------------------------------------------------------


def test_a_curves_time_axis_is_to_scale():
    """Figures in 2024 and 2025, targets in 2026, 2027 and 2030: the axis had five equal steps, and
    the three years to 2030 were drawn as one (a target twice as steep as it is)."""
    data = CurveData(
        "ready", "Ready", "%", Series(["2024", "2025"], [45.0, 49.0]), {"2026": 54, "2027": 58, "2030": 70}
    )
    figure = turn_the_curve(data, rtl=True, labels={"history": "A", "target": "T", "baseline": "B"})
    assert figure["layout"]["xaxis"]["categoryarray"] == [str(y) for y in range(2024, 2031)]


def test_a_period_without_a_figure_is_a_gap_in_the_line():
    data = CurveData("c", "C", "n", Series(["2025-Q1", "2025-Q3", "2025-Q4"], [1.0, 3.0, 4.0]))
    actual = turn_the_curve(data, rtl=False, labels={"history": "A"})["data"][0]
    assert actual["x"] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert actual["y"] == [1.0, None, 3.0, 4.0]


def test_the_forecast_follows_time_not_the_count_of_figures(pworld):
    """No figure for 2025-Q2 (no aggregate at all): the trend from Q1 (150) to Q3 (190) is +20 a
    quarter, not +40 from one figure to the next."""
    from measurement.models import Aggregate, Completeness

    run = runs.active_run(pworld.initiative)
    q2 = pworld.periods[1]
    Aggregate.objects.filter(run=run, period=q2).delete()
    Completeness.objects.filter(run=run, period=q2).delete()
    for sql in (False, True) if connection.vendor == "postgresql" else (False,):
        card = _card(pworld, sql=sql)
        assert card.curve.history.periods == ["2025-Q1", "2025-Q3", "2025-Q4"]
        assert card.curve.forecast.periods == ["2025-Q3", "2025-Q4", "2026-Q1"]
        assert card.curve.forecast.values == [190.0, 210.0, 230.0]


# --- The pages, in both languages ------------------------------------------------------------------


def _forecast_label(language: str) -> str:
    return "תחזית" if language == "he" else "Forecast"


def _label(code: str, language: str) -> str:
    with translation.override(language):
        return period_label(code)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_dashboard(client, pworld, language):
    words = WORDS[language]
    response = _client(client, pworld, language).get(reverse("measurement:dashboard", kwargs={"slug": "c2c"}))
    body = response.content.decode()
    card = body[body.index('data-measure="hours"') :]
    card = card[: card.index("</details>")]
    assert '<span class="fs-4 number">190</span>' in card
    assert (
        f'<span class="number"><bdi>{_label("2025-Q3", language)}</bdi></span>' in card
    )  # the headline's period
    assert f'{words["since_previous"]}: <span class="number" dir="ltr">+20</span>' in card
    assert f'text-bg-success">{words["on_track"]}<' in card
    headline = card.split("<table")[0]
    assert "-60" not in headline and ">130<" not in headline
    assert f"{isolate(_label('2025-Q4', language))} {words['note']}" in _text(card)
    # The table behind the chart marks Q4 in words, not by colour alone.
    table = card[card.index("<table") :]
    q4_label = _label("2025-Q4", language)
    q4 = table[table.index(q4_label) - 100 : table.index(q4_label) + 200]
    assert f'<span aria-hidden="true">◌</span> {words["provisional"]}</span>' in q4
    assert table.count('data-provisional="true"') == 1
    figure = response.context["figures"]["fig-hours"]
    names = [t["name"] for t in figure["data"]]
    assert words["provisional"] in names
    provisional = figure["data"][names.index(words["provisional"])]
    assert provisional["x"] == ["2025-Q3", "2025-Q4"] and provisional["y"] == [190.0, 130.0]
    assert figure["data"][0]["y"] == [150.0, 170.0, 190.0, None]
    forecast = figure["data"][names.index(_forecast_label(language))]
    assert forecast["x"][0] == "2025-Q3" and forecast["y"][:2] == [190.0, 210.0]
    assert 'id="fig-hours"' in body


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_measure_page(client, pworld, language):
    words = WORDS[language]
    url = reverse("measurement:measure_dashboard", kwargs={"slug": "c2c", "code": "hours"})
    response = _client(client, pworld, language, persona="backbone").get(url)
    body = response.content.decode()
    # The measure's card: the latest complete quarter, the change and verdict from it.
    card = body[body.index('data-measure="hours"') : body.index("</details>")]
    assert '<span class="fs-4 number">190</span>' in card
    assert f'{words["since_previous"]}: <span class="number" dir="ltr">+20</span>' in card
    assert f'text-bg-success">{words["on_track"]}<' in card
    assert f"{isolate(_label('2025-Q4', language))} {words['note']}" in _text(card)
    assert response.context["detail"].provisional == ["2025-Q4"]
    # The tables by breakdown and by organisation and the completeness table mark Q4 (3), the
    # card's table too (1); no other quarter.
    mark = f'<span class="badge rounded-pill text-bg-light border" data-provisional="true"><span aria-hidden="true">◌</span> {words["provisional"]}</span>'
    assert body.count(mark) == 4
    assert body.count('data-provisional="true"') == 4
    for figure in (response.context["figure_members"], response.context["figure_orgs"]):
        assert figure["layout"]["xaxis"]["ticktext"][-1] == f"2025-Q4 ({words['provisional']})"
        assert figure["data"][0]["marker"]["pattern"]["shape"] == ["", "", "", "/"]
    assert 'id="fig-hours"' in body and 'data-figure="fig-hours"' in body


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_public_report_card_shows_complete_periods_only(client, pworld, language):
    words = WORDS[language]
    client.cookies["django_language"] = language
    response = client.get("/public/c2c/")
    body = response.content.decode()
    assert '<span class="fs-4 number">190</span>' in body
    assert f'{words["since_previous"]}: <span class="number" dir="ltr">+20</span>' in body
    assert f'text-bg-success">{words["on_track"]}<' in body
    # The card's table: Q4 only for its target, without the provisional value.
    q4 = f'<td class="number"><bdi>{_label("2025-Q4", language)}</bdi></td>'
    assert q4 + '<td class="number">—</td><td class="number">200</td>' in body
    assert ">130<" not in body
    assert "data-provisional" not in body and words["note"] not in _text(body)
    figure = response.context["figures"]["fig-hours"]
    assert figure["data"][0]["x"] == COMPLETE and len(figure["data"]) == 3  # actual, forecast, target
    # The breakdown is the latest complete quarter's: 2025-Q3, North 110 + 60 = 170.
    (breakdown,) = response.context["breakdowns"]
    assert breakdown.period == "2025-Q3"
    north, south = ("צפון", "דרום") if language == "he" else ("North", "South")
    assert {label: value for label, value, _suppressed in breakdown.cells} == {north: 170.0, south: 20.0}


@pytest.mark.parametrize("language", ["en", "he"])
def test_the_report_card_api(client, pworld, language):
    body = client.get("/api/v1/public/c2c/report-card/", headers={"Accept-Language": language}).json()
    (hours,) = body["measures"]
    assert hours["name"] == ("שעות חונכות" if language == "he" else "Tutoring hours")
    assert [p["period"] for p in hours["history"]] == COMPLETE
    assert (hours["latest_period"], hours["latest"], hours["change_previous"], hours["on_track"]) == (
        "2025-Q3",
        190.0,
        20.0,
        True,
    )
    assert hours["forecast"] == [
        {"period": "2025-Q3", "value": 190.0},
        {"period": "2025-Q4", "value": 210.0},
        {"period": "2026-Q1", "value": 230.0},
    ]
    assert hours["breakdown"]["period"] == "2025-Q3"


def test_the_report_card_api_follows_the_threshold(client, pworld):
    first = client.get("/api/v1/public/c2c/report-card/")
    _set_threshold(pworld, 50)
    again = client.get("/api/v1/public/c2c/report-card/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    (hours,) = again.json()["measures"]
    assert (hours["latest_period"], hours["latest"], hours["on_track"]) == ("2025-Q4", 130.0, False)


def test_the_aggregates_api(client, pworld):
    client.force_login(pworld.people["viewer"])
    url = "/api/v1/initiatives/c2c/aggregates/?measure=hours&total=true"
    first = client.get(url)
    rows = {r["period"]: r for r in first.json()["results"]}
    assert {p: (r["provisional"], r["approved"], r["expected"]) for p, r in rows.items()} == {
        "2025-Q1": (False, 2, 2),
        "2025-Q2": (False, 2, 2),
        "2025-Q3": (False, 2, 2),
        "2025-Q4": (True, 1, 2),
    }
    cells = client.get("/api/v1/initiatives/c2c/aggregates/?measure=hours&period=2025-Q4").json()["results"]
    assert len(cells) == 3 and all(c["provisional"] and c["approved"] == 1 for c in cells)
    # The threshold is part of the answer: a cached copy is not current once it changes.
    _set_threshold(pworld, 50)
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200
    assert not any(r["provisional"] for r in again.json()["results"])


def test_the_schema_documents_the_counts(client, pworld):
    client.force_login(pworld.people["viewer"])
    schema = client.get("/api/schema/", headers={"Accept": "application/json"}).json()
    properties = schema["components"]["schemas"]["Aggregate"]["properties"]
    assert (
        properties["provisional"]["type"] == "boolean"
        and "threshold" in properties["provisional"]["description"]
    )
    assert properties["expected"]["nullable"] and properties["approved"]["nullable"]


def test_backbone_staff_set_the_threshold_on_the_settings_page(client, pworld):
    client.force_login(pworld.people["backbone"])
    url = reverse("measurement:settings", kwargs={"slug": "c2c"})
    assert 'name="complete_pct"' in client.get(url).content.decode()
    response = client.post(url, {"reminder_days": 5, "complete_pct": 50})
    assert response.status_code == 302
    assert _card(pworld).latest_period == "2025-Q4"
    assert client.post(url, {"reminder_days": 5, "complete_pct": 0}).status_code == 200  # 1–100 only


# --- Query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        reverse("measurement:dashboard", kwargs={"slug": "c2c"}),
        reverse("measurement:measure_dashboard", kwargs={"slug": "c2c", "code": "hours"}),
        "/public/c2c/",
        "/api/v1/public/c2c/report-card/",
        "/api/v1/initiatives/c2c/aggregates/",
    ],
)
def test_query_counts_do_not_grow_with_provisional_periods(client, pworld, path):
    client.force_login(pworld.people["backbone"])

    def page():
        assert client.get(path).status_code == 200

    def grow():
        # A year more, every quarter of it provisional (one organisation approved of two).
        services.periods_ensure(
            initiative=pworld.initiative,
            by=pworld.people["backbone"],
            frequency=Frequency.QUARTERLY,
            first=date(2026, 1, 1),
            last=date(2026, 12, 31),
        )
        for period in pworld.initiative.periods.filter(start__year=2026):
            _enter(pworld, "partner", period, 5, 5, approve=True)
        _recompute(pworld.initiative)
        assert len(_card(pworld).curve.provisional) == 5

    assert_queries_constant(page, grow, exact=True)
