"""FilterSets of the API lists. Ids only: an id from another initiative simply matches nothing."""

import django_filters

from .choices import ActivityStatus
from .models import Activity, NetworkMetrics, TieResponse, WorkingGroupMember


class ActivityFilter(django_filters.FilterSet):
    working_group = django_filters.NumberFilter()
    strategy = django_filters.NumberFilter()
    lead_organization = django_filters.NumberFilter()
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices)

    class Meta:
        model = Activity
        fields = ["working_group", "strategy", "lead_organization", "status"]


class WorkingGroupMemberFilter(django_filters.FilterSet):
    group = django_filters.NumberFilter()

    class Meta:
        model = WorkingGroupMember
        fields = ["group"]


class TieFilter(django_filters.FilterSet):
    wave = django_filters.NumberFilter()
    from_organization = django_filters.NumberFilter()
    to_organization = django_filters.NumberFilter()

    class Meta:
        model = TieResponse
        fields = ["wave", "from_organization", "to_organization"]


class NetworkMetricsFilter(django_filters.FilterSet):
    wave = django_filters.NumberFilter()

    class Meta:
        model = NetworkMetrics
        fields = ["wave"]
