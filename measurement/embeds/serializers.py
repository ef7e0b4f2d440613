"""The embedded chart's numbers as JSON (read from readers.Embed)."""

from rest_framework import serializers


class EmbedRowSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Reporting period code (2026, 2026-Q1, 2026-01).")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="Null: no complete data for the period.")
    target = serializers.FloatField(allow_null=True)


class EmbedSerializer(serializers.Serializer):
    initiative = serializers.CharField(source="initiative.slug")
    code = serializers.CharField(source="measure.measure.code")
    name = serializers.CharField(source="measure.measure.name")
    unit = serializers.CharField(source="measure.curve.unit")
    direction = serializers.CharField(source="measure.measure.direction")
    baseline = serializers.FloatField(source="measure.curve.baseline", allow_null=True)
    baseline_period = serializers.CharField(source="measure.curve.baseline_period", allow_blank=True)
    latest_period = serializers.CharField(source="measure.latest_period", allow_null=True)
    latest = serializers.FloatField(source="measure.latest", allow_null=True)
    on_track = serializers.BooleanField(source="measure.on_track", allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When the aggregates were computed.")
    rows = EmbedRowSerializer(many=True, help_text="Every period with a value or a target, oldest first.")
