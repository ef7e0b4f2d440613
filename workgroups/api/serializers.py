"""Serializers of mutually reinforcing activities. Reads are nested enough to be useful; writes
take ids and go through the services, which check that every id belongs to the initiative."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agenda.models import Strategy
from initiatives.models import Membership, Organization
from initiatives.people import display_name
from measurement.models import SharedMeasure

from ..choices import ActivityStatus, CollaborationKind, ContactFrequency, MetricsStatus, SeatRole, WaveStatus
from ..models import (
    Activity,
    ActivityUpdate,
    NetworkMetrics,
    SteeringCommitteeSeat,
    TieResponse,
    TieSurveyWave,
    WorkingGroup,
    WorkingGroupMember,
)


def _enum_field(choices, name: str, description: str, base=serializers.ChoiceField):
    """A choice field documented as its own named enum component. Named here, the enum cannot
    collide with another app's field of the same name (`status`, `frequency`)."""

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


ActivityStatusField = _enum_field(ActivityStatus, "ActivityStatusEnum", "planned, under_way, done or stopped")
SeatRoleField = _enum_field(SeatRole, "SeatRoleEnum", "chair, co_chair or member")
ContactFrequencyField = _enum_field(
    ContactFrequency,
    "ContactFrequencyEnum",
    "1 once a year or less, 2 a few times a year, 3 monthly, 4 weekly or more",
)
CollaborationKindField = _enum_field(
    CollaborationKind,
    "CollaborationKindEnum",
    "information_sharing, joint_planning, shared_resources or joint_programmes",
)
WaveStatusField = _enum_field(WaveStatus, "TieWaveStatusEnum", "planned, open or closed")
MetricsStatusField = _enum_field(
    MetricsStatus, "NetworkMetricsStatusEnum", "pending, running, done or failed"
)


def _name(user) -> str:
    return display_name(user) if user else ""


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "sector"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    """A member of the initiative: the membership's id, the person's name and organisation."""

    user_id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    organization = OrganizationRefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user_id", "name", "organization", "role"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return _name(obj.user)


class SteeringSeatSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    member = PersonSerializer(source="membership", read_only=True, allow_null=True)
    organization = OrganizationRefSerializer(source="seat_organization", read_only=True, allow_null=True)
    sector = serializers.CharField(read_only=True)
    seat_role = SeatRoleField(read_only=True)

    class Meta:
        model = SteeringCommitteeSeat
        fields = [
            "id",
            "name",
            "member",
            "organization",
            "sector",
            "seat_role",
            "is_community_representative",
            "since",
        ]
        read_only_fields = fields


class WorkingGroupMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    person = PersonSerializer(source="membership", read_only=True, allow_null=True)
    organization = OrganizationRefSerializer(source="member_organization", read_only=True)

    class Meta:
        model = WorkingGroupMember
        fields = ["id", "group", "name", "person", "organization", "joined_on"]
        read_only_fields = fields


class WorkingGroupMemberWriteSerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=WorkingGroup.objects.all())
    membership = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(),
        required=False,
        allow_null=True,
        help_text="A person, by membership id.",
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        allow_null=True,
        help_text="Or a whole organisation.",
    )


class WorkingGroupSerializer(serializers.ModelSerializer):
    strategy_title = serializers.SerializerMethodField()
    chair = PersonSerializer(read_only=True, allow_null=True)
    members = WorkingGroupMemberSerializer(many=True, read_only=True)
    focus_measures: "serializers.PrimaryKeyRelatedField[SharedMeasure]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = WorkingGroup
        fields = [
            "id",
            "name",
            "strategy",
            "strategy_title",
            "chair",
            "purpose",
            "meeting_rhythm",
            "formed_on",
            "focus_measures",
            "members",
            "activity_count",
        ]
        read_only_fields = fields

    def get_strategy_title(self, obj) -> str:
        label = getattr(obj, "strategy_label", None) or self.context.get("strategy_labels", {}).get(
            obj.strategy_id
        )
        return label.title if label else ""


class WorkingGroupWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.all())
    chair = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(),
        required=False,
        allow_null=True,
        help_text="The chair's membership id.",
    )
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    meeting_rhythm = serializers.CharField(required=False, allow_blank=True, max_length=200)
    formed_on = serializers.DateField(required=False)
    focus_measures = serializers.PrimaryKeyRelatedField(
        queryset=SharedMeasure.objects.all(), many=True, required=False
    )


class ActivityUpdateSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    status = ActivityStatusField(read_only=True)

    class Meta:
        model = ActivityUpdate
        fields = ["id", "note", "status", "by", "at"]
        read_only_fields = fields

    def get_by(self, obj) -> str:
        return _name(obj.by)


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    status = ActivityStatusField(
        required=False, help_text="The activity's status now; unchanged when left out."
    )


class ActivitySerializer(serializers.ModelSerializer):
    lead_organization = OrganizationRefSerializer(read_only=True)
    contributing_organizations = OrganizationRefSerializer(many=True, read_only=True)
    status = ActivityStatusField(read_only=True)
    strategy_title = serializers.SerializerMethodField()
    measures: "serializers.PrimaryKeyRelatedField[SharedMeasure]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    latest_update = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "working_group",
            "title",
            "description",
            "lead_organization",
            "contributing_organizations",
            "start_date",
            "end_date",
            "status",
            "strategy",
            "strategy_title",
            "measures",
            "latest_update",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_strategy_title(self, obj) -> str:
        label = getattr(obj, "strategy_label", None) or self.context.get("strategy_labels", {}).get(
            obj.strategy_id
        )
        return label.title if label else ""

    @extend_schema_field(ActivityUpdateSerializer(allow_null=True))
    def get_latest_update(self, obj):
        updates = getattr(obj, "latest_updates", None)
        return ActivityUpdateSerializer(updates[0]).data if updates else None


class ActivityWriteSerializer(serializers.Serializer):
    working_group = serializers.PrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.all(), help_text="Only when creating: whose action plan."
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    lead_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    contributing_organizations = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), many=True, required=False
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    status = ActivityStatusField(required=False)
    strategy = serializers.PrimaryKeyRelatedField(
        queryset=Strategy.objects.all(), required=False, help_text="Defaults to the group's key strategy."
    )
    measures = serializers.PrimaryKeyRelatedField(
        queryset=SharedMeasure.objects.all(), many=True, required=False
    )


class TieWaveSerializer(serializers.ModelSerializer):
    status = WaveStatusField(read_only=True)
    answered = serializers.IntegerField(source="submission_count", read_only=True)

    class Meta:
        model = TieSurveyWave
        fields = ["id", "name", "status", "opened_at", "closed_at", "answered"]
        read_only_fields = fields


class TieSerializer(serializers.ModelSerializer):
    """One organisation's answer about one other organisation in one wave."""

    from_organization = OrganizationRefSerializer(read_only=True)
    to_organization = OrganizationRefSerializer(read_only=True)
    contact_frequency = ContactFrequencyField(read_only=True)
    kinds = serializers.ListField(child=CollaborationKindField(), read_only=True)
    trust = serializers.IntegerField(read_only=True, help_text="1 (very low) to 5 (very high).")
    value = serializers.IntegerField(read_only=True, help_text="1 (very low) to 5 (very high).")

    class Meta:
        model = TieResponse
        fields = [
            "id",
            "wave",
            "from_organization",
            "to_organization",
            "contact_frequency",
            "kinds",
            "trust",
            "value",
            "updated_at",
        ]
        read_only_fields = fields


class TieWriteSerializer(serializers.Serializer):
    wave = serializers.PrimaryKeyRelatedField(queryset=TieSurveyWave.objects.all(), help_text="An open wave.")
    from_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        required=False,
        help_text="Defaults to your own organisation; backbone staff may answer for any.",
    )
    to_organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    contact_frequency = ContactFrequencyField()
    kinds = serializers.ListField(child=CollaborationKindField(), required=False, max_length=4)
    trust = serializers.IntegerField(min_value=1, max_value=5)
    value = serializers.IntegerField(min_value=1, max_value=5)


class NetworkMetricsSerializer(serializers.ModelSerializer):
    wave_name = serializers.CharField(source="wave.name", read_only=True)
    status = MetricsStatusField(read_only=True)
    previous_wave: "serializers.PrimaryKeyRelatedField[TieSurveyWave]" = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    response_rate = serializers.FloatField(read_only=True, allow_null=True)
    most_central = serializers.ListField(child=serializers.DictField(), read_only=True)
    kinds = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    change = serializers.DictField(
        read_only=True, help_text="Current minus previous wave; new and lost ties."
    )

    class Meta:
        model = NetworkMetrics
        fields = [
            "id",
            "wave",
            "wave_name",
            "status",
            "computed_at",
            "organizations",
            "respondents",
            "response_rate",
            "ties",
            "density",
            "average_degree",
            "cross_sector_share",
            "reciprocity",
            "mean_trust",
            "mean_value",
            "most_central",
            "kinds",
            "previous_wave",
            "change",
        ]
        read_only_fields = fields


class RecordTieSerializer(serializers.Serializer):
    """A tie the platform's records show between two organisations."""

    a = serializers.IntegerField(help_text="An organisation id.")
    b = serializers.IntegerField(help_text="The other organisation id.")
    activities = serializers.IntegerField(help_text="Activities both lead or contribute to.")
    groups = serializers.IntegerField(help_text="Working groups both sit in.")
