from rest_framework import serializers

from ..models import Assignment, DataValue, ReportingPeriod, SharedMeasure, Submission


class SharedMeasureSerializer(serializers.ModelSerializer):
    breakdowns = serializers.SerializerMethodField()
    strategies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    denominator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    targets = serializers.SerializerMethodField()

    class Meta:
        model = SharedMeasure
        fields = [
            "id",
            "code",
            "name_en",
            "name_he",
            "definition",
            "level",
            "unit",
            "value_type",
            "direction",
            "aggregation",
            "denominator",
            "frequency",
            "baseline_value",
            "baseline_period",
            "min_value",
            "max_value",
            "required",
            "breakdowns",
            "targets",
            "strategies",
            "data_source",
            "active_from",
            "active_to",
        ]
        read_only_fields = fields

    def get_breakdowns(self, obj) -> list[dict]:
        return [
            {
                "position": d.position,
                "code": d.dimension.code,
                "members": [m.code for m in d.dimension.members.all()],
            }
            for d in obj.measure_dimensions.all()
        ]

    def get_targets(self, obj) -> dict[str, str]:
        return {t.period_code: format(t.value.normalize(), "f") for t in obj.targets.all()}


class ReportingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "frequency", "code", "start", "end", "opens_on", "closes_on", "due_on"]
        read_only_fields = fields


class AssignmentSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    organization_id = serializers.IntegerField()
    measure = serializers.CharField(source="measure.code")

    class Meta:
        model = Assignment
        fields = ["id", "organization_id", "organization", "measure"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    organization = serializers.CharField(source="organization.name")
    organization_id = serializers.IntegerField()
    period = serializers.CharField(source="period.code")
    frequency = serializers.CharField(source="period.frequency")

    class Meta:
        model = Submission
        fields = [
            "id",
            "organization_id",
            "organization",
            "period",
            "frequency",
            "status",
            "message",
            "submitted_at",
            "reviewed_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class DataValueSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="measure.code")
    period = serializers.CharField(source="period.code")
    organization_id = serializers.IntegerField()
    breakdown_1 = serializers.CharField(source="member1.code", default=None)
    breakdown_2 = serializers.CharField(source="member2.code", default=None)
    value = serializers.DecimalField(max_digits=20, decimal_places=6, coerce_to_string=True)

    class Meta:
        model = DataValue
        fields = [
            "id",
            "measure",
            "period",
            "organization_id",
            "breakdown_1",
            "breakdown_2",
            "value",
            "comment",
            "updated_at",
        ]
        read_only_fields = fields
