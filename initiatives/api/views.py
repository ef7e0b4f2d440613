"""The API of the initiative domain. Scoping is decided once, in ci_platform.api.views.InitiativeScopedMixin."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.authentication import api_token_of
from ci_platform.api.views import InitiativeScopedMixin, SchemaSafeMixin

from .. import guidance, selectors, services
from ..models import Initiative
from .serializers import (
    AdviceSerializer,
    FitAssessmentSerializer,
    InitiativeSerializer,
    MembershipSerializer,
    MilestoneSerializer,
    OrganizationSerializer,
    PhaseTransitionSerializer,
)


class InitiativeViewSet(SchemaSafeMixin, viewsets.ReadOnlyModelViewSet):
    """The initiatives the caller belongs to; for an API token, its own initiative only."""

    serializer_class = InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        token = api_token_of(self.request)
        if token is not None:
            return Initiative.objects.filter(pk=token.initiative_id)
        return selectors.initiatives_visible_to(self.request.user)


class MembershipViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        return selectors.members_of(self.initiative)


class OrganizationViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        return selectors.organizations_of(self.initiative)


class MilestoneViewSet(InitiativeScopedMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The 16 milestones; backbone staff update a milestone's status and evidence."""

    serializer_class = MilestoneSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return self.initiative.milestones.order_by("phase", "area")

    def perform_update(self, serializer):
        milestone = serializer.instance
        data = serializer.validated_data
        try:
            services.milestone_update(
                milestone=milestone,
                by=self.request.user,
                status=data.get("status", milestone.status),
                evidence=data.get("evidence", milestone.evidence),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc


class PhaseTransitionViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PhaseTransitionSerializer

    def get_queryset(self):
        return self.initiative.phase_transitions.all()


class FitAssessmentViewSet(InitiativeScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The problem-fit assessments, newest first (every member); backbone staff add one. Earlier
    assessments are never changed: a new answer is a new assessment."""

    serializer_class = FitAssessmentSerializer

    def get_queryset(self):
        return self.initiative.fit_assessments.select_related("assessed_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.fit_assess(
                initiative=self.initiative, by=self.request.user, notes=data.pop("notes", ""), **data
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc


class GuidanceView(InitiativeScopedMixin, APIView):
    """Where the initiative stands against the source's guidance: time in phases I to III, the three
    preconditions, the funding runway (every member)."""

    @extend_schema(responses={200: AdviceSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        advice = guidance.guidance_for(self.initiative)
        return Response(AdviceSerializer([a.__dict__ for a in advice], many=True).data)
