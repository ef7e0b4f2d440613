from rest_framework import serializers

from initiatives.people import display_name

from ..choices import AgendaKind, Decision
from ..models import AgendaVersion, Endorsement, ProblemFigure, StrategyItem


class FigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProblemFigure
        fields = ["statement", "source", "year"]


class StrategyItemSerializer(serializers.ModelSerializer):
    strategy_id = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = StrategyItem
        fields = ["strategy_id", "title", "rationale"]


class EndorsementSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")
    name = serializers.SerializerMethodField()
    organization = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Endorsement
        fields = [
            "id",
            "version",
            "name",
            "organization",
            "role",
            "decision",
            "comment",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return display_name(obj.user)


class EndorseSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class AgendaVersionSerializer(serializers.ModelSerializer):
    figures = FigureSerializer(many=True, read_only=True)
    strategies = StrategyItemSerializer(source="strategy_items", many=True, read_only=True)
    published_by = serializers.SerializerMethodField()

    class Meta:
        model = AgendaVersion
        fields = [
            "number",
            "kind",
            "problem_statement",
            "figures",
            "goal",
            "boundary_geographic",
            "boundary_institutional",
            "boundary_content",
            "boundary_process",
            "strategies",
            "guiding_principles",
            "evaluation_approach",
            "change_summary",
            "published_at",
            "published_by",
            "adopted_at",
        ]
        read_only_fields = fields

    def get_published_by(self, obj) -> str | None:
        user = obj.published_by
        return display_name(user) if user else None


class DraftSerializer(serializers.ModelSerializer):
    """The whole draft, written at once. `revision` must be the one read: a stale write gets 409."""

    figures = FigureSerializer(many=True, required=False)
    strategies = StrategyItemSerializer(source="strategy_items", many=True, required=False)
    guiding_principles = serializers.ListField(
        child=serializers.CharField(max_length=1000), required=False, max_length=100
    )
    id = serializers.IntegerField(help_text="The draft's id, as read: a payload for another draft gets 409.")
    revision = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AgendaKind.choices, required=False)

    class Meta:
        model = AgendaVersion
        fields = [
            "id",
            "revision",
            "kind",
            "problem_statement",
            "figures",
            "goal",
            "boundary_geographic",
            "boundary_institutional",
            "boundary_content",
            "boundary_process",
            "strategies",
            "guiding_principles",
            "evaluation_approach",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class DraftConflictSerializer(serializers.Serializer):
    """409 to a stale PUT: the API's error shape, with the draft as it is now."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]  # a field (DRF's metaclass takes it), not the property
    current = DraftSerializer()


class PublishSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AgendaKind.choices, required=False)
    change_summary = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class StrategySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="strategy_id")
    title = serializers.CharField()
    rationale = serializers.CharField()
    version = serializers.IntegerField(source="version.number")
