"""Serializers of learning. Reads carry what a client shows (titles in the reader's language, the
source's line); writes take ids and go through the services, which check every id belongs to the
initiative."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agenda.models import Strategy
from communication.models import Decision, Document
from initiatives.models import Membership, Organization
from initiatives.people import display_name
from measurement.choices import Level
from measurement.models import ReportingPeriod, SharedMeasure
from workgroups.api.serializers import OrganizationRefSerializer
from workgroups.models import Activity

from ..catalogue import StartingRisk
from ..choices import AssumptionStatus, Impact, Likelihood, RiskCategory, RiskStatus
from ..models import Assumption, CurveStory, CurveWorksheet, LearningEntry, Risk, RiskReview


def _enum_field(choices, name: str, description: str, base=serializers.ChoiceField):
    """A choice field documented as its own named enum component (no collision with another
    app's `status`)."""

    @extend_schema_field(
        {
            "type": "integer" if isinstance(choices.values[0], int) else "string",
            "enum": choices.values,
            "description": description,
        },
        component_name=name,
    )
    class Field(base):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    Field.__name__ = name + "Field"
    return Field


RiskStatusField = _enum_field(RiskStatus, "RiskStatusEnum", "open or closed")
RiskCategoryField = _enum_field(RiskCategory, "RiskCategoryEnum", "pitfall, measurement, backbone or own")
LikelihoodField = _enum_field(Likelihood, "RiskLikelihoodEnum", "1 rare … 5 almost certain")
ImpactField = _enum_field(Impact, "RiskImpactEnum", "1 negligible … 5 severe")
AssumptionStatusField = _enum_field(
    AssumptionStatus, "AssumptionStatusEnum", "holding, tested, revised or dropped"
)
CoverageLevelField = _enum_field(Level, "CoverageLevelEnum", "population, process or interaction")


def _person_name(user) -> str:
    return display_name(user) if user else ""


class OwnerSerializer(serializers.ModelSerializer):
    """A member of the initiative: the membership's id, the person's name and organisation."""

    name = serializers.SerializerMethodField()
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "name", "organization"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return _person_name(obj.user)


# --- Risks ------------------------------------------------------------------------------------------


class RiskSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="display_title", read_only=True)
    own_title = serializers.CharField(source="title", read_only=True)
    category = RiskCategoryField(read_only=True)
    source_line = serializers.SerializerMethodField()
    source_quote = serializers.SerializerMethodField()
    suggested_mitigation = serializers.SerializerMethodField()
    owner = OwnerSerializer(read_only=True, allow_null=True)
    likelihood = LikelihoodField(read_only=True)
    impact = ImpactField(read_only=True)
    score = serializers.IntegerField(read_only=True)
    status = RiskStatusField(read_only=True)
    is_due = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "catalogue_key",
            "title",
            "own_title",
            "category",
            "source_line",
            "source_quote",
            "description",
            "owner",
            "likelihood",
            "impact",
            "score",
            "mitigation",
            "suggested_mitigation",
            "review_on",
            "status",
            "is_due",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_source_line(self, obj) -> str:
        return obj.starting_entry.line if obj.starting_entry else ""

    def get_source_quote(self, obj) -> str:
        return obj.starting_entry.quote if obj.starting_entry else ""

    def get_suggested_mitigation(self, obj) -> str:
        return str(obj.starting_entry.mitigation) if obj.starting_entry else ""

    def get_is_due(self, obj) -> bool:
        return obj.is_due()


class RiskWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(), required=False, allow_null=True
    )
    likelihood = LikelihoodField(required=False)
    impact = ImpactField(required=False)
    mitigation = serializers.CharField(required=False, allow_blank=True)
    review_on = serializers.DateField(required=False)
    status = RiskStatusField(required=False)


class RiskReviewSerializer(serializers.ModelSerializer):
    likelihood = LikelihoodField(read_only=True)
    impact = ImpactField(read_only=True)
    status = RiskStatusField(read_only=True)
    by = serializers.SerializerMethodField()

    class Meta:
        model = RiskReview
        fields = ["id", "note", "likelihood", "impact", "status", "next_review_on", "by", "at"]
        read_only_fields = fields

    def get_by(self, obj) -> str:
        return _person_name(obj.by)


class RiskReviewWriteSerializer(serializers.Serializer):
    note = serializers.CharField()
    next_review_on = serializers.DateField()
    likelihood = LikelihoodField(required=False)
    impact = ImpactField(required=False)
    status = RiskStatusField(required=False)


class StartingRiskSerializer(serializers.Serializer):
    key = serializers.CharField()
    category = RiskCategoryField()
    line = serializers.CharField(
        help_text="The line of the source document (reference/000_88d2c8dd380a7319.txt)."
    )
    title = serializers.CharField()
    quote = serializers.CharField(help_text="The source's words, in Hebrew.")
    mitigation = serializers.CharField(help_text="What the source suggests.")
    taken = serializers.BooleanField(help_text="Whether the register already holds it.")

    @staticmethod
    def row(entry: StartingRisk, taken: bool) -> dict:
        return {
            "key": entry.key,
            "category": entry.category,
            "line": entry.line,
            "title": str(entry.title),
            "quote": entry.quote,
            "mitigation": str(entry.mitigation),
            "taken": taken,
        }


class AdoptSerializer(serializers.Serializer):
    keys = serializers.ListField(child=serializers.CharField(max_length=60), allow_empty=False, max_length=50)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(), required=False, allow_null=True
    )
    review_on = serializers.DateField(required=False, allow_null=True)


# --- The learning log -------------------------------------------------------------------------------


class LearningEntrySerializer(serializers.ModelSerializer):
    previous_status = AssumptionStatusField(read_only=True)
    status = AssumptionStatusField(read_only=True)
    measure_code = serializers.SerializerMethodField()
    period_code = serializers.SerializerMethodField()
    document = serializers.SerializerMethodField()
    by = serializers.SerializerMethodField()

    class Meta:
        model = LearningEntry
        fields = [
            "id",
            "note",
            "previous_status",
            "status",
            "measure",
            "measure_code",
            "period",
            "period_code",
            "decision",
            "document",
            "by",
            "at",
        ]
        read_only_fields = fields

    def get_measure_code(self, obj) -> str:
        return obj.measure.code if obj.measure_id else ""

    def get_period_code(self, obj) -> str:
        return obj.period.code if obj.period_id else ""

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_document(self, obj):
        # A private document of the library stays private: its id is given to its audience only.
        visible = self.context.get("visible_documents")
        if obj.document_id and (visible is None or obj.document_id in visible):
            return obj.document_id
        return None

    def get_by(self, obj) -> str:
        return _person_name(obj.by)


class AssumptionSerializer(serializers.ModelSerializer):
    status = AssumptionStatusField(read_only=True)
    strategy_title = serializers.SerializerMethodField()
    entries = LearningEntrySerializer(many=True, read_only=True)

    class Meta:
        model = Assumption
        fields = [
            "id",
            "statement",
            "strategy",
            "strategy_title",
            "status",
            "entries",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_strategy_title(self, obj) -> str:
        return self.context.get("strategy_titles", {}).get(obj.strategy_id, "") if obj.strategy_id else ""


class AssumptionWriteSerializer(serializers.Serializer):
    statement = serializers.CharField()
    strategy = serializers.PrimaryKeyRelatedField(
        queryset=Strategy.objects.all(), required=False, allow_null=True
    )


class LearningEntryWriteSerializer(serializers.Serializer):
    note = serializers.CharField()
    status = AssumptionStatusField()
    measure = serializers.PrimaryKeyRelatedField(
        queryset=SharedMeasure.objects.all(), required=False, allow_null=True
    )
    period = serializers.PrimaryKeyRelatedField(
        queryset=ReportingPeriod.objects.all(), required=False, allow_null=True
    )
    decision = serializers.PrimaryKeyRelatedField(
        queryset=Decision.objects.all(), required=False, allow_null=True
    )
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(), required=False, allow_null=True
    )


# --- Turn the curve -----------------------------------------------------------------------------------


class PartnerRoleSerializer(serializers.Serializer):
    organization = OrganizationRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True)


class ActionSerializer(serializers.Serializer):
    description = serializers.CharField(read_only=True)
    activity = serializers.IntegerField(source="activity_id", read_only=True, allow_null=True)
    activity_title = serializers.SerializerMethodField()
    due_on = serializers.DateField(read_only=True, allow_null=True)

    def get_activity_title(self, obj) -> str:
        return obj.activity.title if obj.activity_id else ""


class WorksheetSerializer(serializers.ModelSerializer):
    measure_code = serializers.CharField(source="measure.code", read_only=True)
    period_code = serializers.CharField(source="period.code", read_only=True)
    partners = PartnerRoleSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = CurveWorksheet
        fields = [
            "id",
            "measure",
            "measure_code",
            "period",
            "period_code",
            "story",
            "what_works",
            "what_works_evidence",
            "partners",
            "actions",
            "show_on_report_card",
            "revision",
            "carried_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PartnerRoleWriteSerializer(serializers.Serializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    role = serializers.CharField(max_length=500)


class ActionWriteSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)


class WorksheetWriteSerializer(serializers.Serializer):
    """The whole worksheet of a measure and period. `revision` is the one read (0 or null for a
    period without a worksheet yet): a save on a copy changed meanwhile is refused (400)."""

    measure = serializers.PrimaryKeyRelatedField(queryset=SharedMeasure.objects.all())
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    revision = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    story = serializers.CharField(required=False, allow_blank=True, default="")
    what_works = serializers.CharField(required=False, allow_blank=True, default="")
    what_works_evidence = serializers.CharField(required=False, allow_blank=True, default="")
    show_on_report_card = serializers.BooleanField(required=False, default=False)
    # max_length is the ListSerializer's (many=True), which the stubs do not see.
    partners = PartnerRoleWriteSerializer(many=True, required=False, default=list, max_length=30)  # type: ignore[call-arg]
    actions = ActionWriteSerializer(many=True, required=False, default=list, max_length=30)  # type: ignore[call-arg]


class StorySerializer(serializers.ModelSerializer):
    measure_code = serializers.CharField(source="measure.code", read_only=True)
    period_code = serializers.CharField(source="period.code", read_only=True)
    organization = OrganizationRefSerializer(read_only=True, allow_null=True)
    told_by = serializers.SerializerMethodField()

    class Meta:
        model = CurveStory
        fields = [
            "id",
            "measure",
            "measure_code",
            "period",
            "period_code",
            "title",
            "text",
            "organization",
            "told_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_told_by(self, obj) -> str:
        return _person_name(obj.told_by)


class StoryWriteSerializer(serializers.Serializer):
    measure = serializers.PrimaryKeyRelatedField(queryset=SharedMeasure.objects.all())
    period = serializers.PrimaryKeyRelatedField(queryset=ReportingPeriod.objects.all())
    title = serializers.CharField(max_length=200)
    text = serializers.CharField()
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )


# --- Coverage ---------------------------------------------------------------------------------------


class CoverageMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class LevelCoverageSerializer(serializers.Serializer):
    level = CoverageLevelField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field (DRF's metaclass takes it)
    covered = serializers.BooleanField()
    line = serializers.CharField(help_text="The line of the source document that requires the level.")
    quote = serializers.CharField(help_text="The source's words, in Hebrew.")
    reason = serializers.CharField(help_text="Why the level matters, shown when it is missing.")
    measures = CoverageMeasureSerializer(many=True)


class CoverageSerializer(serializers.Serializer):
    complete = serializers.BooleanField()
    levels = LevelCoverageSerializer(many=True)
