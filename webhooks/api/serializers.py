from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..choices import DeliveryStatus, EventType
from ..models import Attempt, Delivery, Subscription


class SubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    secret_hint = serializers.CharField(read_only=True, help_text="The secret's prefix and last characters.")
    previous_secret_expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Until then the previous secret signs each request too."
    )

    class Meta:
        model = Subscription
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "secret_hint",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["consecutive_failures", "disabled_at", "created_at", "updated_at"]


class SubscriptionWriteSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False
    )
    is_active = serializers.BooleanField(required=False, help_text="Only on update: enable or disable.")


class SubscriptionSecretSerializer(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret: returned only this once.")

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    error = serializers.CharField(source="error_text", read_only=True, help_text="Why it failed, if it did.")

    class Meta:
        model = Attempt
        fields = ["number", "at", "status_code", "response_ms", "error", "succeeded", "manual"]


class DeliverySerializer(serializers.ModelSerializer):
    subscription: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(read_only=True)
    event_type = serializers.ChoiceField(source="event.type", choices=EventType.choices, read_only=True)
    msg_id = serializers.CharField(source="event.msg_id", read_only=True, help_text="The webhook-id header.")
    payload = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "subscription",
            "event_type",
            "msg_id",
            "payload",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "created_at",
            "delivered_at",
            "attempt_log",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_payload(self, obj: Delivery) -> dict:
        import json

        return json.loads(obj.event.body())
