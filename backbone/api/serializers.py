from decimal import Decimal

from rest_framework import serializers

from initiatives.models import Organization

from ..choices import (
    Alignment,
    BackboneKind,
    CommunityEventKind,
    FunderJoined,
    FunderType,
    FundingKind,
    FundingPurpose,
    FundingRecipient,
    PolicyKind,
    PolicyLevel,
)
from ..models import (
    AssessmentPeriod,
    BackboneFunction,
    BackboneProfile,
    CommunityEvent,
    FunctionScore,
    Funder,
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
        return list(GroupRateSerializer(groups, many=True).data)


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
    purpose = serializers.ChoiceField(
        choices=FundingPurpose.choices,
        required=False,
        help_text="What the money funds. Left out on creation: the backbone's work for money to the "
        "backbone, else the initiative's work in general.",
    )
    strategy = serializers.IntegerField(
        source="strategy_id",
        required=False,
        allow_null=True,
        help_text="The key strategy (agenda) whose activities it funds, when purpose is 'strategy'.",
    )
    # A string or a number; refused unless it is a positive amount with at most two decimals.
    amount = serializers.CharField(max_length=30)
    year = serializers.IntegerField(min_value=1990, max_value=2100)
    commitment = serializers.UUIDField(
        read_only=True, allow_null=True, help_text="Shared by the years of one multi-year commitment."
    )

    class Meta:
        model = FundingEntry
        fields = [
            "id",
            "funder",
            "funder_type",
            "recipient",
            "recipient_organization",
            "kind",
            "purpose",
            "strategy",
            "amount",
            "year",
            "committed_on",
            "commitment",
            "requires_alignment",
            "description",
        ]
        read_only_fields = ["id", "commitment"]

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
    benchmark = serializers.FloatField(help_text="The source's benchmark for the backbone's share, in %.")
    by_purpose = serializers.DictField(
        child=serializers.FloatField(), help_text="What the money funds -> total."
    )
    funders = serializers.IntegerField()


class FunderSerializer(serializers.ModelSerializer):
    """A funder: anchor funder (one per initiative), founding or later, with what it committed."""

    funder_type = serializers.ChoiceField(choices=FunderType.choices)
    joined = serializers.ChoiceField(
        choices=[("", ""), *FunderJoined.choices], required=False, allow_blank=True
    )
    total = serializers.FloatField(read_only=True, help_text="Everything it committed.")
    by_year = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Year -> amount."
    )

    class Meta:
        model = Funder
        fields = ["id", "name", "funder_type", "is_anchor", "joined", "joined_on", "total", "by_year"]
        read_only_fields = ["id", "name", "total", "by_year"]


class FundingCommitmentSerializer(serializers.Serializer):
    """A multi-year commitment: one ledger entry per year, marked as one commitment."""

    funder = serializers.CharField(max_length=200)
    funder_type = serializers.ChoiceField(choices=FunderType.choices)
    recipient = serializers.ChoiceField(choices=FundingRecipient.choices)
    recipient_organization = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=FundingKind.choices)
    purpose = serializers.ChoiceField(choices=FundingPurpose.choices, required=False)
    strategy = serializers.IntegerField(required=False, allow_null=True)
    committed_on = serializers.DateField()
    amounts = serializers.DictField(
        child=serializers.CharField(max_length=30),
        help_text='Year -> amount, e.g. {"2027": "100000", "2028": "90000"}.',
    )
    requires_alignment = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BackboneProfileSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=BackboneKind.choices)
    organizations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organization.objects.all(), required=False, help_text="Organisation ids."
    )

    class Meta:
        model = BackboneProfile
        fields = ["kind", "organizations", "structure", "interests", "neutrality", "updated_at"]
        read_only_fields = ["updated_at"]


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
