"""FilterSets of the API lists, shared with nothing else yet. Ids only: an id from another
initiative simply matches nothing."""

import django_filters
from django.utils import timezone

from ci_platform.api.filters import StrictBooleanFilter, updated_since

from .choices import AssumptionStatus, RiskStatus
from .models import Assumption, CurveStory, CurveWorksheet, Risk


class RiskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RiskStatus.choices)
    due = StrictBooleanFilter(method="filter_due", help_text="true: open risks whose review date has come.")
    updated_since = updated_since()

    class Meta:
        model = Risk
        fields = ["status"]

    def filter_due(self, queryset, name, value):
        if value is None:
            return queryset
        due = {"status": RiskStatus.OPEN, "review_on__lte": timezone.localdate()}
        return queryset.filter(**due) if value else queryset.exclude(**due)


class AssumptionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssumptionStatus.choices)
    updated_since = updated_since()

    class Meta:
        model = Assumption
        fields = ["status"]


class WorksheetFilter(django_filters.FilterSet):
    measure = django_filters.NumberFilter()
    period = django_filters.NumberFilter()
    show_on_report_card = StrictBooleanFilter()
    updated_since = updated_since()

    class Meta:
        model = CurveWorksheet
        fields = ["measure", "period"]


class StoryFilter(django_filters.FilterSet):
    measure = django_filters.NumberFilter()
    period = django_filters.NumberFilter()

    class Meta:
        model = CurveStory
        fields = ["measure", "period"]
