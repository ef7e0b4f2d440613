"""Filters of the measurement API (django-filter): the same names on every collection."""

import django_filters
from django.db.models import Q

from ci_platform.api.filters import (
    IdFilter,
    MomentFilter,
    StrictBooleanFilter,
    updated_since,
)

from .. import selectors
from ..choices import AuditAction, Frequency, SubmissionStatus
from ..models import Aggregate, AuditEntry, DataValue, ReportingPeriod, Submission

MEASURE_HELP = "Shared measure code."
PERIOD_HELP = "Reporting period code (2026, 2026-Q1, 2026-01)."
FROM_HELP = "Periods starting on or after this date."
TO_HELP = "Periods ending on or before this date."
BREAKDOWN_HELP = "A breakdown member: its code (`dalet`) or dimension and code (`area:dalet`)."


def _breakdown(prefix: str = ""):
    def method(queryset, name, value):
        dimension, _sep, code = value.rpartition(":")
        matches = Q()
        for member in ("member1", "member2"):
            lookup = {f"{prefix}{member}__code": code}
            if dimension:
                lookup[f"{prefix}{member}__dimension__code"] = dimension
            matches |= Q(**lookup)
        return queryset.filter(matches)

    return method


class DataValueFilter(django_filters.FilterSet):
    measure = django_filters.CharFilter(method="filter_measure", help_text=MEASURE_HELP)
    period = django_filters.CharFilter(field_name="period__code", help_text=PERIOD_HELP)
    period_from = django_filters.DateFilter(
        field_name="period__start", lookup_expr="gte", help_text=FROM_HELP
    )
    period_to = django_filters.DateFilter(field_name="period__end", lookup_expr="lte", help_text=TO_HELP)
    organization = IdFilter(field_name="organization_id", help_text="Organisation id.")
    breakdown = django_filters.CharFilter(method=_breakdown(), help_text=BREAKDOWN_HELP)
    status = django_filters.ChoiceFilter(
        field_name="submission__status",
        choices=SubmissionStatus.choices,
        help_text="The status of the submission the value belongs to (`approved`: locked, final data).",
    )
    updated_since = updated_since()

    class Meta:
        model = DataValue
        fields: list[str] = []

    def filter_measure(self, queryset, name, value):
        """The code resolved to the initiative's measure first: `measure_id = …` lets PostgreSQL
        read the measure's values in id order from its (measure, id) index, where a join on the
        code made it sort them, or walk every id before them."""
        initiative = getattr(getattr(self.request, "parser_context", {}).get("view"), "initiative", None)
        measure_id = selectors.measure_id_by_code(initiative, value)
        if measure_id is not None:
            return queryset.filter(measure_id=measure_id)
        return queryset.filter(measure__code=value)  # none, or the code in several initiatives


class AggregateFilter(django_filters.FilterSet):
    measure = django_filters.CharFilter(field_name="measure__code", help_text=MEASURE_HELP)
    period = django_filters.CharFilter(field_name="period__code", help_text=PERIOD_HELP)
    period_from = django_filters.DateFilter(
        field_name="period__start", lookup_expr="gte", help_text=FROM_HELP
    )
    period_to = django_filters.DateFilter(field_name="period__end", lookup_expr="lte", help_text=TO_HELP)
    frequency = django_filters.ChoiceFilter(field_name="period__frequency", choices=Frequency.choices)
    breakdown = django_filters.CharFilter(method=_breakdown(), help_text=BREAKDOWN_HELP)
    total = StrictBooleanFilter(
        method="filter_total", help_text="true: totals only (no breakdown); false: breakdown cells only."
    )

    class Meta:
        model = Aggregate
        fields: list[str] = []

    def filter_total(self, queryset, name, value):
        totals = Q(member1__isnull=True, member2__isnull=True)
        return queryset.filter(totals) if value else queryset.exclude(totals)


class SubmissionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SubmissionStatus.choices)
    period = django_filters.CharFilter(field_name="period__code", help_text=PERIOD_HELP)
    period_from = django_filters.DateFilter(
        field_name="period__start", lookup_expr="gte", help_text=FROM_HELP
    )
    period_to = django_filters.DateFilter(field_name="period__end", lookup_expr="lte", help_text=TO_HELP)
    organization = IdFilter(field_name="organization_id", help_text="Organisation id.")
    updated_since = updated_since()

    class Meta:
        model = Submission
        fields: list[str] = []


class AuditEntryFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    organization = IdFilter(field_name="organization_id", help_text="Organisation id.")
    measure = django_filters.CharFilter(field_name="measure__code", help_text=MEASURE_HELP)
    period = django_filters.CharFilter(field_name="submission__period__code", help_text=PERIOD_HELP)
    since = MomentFilter(
        field_name="at",
        lookup_expr="gte",
        help_text="Only entries recorded at or after this moment (ISO 8601).",
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []


class PeriodFilter(django_filters.FilterSet):
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices)
    code = django_filters.CharFilter(help_text=PERIOD_HELP)

    class Meta:
        model = ReportingPeriod
        fields: list[str] = []
