"""API of mutually reinforcing activities. Scoping comes from initiatives' InitiativeScopedMixin
(outsiders 404); who may change what is decided by the services, through workgroups.permissions
(a chair edits their group's plan, a partner the activities its organisation leads)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.views import InitiativeScopedMixin
from initiatives import permissions

from .. import selectors, services
from ..filters import ActivityFilter, NetworkMetricsFilter, TieFilter, WorkingGroupMemberFilter
from ..models import (
    WorkingGroupMember,
)
from .serializers import (
    ActivitySerializer,
    ActivityUpdateSerializer,
    ActivityWriteSerializer,
    NetworkMetricsSerializer,
    ProgressSerializer,
    RecordTieSerializer,
    SteeringSeatSerializer,
    TieSerializer,
    TieWaveSerializer,
    TieWriteSerializer,
    WorkingGroupMemberSerializer,
    WorkingGroupMemberWriteSerializer,
    WorkingGroupSerializer,
    WorkingGroupWriteSerializer,
)


class WorkgroupsScopedMixin(InitiativeScopedMixin):
    """Every member may try a write; the service answers 403 when the object is not theirs to
    change, and its ValidationError becomes a 400 with the same clear message as on the page. API
    tokens only read here: who may write depends on the object (a group's chair, an activity's
    lead organisation), which a token's scope does not say."""

    write_permission = permissions.VIEW

    def handle_exception(self, exc):
        # The services speak Django; the API answers in DRF's exceptions (403 and 400).
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied()
        elif isinstance(exc, DjangoValidationError):
            exc = ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            )
        return super().handle_exception(exc)

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        if hasattr(self, "initiative"):
            context["strategy_labels"] = selectors.strategy_labels(self.initiative)
        return context

    def in_initiative(self, obj, field: str, initiative_id: int):
        if obj is not None and initiative_id != self.initiative.pk:
            raise ValidationError({field: ["This belongs to another initiative."]})
        return obj


class SteeringSeatViewSet(WorkgroupsScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The steering committee: members in the steering role and named community representatives."""

    serializer_class = SteeringSeatSerializer

    def get_queryset(self):
        return selectors.steering_committee(self.initiative)


class WorkingGroupViewSet(
    WorkgroupsScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Working groups, one per key strategy. Backbone staff form and change them."""

    serializer_class = WorkingGroupSerializer
    write_permission = permissions.MANAGE
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.working_group_queryset(self.initiative)

    def _read(self, group, status_code=status.HTTP_200_OK):
        group = self.get_queryset().get(pk=group.pk)
        return Response(self.get_serializer(group).data, status=status_code)

    @extend_schema(request=WorkingGroupWriteSerializer, responses={201: WorkingGroupSerializer})
    def create(self, request, *args, **kwargs):
        incoming = WorkingGroupWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        group = services.working_group_create(
            initiative=self.initiative, by=request.user, **incoming.validated_data
        )
        return self._read(group, status.HTTP_201_CREATED)

    @extend_schema(request=WorkingGroupWriteSerializer, responses={200: WorkingGroupSerializer})
    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        incoming = WorkingGroupWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        group = services.working_group_update(group=group, by=request.user, **incoming.validated_data)
        return self._read(group)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class WorkingGroupMemberViewSet(
    WorkgroupsScopedMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Who sits in which working group: people (by membership) or whole organisations. Backbone
    staff and the group's chair add and remove members."""

    serializer_class = WorkingGroupMemberSerializer
    filterset_class = WorkingGroupMemberFilter

    def get_queryset(self):
        return (
            WorkingGroupMember.objects.filter(group__initiative=self.initiative)
            .select_related("membership__user", "membership__organization", "organization")
            .order_by("group_id", "id")
        )

    @extend_schema(request=WorkingGroupMemberWriteSerializer, responses={201: WorkingGroupMemberSerializer})
    def create(self, request, *args, **kwargs):
        incoming = WorkingGroupMemberWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        group = self.in_initiative(data["group"], "group", data["group"].initiative_id)
        member = services.group_member_add(
            group=group,
            by=request.user,
            membership=data.get("membership"),
            organization=data.get("organization"),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=member.pk)).data, status=201)

    def perform_destroy(self, instance):
        services.group_member_remove(member=instance, by=self.request.user)


class ActivityViewSet(
    WorkgroupsScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Activities of the action plans. The group's chair and backbone staff add and change them;
    partners change and report on the activities their organisation leads."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.activity_queryset(self.initiative)

    def _read(self, activity, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=activity.pk)).data, status=status_code)

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def create(self, request, *args, **kwargs):
        incoming = ActivityWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        group = data.pop("working_group")
        self.in_initiative(group, "working_group", group.initiative_id)
        activity = services.activity_create(group=group, by=request.user, **data)
        return self._read(activity, status.HTTP_201_CREATED)

    @extend_schema(request=ActivityWriteSerializer, responses={200: ActivitySerializer})
    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        incoming = ActivityWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        if "working_group" in data and data.pop("working_group").pk != activity.working_group_id:
            raise ValidationError({"working_group": ["An activity stays in its working group's plan."]})
        activity.working_group.initiative = self.initiative
        activity = services.activity_update(activity=activity, by=request.user, **data)
        return self._read(activity)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(methods=["GET"], responses={200: ActivityUpdateSerializer(many=True)})
    @extend_schema(methods=["POST"], request=ProgressSerializer, responses={201: ActivityUpdateSerializer})
    @action(
        detail=True, methods=["get", "post"], serializer_class=ActivityUpdateSerializer, filterset_class=None
    )
    def updates(self, request, *args, **kwargs):
        """The activity's progress notes, newest first; POST adds one (and may change the status)."""
        activity = self.get_object()
        if request.method == "GET":
            # Paged like every list of the API (the schema says so; a bare list disagreed with it).
            page = self.paginate_queryset(selectors.activity_updates(activity))
            return self.get_paginated_response(ActivityUpdateSerializer(page, many=True).data)
        incoming = ProgressSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        activity.working_group.initiative = self.initiative
        update = services.activity_progress_add(activity=activity, by=request.user, **incoming.validated_data)
        return Response(ActivityUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class TieWaveViewSet(WorkgroupsScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Waves of the partner-relationship survey. Backbone staff open and close them; closing has
    the network figures computed."""

    serializer_class = TieWaveSerializer
    write_permission = permissions.MANAGE

    def get_queryset(self):
        return selectors.tie_wave_queryset(self.initiative)

    def _act(self, service, code=status.HTTP_200_OK):
        wave = self.get_object()
        service(wave=wave, by=self.request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=wave.pk)).data, status=code)

    @extend_schema(request=None, responses={200: TieWaveSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, *args, **kwargs):
        return self._act(services.wave_open)

    @extend_schema(request=None, responses={200: TieWaveSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        """Close the wave to answers; its network figures are computed by a task."""
        return self._act(services.wave_close)

    @extend_schema(request=None, responses={202: TieWaveSerializer})
    @action(detail=True, methods=["post"])
    def compute(self, request, *args, **kwargs):
        """Compute a closed wave's network figures again."""
        return self._act(services.network_metrics_request, status.HTTP_202_ACCEPTED)


class TieViewSet(WorkgroupsScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Survey answers, one per pair of organisations and wave. Ratings are confidential: backbone
    staff read all of them, everyone else their own organisation's."""

    serializer_class = TieSerializer
    filterset_class = TieFilter

    def get_queryset(self):
        return selectors.ties_visible_to(self.request.user, self.initiative).order_by("wave_id", "id")

    @extend_schema(request=TieWriteSerializer, responses={201: TieSerializer})
    def create(self, request, *args, **kwargs):
        """Rate one tie in an open wave (adds it, or replaces the earlier rating of the same pair)."""
        incoming = TieWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        wave = data.pop("wave")
        self.in_initiative(wave, "wave", wave.initiative_id)
        if data.get("from_organization") is None:
            membership = permissions.membership_of(request.user, self.initiative)
            if membership is None:  # not reached: InitiativeScopedMixin lets members only in
                raise PermissionDenied
            data["from_organization"] = membership.organization
        response = services.tie_response_save(wave=wave, by=request.user, **data)
        return Response(TieSerializer(response).data, status=status.HTTP_201_CREATED)


class NetworkMetricsViewSet(WorkgroupsScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The stored network figures of each wave, with the change since the previous wave."""

    serializer_class = NetworkMetricsSerializer
    filterset_class = NetworkMetricsFilter

    def get_queryset(self):
        return selectors.network_metrics(self.initiative).order_by("wave__created_at", "wave_id")


class RecordTiesView(WorkgroupsScopedMixin, APIView):
    """Ties the platform's own records show: organisations leading or contributing to the same
    activities, and organisations sitting in the same working groups."""

    @extend_schema(responses={200: RecordTieSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return Response(RecordTieSerializer(selectors.record_ties(self.initiative), many=True).data)
