from rest_framework import serializers

from ..models import Initiative, Membership, Milestone, Organization, PhaseTransition


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
        return obj.user.get_full_name() or obj.user.get_username()


class MilestoneSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "phase", "area", "title", "status", "evidence", "updated_at"]
        read_only_fields = ["id", "phase", "area", "title", "updated_at"]


class PhaseTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PhaseTransition
        fields = ["id", "from_phase", "to_phase", "at", "reason", "open_milestones"]
        read_only_fields = fields
