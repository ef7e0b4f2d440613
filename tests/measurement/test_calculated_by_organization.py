"""A calculated measure's table by organisation on its dashboard page (#23): each organisation's
own value, the formula over its own approved totals of the inputs (through calculated inputs
too), at the periods where it has them all. A formula that uses a figure with one designated
source for the whole initiative (aggregation "none": a population rate) has no value per
organisation; the page says so, in English and Hebrew, instead of an empty table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from measurement import services
from measurement.choices import MeasureKind, Unit, ValueType
from measurement.dashboards import readers

from .conftest import make_measure

pytestmark = pytest.mark.django_db


def calculated(m, code, formula):
    return make_measure(
        m.initiative,
        m.backbone,
        code,
        kind=MeasureKind.CALCULATED,
        formula=formula,
        unit=Unit.RATE,
        value_type=ValueType.DECIMAL,
    )


@pytest.fixture
def approved(mworld):
    """Partner Org: last year (enrolled 300, attended 150) and this year (enrolled 315, attended
    200) approved; Partner B: this year (enrolled 240, no attended) approved."""
    m = mworld
    services.submission_approve(submission=m.b_submission, by=m.backbone)
    current = m.submission("year")
    services.values_save(submission=current, by=m.partner, raw=m.valid_year(), submit=True)
    services.submission_approve(submission=current, by=m.backbone)
    return m


def by_organization(m, measure):
    detail = readers.measure_detail(m.initiative, measure, show_organizations=True)
    return detail, dict(detail.by_organization)


@pytest.fixture(params=["sql", "orm"])
def reader_path(request, monkeypatch):
    """The same numbers whether the database or Python computes each organisation's totals."""
    monkeypatch.setattr(readers.database, "does_the_work", lambda: request.param == "sql")
    return request.param


def test_each_organisation_has_its_own_value(approved, reader_path):
    m = approved
    last, this = m.periods["year_closed"].code, m.periods["year"].code
    rate = calculated(m, "attend-rate", "100 * attended / enrolled")
    detail, rows = by_organization(m, rate)
    assert detail.totals_only_inputs == []
    # Partner B reports no attendance: its row is empty, as the aggregates take the periods every
    # input has (it reports the inputs: it is listed).
    assert rows == {"Partner B": {}, "Partner Org": {last: 50.0, this: pytest.approx(63.492063)}}
    # Through a calculated input too, and for every organisation that has the inputs.
    half = calculated(m, "half", "enrolled / 2")
    whole = calculated(m, "whole", "half * 2")
    assert by_organization(m, half)[1] == {
        "Partner B": {this: 120.0},
        "Partner Org": {last: 150.0, this: 157.5},
    }
    assert by_organization(m, whole)[1] == {
        "Partner B": {this: 240.0},
        "Partner Org": {last: 300.0, this: 315.0},
    }


def test_a_division_by_zero_is_no_value(approved, reader_path):
    m = approved
    odd = calculated(m, "odd", "attended / (enrolled - enrolled)")
    assert by_organization(m, odd)[1] == {
        "Partner B": {},
        "Partner Org": {m.periods["year_closed"].code: None, m.periods["year"].code: None},
    }


def test_the_page_shows_the_rows(approved, client):
    m = approved
    rate = calculated(m, "attend-rate", "100 * attended / enrolled")
    client.force_login(m.backbone)
    page = client.get(reverse("measurement:measure_dashboard", args=[m.initiative.slug, rate.code]))
    html = page.content.decode()
    assert 'id="by-org"' in html and 'data-figure="fig-orgs"' in html
    assert "<bdi>Partner Org</bdi>" in html
    assert "calculated from its own approved totals" in html
    assert "by-org-totals-only" not in html
    client.cookies["django_language"] = "he"
    page = client.get(reverse("measurement:measure_dashboard", args=[m.initiative.slug, rate.code]))
    assert "הערך של כל ארגון, מחושב מהסכומים המאושרים שלו עצמו" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "words", "name"),
    [
        ("en", "This measure has no value per organization", "Pop rate"),
        ("he", "למדד זה אין ערך לכל ארגון בנפרד", "מדד pop-rate"),
    ],
)
def test_a_formula_on_a_figure_of_the_whole_initiative_says_so(approved, client, language, words, name):
    m = approved
    per_pop = calculated(m, "per-pop", "enrolled * pop-rate")
    twice = calculated(m, "twice", "per-pop * 2")
    for measure in (per_pop, twice):
        detail, rows = by_organization(m, measure)
        assert rows == {} and detail.totals_only_inputs == ["Pop rate"]
    client.force_login(m.backbone)
    client.cookies["django_language"] = language
    url = reverse("measurement:measure_dashboard", args=[m.initiative.slug, twice.code])
    html = client.get(url).content.decode()
    assert words in html
    assert f"<bdi>{name}</bdi></p>" in html
    assert 'data-figure="fig-orgs"' not in html


def test_organisations_are_named_only_to_those_who_may_see_them(approved, client):
    m = approved
    per_pop = calculated(m, "per-pop", "enrolled * pop-rate")
    client.force_login(m.partner)
    url = reverse("measurement:measure_dashboard", args=[m.initiative.slug, per_pop.code])
    html = client.get(url).content.decode()
    assert 'id="by-org"' not in html
