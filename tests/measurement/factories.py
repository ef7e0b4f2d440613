"""Test data of shared measurement, with factory-boy (the core's people, organisations and
initiatives are in tests/factories.py). Made directly, without the services' checks: a test of a
workflow builds its data through the services (tests/measurement/conftest.py's world).

    period = ReportingPeriodFactory(initiative=initiative, year=2024)
    value = DataValueFactory(submission__period=period, measure__code="enrolled", value=12)
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory

from measurement.choices import Aggregation, Direction, Frequency, Level, Unit, ValueType
from measurement.models import DataValue, ReportingPeriod, SharedMeasure, Submission

from ..factories import InitiativeFactory, OrganizationFactory


class SharedMeasureFactory(factory.django.DjangoModelFactory):
    """A yearly count, summed across partners, with no breakdown."""

    class Meta:
        model = SharedMeasure

    initiative = factory.SubFactory(InitiativeFactory)
    code = factory.Sequence(lambda n: f"measure-{n}")
    name_en = factory.LazyAttribute(lambda m: f"Measure {m.code}")
    definition = "Children reading at grade level."
    unit = Unit.COUNT
    value_type = ValueType.INTEGER
    direction = Direction.HIGHER_IS_BETTER
    level = Level.POPULATION
    aggregation = Aggregation.SUM
    frequency = Frequency.YEARLY


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    """A calendar year (`year=`), open for data from its first day until 60 days after it ends,
    due 30 days after it ends."""

    class Meta:
        model = ReportingPeriod

    class Params:
        year = factory.Sequence(lambda n: 2000 + n)

    initiative = factory.SubFactory(InitiativeFactory)
    frequency = Frequency.YEARLY
    code = factory.LazyAttribute(lambda p: str(p.year))
    start = factory.LazyAttribute(lambda p: date(p.year, 1, 1))
    end = factory.LazyAttribute(lambda p: date(p.year, 12, 31))
    opens_on = factory.SelfAttribute("start")
    closes_on = factory.LazyAttribute(lambda p: p.end + timedelta(days=60))
    due_on = factory.LazyAttribute(lambda p: p.end + timedelta(days=30))


class SubmissionFactory(factory.django.DjangoModelFactory):
    """An organisation's data for one period of the same initiative (a draft unless told)."""

    class Meta:
        model = Submission

    initiative = factory.SubFactory(InitiativeFactory)
    organization = factory.SubFactory(OrganizationFactory)
    period = factory.SubFactory(ReportingPeriodFactory, initiative=factory.SelfAttribute("..initiative"))


class DataValueFactory(factory.django.DjangoModelFactory):
    """One value (a total: no breakdown) of a submission, for a measure of its initiative."""

    class Meta:
        model = DataValue

    submission = factory.SubFactory(SubmissionFactory)
    measure = factory.SubFactory(
        SharedMeasureFactory, initiative=factory.SelfAttribute("..submission.initiative")
    )
    period = factory.SelfAttribute("submission.period")
    organization = factory.SelfAttribute("submission.organization")
    value = Decimal(1)
