from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..fit import ANSWER_ORDER, result_of
from ..models import FitAssessment, Initiative, Membership, Milestone, Organization, PhaseTransition
from ..people import display_name


class InitiativeSerializer(serializers.ModelSerializer):
    phase_label = serializers.CharField(source="get_phase_display", read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "slug",
            "name",
            "issue",
            "place",
            "topic",
            "description",
            "phase",
            "phase_label",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    website = serializers.CharField(read_only=True, help_text="An address, or empty.")

    class Meta:
        model = Organization
        fields = ["id", "name", "sector", "website"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    """Members without personal data beyond their name and organisation."""

    name = serializers.SerializerMethodField()
    organization = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "name", "organization", "role"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return display_name(obj.user)


class MilestoneSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "phase", "area", "title", "status", "evidence", "updated_at"]
        read_only_fields = ["id", "phase", "area", "title", "updated_at"]


class PhaseTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhaseTransition
        fields = ["id", "from_phase", "to_phase", "at", "reason", "open_milestones", "unmet_preconditions"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="In the reader's language: English, or the source's Hebrew.")
    line = serializers.CharField(help_text="The source's line(s) the reason rests on.")


class FitAssessmentSerializer(serializers.ModelSerializer):
    """An answer to the source's Table 1 and its verdict. Assessments of the earlier five questions
    (questionnaire 1) are listed too, with their answers' fields empty here and no reasons."""

    assessed_by = serializers.SerializerMethodField()
    is_suited = serializers.BooleanField(read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = FitAssessment
        fields = [
            "id",
            "questionnaire",
            *ANSWER_ORDER,
            "notes",
            "verdict",
            "complexity",
            "nature",
            "is_suited",
            "reasons",
            "assessed_by",
            "assessed_at",
        ]
        read_only_fields = [
            "id",
            "questionnaire",
            "verdict",
            "complexity",
            "nature",
            "is_suited",
            "reasons",
            "assessed_by",
            "assessed_at",
        ]

    def get_assessed_by(self, obj) -> str:
        user = obj.assessed_by
        return display_name(user) if user else ""

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, obj) -> list[dict]:
        result = result_of(obj)
        return [{"text": str(r.text), "line": r.line} for r in result.reasons] if result else []


class AdviceSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["phase_time", "preconditions", "funding_runway"])
    level = serializers.ChoiceField(choices=["ok", "info", "warning"])
    title = serializers.CharField()
    message = serializers.CharField()
    reasoning = serializers.CharField(help_text="The source's reasoning, in the reader's language.")
    lines = serializers.CharField(help_text="The source's lines.")
    url = serializers.CharField(help_text="The page where to act, or empty.")
    data = serializers.DictField(help_text="The numbers the advice rests on.")  # type: ignore[assignment]  # a field (DRF's metaclass takes it), not the property
