"""Calculated measures in the API (#23): listed with their kind and formula; a bulk submission
naming one is refused whole, the row saying why, as a file would be."""

import re

import pytest

from measurement.choices import MeasureKind, Unit, ValueType
from measurement.models import DataValue

from ..measurement.conftest import make_measure
from .conftest import BASE, as_token
from .test_bulk import post, year_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def rate(mworld):
    return make_measure(
        mworld.initiative,
        mworld.backbone,
        "attend-rate",
        kind=MeasureKind.CALCULATED,
        formula="100 * attended / enrolled",
        unit=Unit.RATE,
        value_type=ValueType.DECIMAL,
    )


def test_measures_carry_their_kind_and_formula(tokens, mworld, rate):
    rows = {m["code"]: m for m in as_token(tokens, "read").get(BASE + "measures/").json()["results"]}
    assert (rows["attend-rate"]["kind"], rows["attend-rate"]["formula"]) == (
        "calculated",
        "100 * attended / enrolled",
    )
    assert (rows["attended"]["kind"], rows["attended"]["formula"]) == ("entered", "")


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_bulk_submission_naming_a_calculated_measure_is_refused(tokens, mworld, rate, dry_run):
    values = [
        *year_values(mworld),
        {"measure": "attend-rate", "period": mworld.periods["year"].code, "value": "63"},
    ]
    response = post(as_token(tokens, "submit"), {"dry_run": dry_run, "values": values})
    body = response.json()
    rows = body["rows"]
    refused = [r for r in rows if r["status"] == "reject"]
    assert [r["index"] for r in refused] == [6]
    assert [re.sub("[\u2066-\u2069]", "", reason) for reason in refused[0]["reasons"]] == [
        "Measure “attend-rate” is calculated from other measures; it is never entered."
    ]
    assert response.status_code == (200 if dry_run else 400)
    assert not DataValue.objects.filter(organization=mworld.org, period=mworld.periods["year"]).exists()
