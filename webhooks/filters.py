"""FilterSets of the API lists."""

import django_filters

from .choices import DeliveryStatus, EventType
from .models import Delivery


class DeliveryFilter(django_filters.FilterSet):
    subscription = django_filters.CharFilter(method="filter_subscription", help_text="Subscription id.")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(field_name="event__type", choices=EventType.choices)

    class Meta:
        model = Delivery
        fields = ["subscription", "status", "event_type"]

    def filter_subscription(self, queryset, name, value):
        # An id that is no id (or beyond the column's range) matches nothing, never a 500.
        if not value.isdigit() or not 0 < int(value) < 2**63:
            return queryset.none()
        return queryset.filter(subscription_id=int(value))
