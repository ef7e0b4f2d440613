"""API of continuous communication. Scoping comes from initiatives' InitiativeScopedMixin (outsiders
get 404); this app's permissions decide writes (403), and services do the work."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.views import InitiativeScopedMixin
from initiatives import permissions as initiative_permissions

from .. import permissions, selectors, services
from .serializers import (
    ActionItemSerializer,
    ActionItemWriteSerializer,
    ActionStatusSerializer,
    AttendanceWriteSerializer,
    CommentSerializer,
    DecisionSerializer,
    DecisionWriteSerializer,
    DocumentSerializer,
    DocumentWriteSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
    MinutesWriteSerializer,
    NotificationSerializer,
    PostSerializer,
    PreferenceSerializer,
    ReportDetailSerializer,
    ReportRequestSerializer,
    ReportSerializer,
)

User = get_user_model()
SAFE = ("GET", "HEAD", "OPTIONS")


def _errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class CommunicationScopedMixin(InitiativeScopedMixin):
    """Membership is checked by InitiativeScopedMixin; writes need this app's `write_action`."""

    write_permission = initiative_permissions.VIEW
    write_action = permissions.RECORD

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in SAFE and not permissions.can(
            request.user, self.write_action, self.initiative
        ):
            raise PermissionDenied

    def call(self, service, **kwargs):
        """Run a service, turning its refusals into API errors."""
        try:
            return service(**kwargs)
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc


def _pick(queryset, ids, field: str):
    ids = set(ids)
    found = list(queryset.filter(pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({field: ["Unknown ids in this initiative."]})
    return found


class MeetingViewSet(CommunicationScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings of the initiative's bodies, with attendance, minutes (Markdown and sanitised HTML)
    and the ids of the decisions taken. Backbone staff schedule meetings and record them."""

    serializer_class = MeetingSerializer

    def get_queryset(self):
        return selectors.meetings_of(self.initiative).prefetch_related(
            "attendances__user", "attendances__organization", "decisions"
        )

    @extend_schema(request=MeetingWriteSerializer, responses={201: MeetingSerializer})
    def create(self, request, *args, **kwargs):
        incoming = MeetingWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        meeting = self.call(
            services.meeting_create, initiative=self.initiative, by=request.user, **incoming.validated_data
        )
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data, status=201)

    @extend_schema(
        request=AttendanceWriteSerializer,
        responses={
            200: MeetingSerializer,
            400: OpenApiResponse(description="E.g. a person not in the initiative."),
        },
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, *args, **kwargs):
        """Record who was invited and who came. Only members of the initiative can be recorded."""
        meeting = self.get_object()
        incoming = AttendanceWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        statuses = {row["user"]: row["status"] for row in incoming.validated_data["attendance"]}
        self.call(services.attendance_record, meeting=meeting, by=request.user, statuses=statuses)
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=MinutesWriteSerializer, responses={200: MeetingSerializer})
    @action(detail=True, methods=["post"])
    def minutes(self, request, *args, **kwargs):
        """Save the minutes (Markdown); `publish` shares them with the invitees, once."""
        meeting = self.get_object()
        incoming = MinutesWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.call(services.minutes_save, meeting=meeting, by=request.user, **incoming.validated_data)
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)


class DecisionViewSet(CommunicationScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Decisions with what they rested on: shared measures, documents and links."""

    serializer_class = DecisionSerializer

    def get_queryset(self):
        return selectors.decisions_of(self.initiative, body=self.request.query_params.get("body", ""))

    @extend_schema(request=DecisionWriteSerializer, responses={201: DecisionSerializer})
    def create(self, request, *args, **kwargs):
        incoming = DecisionWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        meeting_id = data.pop("meeting")
        meeting = _pick(self.initiative.meetings, [meeting_id], "meeting")[0] if meeting_id else None
        measures = _pick(selectors.measures_of(self.initiative), data.pop("measures"), "measures")
        documents = _pick(
            selectors.documents_visible_to(request.user, self.initiative), data.pop("documents"), "documents"
        )
        decision = self.call(
            services.decision_record,
            initiative=self.initiative,
            by=request.user,
            meeting=meeting,
            measures=measures,
            documents=documents,
            **data,
        )
        return Response(DecisionSerializer(self.get_queryset().get(pk=decision.pk)).data, status=201)


class ActionItemViewSet(CommunicationScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Action items from meetings and decisions. Owners PATCH the status of their own items."""

    serializer_class = ActionItemSerializer

    def initial(self, request, *args, **kwargs):
        # Owners update their items' status: the item decides (in the service), not the role.
        if request.method == "PATCH":
            self.write_action = permissions.VIEW
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.action_items_of(
            self.initiative, open_only=self.request.query_params.get("open") == "1"
        )

    @extend_schema(request=ActionItemWriteSerializer, responses={201: ActionItemSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ActionItemWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        owner = User.objects.filter(pk=data["owner"]).first() if data["owner"] else None
        if data["owner"] and owner is None:
            raise ValidationError({"owner": ["Not a member of this initiative."]})
        item = self.call(
            services.action_item_create,
            initiative=self.initiative,
            by=request.user,
            title=data["title"],
            owner=owner,
            due_on=data["due_on"],
            meeting=_pick(self.initiative.meetings, [data["meeting"]], "meeting")[0]
            if data["meeting"]
            else None,
            decision=_pick(self.initiative.decisions, [data["decision"]], "decision")[0]
            if data["decision"]
            else None,
        )
        return Response(ActionItemSerializer(self.get_queryset().get(pk=item.pk)).data, status=201)

    @extend_schema(request=ActionStatusSerializer, responses={200: ActionItemSerializer})
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        incoming = ActionStatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        self.call(services.action_item_set_status, item=item, by=request.user, **incoming.validated_data)
        return Response(ActionItemSerializer(self.get_queryset().get(pk=item.pk)).data)


class PostViewSet(CommunicationScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The updates feed: news, successes and questions (Markdown; `body_html` is sanitised).
    Filter by `tag` (a working group or topic) and `kind`."""

    serializer_class = PostSerializer
    write_action = permissions.CONTRIBUTE

    def get_queryset(self):
        params = self.request.query_params
        return selectors.posts_of(
            self.initiative, tag=params.get("tag", "")[:80], kind=params.get("kind", "")
        )

    def create(self, request, *args, **kwargs):
        incoming = PostSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        post = self.call(
            services.post_create, initiative=self.initiative, by=request.user, **incoming.validated_data
        )
        return Response(PostSerializer(self.get_queryset().get(pk=post.pk)).data, status=201)

    @extend_schema(methods=["get"], responses={200: CommentSerializer(many=True)})
    @extend_schema(methods=["post"], request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def comments(self, request, *args, **kwargs):
        post = self.get_object()
        if request.method == "GET":
            rows = post.comments.select_related("author")
            return Response(CommentSerializer(rows, many=True).data)
        incoming = CommentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        comment = self.call(
            services.comment_add, post=post, by=request.user, body=incoming.validated_data["body"]
        )
        return Response(CommentSerializer(comment).data, status=201)


class DocumentViewSet(CommunicationScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Document metadata, as far as the caller may see each document. Files are downloaded through
    `download_url` (the permission-checked page), never from this API or from MEDIA_URL."""

    serializer_class = DocumentSerializer
    write_action = permissions.CONTRIBUTE

    def get_queryset(self):
        return selectors.documents_visible_to(
            self.request.user, self.initiative, tag=self.request.query_params.get("tag", "")[:80]
        )

    @extend_schema(
        request={"multipart/form-data": DocumentWriteSerializer}, responses={201: DocumentSerializer}
    )
    def create(self, request, *args, **kwargs):
        incoming = DocumentWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        members = User.objects.filter(pk__in=data.pop("group_members"))
        document = self.call(
            services.document_add,
            initiative=self.initiative,
            by=request.user,
            upload=data.pop("file"),
            group_members=members,
            **data,
        )
        return Response(DocumentSerializer(self.get_queryset().get(pk=document.pk)).data, status=201)


class ReportViewSet(CommunicationScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Progress reports: frozen snapshots of a quarter or a year. Members see published reports;
    backbone staff also see drafts, request new ones (generated by a task) and publish them."""

    write_action = permissions.REPORT

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.reports_visible_to(self.request.user, self.initiative).defer(None)
        return selectors.reports_visible_to(self.request.user, self.initiative)

    @extend_schema(request=ReportRequestSerializer, responses={202: ReportSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ReportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        report = self.call(
            services.report_request, initiative=self.initiative, by=request.user, **incoming.validated_data
        )
        report.refresh_from_db()
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        report = self.get_object()
        report = self.call(services.report_publish, report=report, by=request.user)
        return Response(ReportSerializer(report).data)


class NotificationViewSet(CommunicationScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications in this initiative, newest first."""

    serializer_class = NotificationSerializer
    write_action = permissions.VIEW

    def get_queryset(self):
        return selectors.notifications_of(self.request.user, self.initiative)

    @extend_schema(request=None, responses={200: OpenApiResponse(description="How many were marked read.")})
    @action(detail=False, methods=["post"], url_path="read")
    def read(self, request, *args, **kwargs):
        count = services.notifications_mark_read(user=request.user, initiative=self.initiative)
        return Response({"marked_read": count})


class PreferencesView(CommunicationScopedMixin, APIView):
    """The caller's email delivery per notification kind: immediately, daily or weekly digest, or off."""

    write_action = permissions.VIEW

    def _current(self, request):
        chosen = services.preferences_of(request.user, self.initiative)
        return [{"notification_kind": kind, "delivery": delivery} for kind, delivery in chosen.items()]

    @extend_schema(responses={200: PreferenceSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return Response(self._current(request))

    @extend_schema(request=PreferenceSerializer(many=True), responses={200: PreferenceSerializer(many=True)})
    def put(self, request, *args, **kwargs):
        incoming = PreferenceSerializer(data=request.data, many=True)
        incoming.is_valid(raise_exception=True)
        choices = {row["notification_kind"]: row["delivery"] for row in incoming.validated_data}
        self.call(services.preferences_update, user=request.user, initiative=self.initiative, choices=choices)
        return Response(self._current(request))
