"""FilterSets of the API lists."""

import django_filters

from .choices import DeliveryStatus, EventType
from .models import Delivery


class DeliveryFilter(django_filters.FilterSet):
    subscription = django_filters.NumberFilter(field_name="subscription_id", help_text="Subscription id.")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(field_name="event__type", choices=EventType.choices)

    class Meta:
        model = Delivery
        fields = ["subscription", "status", "event_type"]
