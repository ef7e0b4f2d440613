from decimal import Decimal

from rest_framework import serializers

from ..choices import (
    Alignment,
    CommunityEventKind,
    FunderType,
    FundingKind,
    FundingRecipient,
    PolicyKind,
    PolicyLevel,
)
from ..models import (
    AssessmentPeriod,
    BackboneFunction,
    CommunityEvent,
    FunctionScore,
    FundingEntry,
    Indicator,
    IndicatorScore,
    PolicyEntry,
    SurveyItem,
    SurveyWave,
)


class FunctionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BackboneFunction
        fields = ["code", "name_en", "name_he"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyItem
        fields = ["code", "group", "text_en", "text_he", "active"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    function = serializers.CharField(source="function.code", read_only=True)
    name = serializers.SerializerMethodField(help_text="The initiative's wording in the request's language.")
    standard = serializers.BooleanField(source="is_standard", read_only=True)
    items = ItemSerializer(many=True, read_only=True, source="bank")

    class Meta:
        model = Indicator
        fields = ["number", "function", "name", "name_en", "name_he", "standard", "items"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return obj.name


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssessmentPeriod
        fields = ["code", "start", "end"]
        read_only_fields = fields


class GroupRateSerializer(serializers.Serializer):
    group = serializers.CharField()
    invited = serializers.IntegerField()
    responded = serializers.IntegerField()
    items = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class WaveSerializer(serializers.ModelSerializer):
    """A wave and its response rates. Individual answers are never part of the API."""

    period = serializers.CharField(source="period.code")
    invited = serializers.IntegerField()
    responded = serializers.IntegerField()
    response_rate = serializers.SerializerMethodField()
    items = serializers.IntegerField(source="item_count")
    groups = serializers.SerializerMethodField()

    class Meta:
        model = SurveyWave
        fields = [
            "id",
            "title",
            "period",
            "status",
            "closes_on",
            "opened_at",
            "closed_at",
            "items",
            "invited",
            "responded",
            "response_rate",
            "groups",
        ]
        read_only_fields = fields

    def get_response_rate(self, obj) -> float | None:
        return round(100 * obj.responded / obj.invited, 1) if obj.invited else None

    def get_groups(self, obj) -> list[dict]:
        groups = self.context.get("groups", {}).get(obj.pk, [])
        return GroupRateSerializer(groups, many=True).data


class FunctionScoreSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    function = serializers.CharField(source="function.code")

    class Meta:
        model = FunctionScore
        fields = [
            "period",
            "function",
            "score",
            "confidence",
            "indicators_scored",
            "indicators_total",
            "computed_at",
        ]
        read_only_fields = fields


class IndicatorScoreSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    indicator = serializers.IntegerField(source="indicator.number")
    function = serializers.CharField(source="indicator.function.code")

    class Meta:
        model = IndicatorScore
        fields = [
            "period",
            "indicator",
            "function",
            "score",
            "survey_score",
            "record_score",
            "confidence",
            "responses",
            "invited",
            "response_rate",
            "evidence",
            "computed_at",
        ]
        read_only_fields = fields


class FundingEntrySerializer(serializers.ModelSerializer):
    funder = serializers.CharField(source="funder.name", max_length=200)
    funder_type = serializers.ChoiceField(source="funder.funder_type", choices=FunderType.choices)
    recipient = serializers.ChoiceField(choices=FundingRecipient.choices)
    recipient_organization = serializers.IntegerField(
        source="recipient_organization_id",
        required=False,
        allow_null=True,
        help_text="For a partner: its id.",
    )
    kind = serializers.ChoiceField(choices=FundingKind.choices)
    # A string or a number; refused unless it is a positive amount with at most two decimals.
    amount = serializers.CharField(max_length=30)
    year = serializers.IntegerField(min_value=1990, max_value=2100)

    class Meta:
        model = FundingEntry
        fields = [
            "id",
            "funder",
            "funder_type",
            "recipient",
            "recipient_organization",
            "kind",
            "amount",
            "year",
            "committed_on",
            "requires_alignment",
            "description",
        ]
        read_only_fields = ["id"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["amount"] = str(Decimal(instance.amount).quantize(Decimal("0.01")))
        return data


class FundingSummarySerializer(serializers.Serializer):
    years = serializers.ListField(child=serializers.IntegerField())
    by_type = serializers.DictField(child=serializers.ListField(child=serializers.FloatField()))
    backbone = serializers.ListField(child=serializers.FloatField())
    total = serializers.ListField(child=serializers.FloatField())
    share = serializers.ListField(child=serializers.FloatField(allow_null=True))
    grand_total = serializers.FloatField()
    backbone_total = serializers.FloatField()
    backbone_share = serializers.FloatField(allow_null=True)
    funders = serializers.IntegerField()


class PolicyEntrySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PolicyKind.choices)
    level = serializers.ChoiceField(choices=PolicyLevel.choices, required=False)
    alignment = serializers.ChoiceField(
        choices=[("", ""), *Alignment.choices], required=False, allow_blank=True
    )

    class Meta:
        model = PolicyEntry
        fields = [
            "id",
            "occurred_on",
            "kind",
            "title",
            "description",
            "level",
            "policymakers",
            "alignment",
            "source_url",
        ]
        read_only_fields = ["id"]


class CommunityEventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CommunityEventKind.choices)

    class Meta:
        model = CommunityEvent
        fields = [
            "id",
            "held_on",
            "kind",
            "title",
            "reached",
            "supporters",
            "took_action",
            "community_led",
            "notes",
        ]
        read_only_fields = ["id"]


class RunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    trigger = serializers.CharField()
