"""A measure's rules hold whatever the path: the service says what is wrong, field by field, and
the database refuses what slips past it (an update, the admin, a script)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measurement.choices import Aggregation
from measurement.models import SharedMeasure

from .conftest import make_measure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"aggregation": Aggregation.WEIGHTED_MEAN},
            "denominator",
            "A weighted mean needs a denominator measure.",
        ),
        (
            {"min_value": Decimal(10), "max_value": Decimal(1)},
            "max_value",
            "The highest valid value is below the lowest.",
        ),
        (
            {"active_from": date(2026, 6, 1), "active_to": date(2026, 1, 1)},
            "active_to",
            "The end is before the start.",
        ),
    ],
)
def test_the_service_refuses_a_broken_rule(mworld, fields, field, message):
    before = SharedMeasure.objects.count()
    with pytest.raises(ValidationError) as refused:
        make_measure(mworld.initiative, mworld.backbone, "broken", **fields)
    assert refused.value.message_dict == {field: [message]}
    assert SharedMeasure.objects.count() == before


def test_a_measure_is_not_its_own_denominator(mworld):
    measure = mworld.measures["enrolled"]
    measure.denominator = measure
    with pytest.raises(ValidationError, match="its own denominator"):
        measure.clean()


@pytest.mark.parametrize(
    "update",
    [
        {"aggregation": Aggregation.WEIGHTED_MEAN, "denominator": None},
        {"min_value": Decimal(10), "max_value": Decimal(1)},
        {"active_from": date(2026, 6, 1), "active_to": date(2026, 1, 1)},
        "self",
    ],
)
def test_the_database_refuses_what_bypasses_the_service(mworld, update):
    measure = mworld.measures["enrolled"]
    values = {"denominator": measure} if update == "self" else update
    with pytest.raises(IntegrityError), transaction.atomic():
        SharedMeasure.objects.filter(pk=measure.pk).update(**values)
