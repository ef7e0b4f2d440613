from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.people import display_name

from ..choices import (
    ActionStatus,
    AttendanceStatus,
    Body,
    Delivery,
    DocumentKind,
    NotificationKind,
    PeriodKind,
    PostKind,
    ReportStatus,
    Visibility,
)
from ..models import (
    ActionItem,
    Attendance,
    Comment,
    Decision,
    Document,
    Meeting,
    Notification,
    Post,
    ProgressReport,
)
from ..rendering import render_markdown


class ChoiceText(serializers.CharField):
    """A choice shown as a plain string in the schema. Generic names (kind, status) are used by other
    components' enums too, and drf-spectacular cannot give two choice sets one name."""

    default_error_messages = {"invalid_choice": '"{input}" is not a valid choice.'}

    def __init__(self, choices, **kwargs):
        self.allowed = [value for value, _label in choices]
        kwargs.setdefault("help_text", "One of: " + ", ".join(self.allowed) + ".")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in self.allowed:
            self.fail("invalid_choice", input=value)
        return value


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "enum": [""]}],
        "description": "An absolute http(s) URL, or an empty string for none.",
    }
)
class OptionalURLField(serializers.URLField):
    """A URL that may be left empty: the schema says so ("" is no "uri")."""


def _name(user) -> str | None:
    return display_name(user) if user else None


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    status = ChoiceText(AttendanceStatus.choices, read_only=True)
    organization = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["user", "name", "organization", "status"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return display_name(obj.user)  # an attendance is a person's


class MeetingSerializer(serializers.ModelSerializer):
    link = OptionalURLField(read_only=True)
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)
    minutes_html = serializers.SerializerMethodField(
        help_text="The minutes rendered from Markdown and sanitised."
    )
    decisions: "serializers.PrimaryKeyRelatedField[Decision]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "body",
            "body_name",
            "starts_at",
            "ends_at",
            "location",
            "link",
            "agenda_items",
            "minutes",
            "minutes_html",
            "minutes_published_at",
            "attendance",
            "decisions",
        ]
        read_only_fields = fields

    def get_minutes_html(self, obj) -> str:
        return str(render_markdown(obj.minutes))


class MeetingWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.ChoiceField(choices=Body.choices, default=Body.STEERING)
    body_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    link = OptionalURLField(required=False, allow_blank=True, default="", max_length=200)
    agenda_items = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=50
    )
    invitees = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="User ids of members to invite.",
    )


class AttendanceEntrySerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="A member's user id.")
    status = ChoiceText(AttendanceStatus.choices)


class AttendanceWriteSerializer(serializers.Serializer):
    attendance = AttendanceEntrySerializer(many=True)


class MinutesWriteSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True, max_length=100_000)
    publish = serializers.BooleanField(default=False)


class MeasureRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    measures = MeasureRefSerializer(many=True, read_only=True)
    documents: "serializers.PrimaryKeyRelatedField[Document]" = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    text_html = serializers.SerializerMethodField()
    rests_on_data = serializers.SerializerMethodField(
        help_text="Whether the decision cites a shared measure, a document or a link (backbone indicator 16)."
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "title",
            "text",
            "text_html",
            "decided_on",
            "body",
            "body_name",
            "measures",
            "documents",
            "links",
            "rests_on_data",
            "created_at",
        ]
        read_only_fields = fields

    def get_text_html(self, obj) -> str:
        return str(render_markdown(obj.text))

    def get_rests_on_data(self, obj) -> bool:
        return bool(obj.measures.all() or obj.documents.all() or obj.links)


class DecisionWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=50_000)
    decided_on = serializers.DateField()
    body = serializers.ChoiceField(choices=Body.choices, default=Body.STEERING)
    body_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    measures = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    documents = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    links = serializers.ListField(child=serializers.CharField(max_length=500), required=False, default=list)


class ActionItemSerializer(serializers.ModelSerializer):
    owner_name = serializers.SerializerMethodField()
    status = ChoiceText(ActionStatus.choices, read_only=True)
    owner_organization = serializers.CharField(
        source="owner_organization.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "meeting",
            "decision",
            "title",
            "owner",
            "owner_name",
            "owner_organization",
            "due_on",
            "status",
            "completed_at",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj) -> str | None:
        return _name(obj.owner)


class ActionItemWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    owner = serializers.IntegerField(required=False, allow_null=True, default=None)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    decision = serializers.IntegerField(required=False, allow_null=True, default=None)


class ActionStatusSerializer(serializers.Serializer):
    status = ChoiceText(ActionStatus.choices)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "created_at"]
        read_only_fields = ["id", "author", "body_html", "created_at"]

    def get_author(self, obj) -> str | None:
        return _name(obj.author)

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))


class PostSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    organization = serializers.CharField(source="author_organization.name", read_only=True, default=None)
    body_html = serializers.SerializerMethodField(help_text="The text rendered from Markdown and sanitised.")
    comment_count = serializers.IntegerField(read_only=True, default=0)
    kind = ChoiceText(PostKind.choices, default=PostKind.NEWS)

    class Meta:
        model = Post
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "body_html",
            "tag",
            "shared_externally",
            "author",
            "organization",
            "comment_count",
            "created_at",
        ]
        read_only_fields = ["id", "body_html", "author", "organization", "comment_count", "created_at"]

    def get_author(self, obj) -> str | None:
        return _name(obj.author)

    def get_body_html(self, obj) -> str:
        return str(render_markdown(obj.body))


class _LinkOrNull(serializers.URLField):
    """A link that may be absent: null, not "" (which is no URI, as the schema's format says)."""

    def to_representation(self, value):
        return value or None


class DocumentSerializer(serializers.ModelSerializer):
    kind = ChoiceText(DocumentKind.choices, read_only=True)
    url = _LinkOrNull(read_only=True, allow_null=True, help_text="A link document's link; null for a file.")
    download_url = serializers.SerializerMethodField(
        help_text="Files: the permission-checked download (always an attachment). Links: the link itself."
    )
    uploaded_by = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "url",
            "download_url",
            "original_name",
            "content_type",
            "size",
            "visibility",
            "group_name",
            "tag",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return obj.download_url

    def get_uploaded_by(self, obj) -> str | None:
        return _name(obj.uploaded_by)


class DocumentWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    file = serializers.FileField(required=False, allow_null=True, default=None, use_url=False)
    url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.MEMBERS)
    group_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    group_members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    tag = serializers.CharField(required=False, allow_blank=True, default="", max_length=80)


class ReportSerializer(serializers.ModelSerializer):
    period_label = serializers.CharField(read_only=True)
    status = ChoiceText(ReportStatus.choices, read_only=True)
    pdf = serializers.SerializerMethodField(
        help_text="The report printed to PDF, per language (en, he): its address, or null until it is printed."
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "period_kind",
            "year",
            "quarter",
            "period_label",
            "period_start",
            "period_end",
            "status",
            "language",
            "generated_at",
            "published_at",
            "pdf",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri", "nullable": True}}
    )
    def get_pdf(self, report) -> dict:
        request = self.context.get("request")
        links: dict[str, str | None] = {}
        for language in report.PDF_FIELDS:
            if not report.pdf_in(language):
                links[language] = None
                continue
            url = reverse(
                "communication:report_pdf",
                kwargs={"slug": report.initiative.slug, "pk": report.pk, "language": language},
            )
            links[language] = request.build_absolute_uri(url) if request else url
        return links


class ReportDetailSerializer(ReportSerializer):
    languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The languages the report was rendered in (both, for a report generated since there were two).",
    )

    class Meta(ReportSerializer.Meta):
        # `sections` in the requester's `language`; `sections_by_language` in every language, from the same figures.
        fields = [*ReportSerializer.Meta.fields, "languages", "snapshot", "sections", "sections_by_language"]
        read_only_fields = fields


class ReportRequestSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=0, max_value=4, required=False, default=0)


class NotificationSerializer(serializers.ModelSerializer):
    kind = ChoiceText(NotificationKind.choices, read_only=True)
    # In the reader's language (Accept-Language), as the in-app list shows them.
    subject = serializers.CharField(source="title", read_only=True)
    body = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "delivery", "created_at", "read_at", "emailed_at"]
        read_only_fields = fields


class PreferenceSerializer(serializers.Serializer):
    """How the caller gets one kind of notification by email."""

    notification_kind = serializers.ChoiceField(choices=NotificationKind.choices)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
