"""The API of the initiative domain. Scoping is decided once, in InitiativeScopedMixin: a
caller outside the initiative gets 404, a member whose role lacks the action gets 403, and an API
token is confined to its own initiative and to the writes its scope allows."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import guidance, permissions, selectors, services
from ..choices import TokenScope
from ..models import FitAssessment, Initiative
from .authentication import api_token_of
from .serializers import (
    AdviceSerializer,
    FitAssessmentSerializer,
    InitiativeSerializer,
    MembershipSerializer,
    MilestoneSerializer,
    OrganizationSerializer,
    PhaseTransitionSerializer,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class InitiativeViewSet(viewsets.ReadOnlyModelViewSet):
    """The initiatives the caller belongs to; for an API token, its own initiative only."""

    serializer_class = InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        token = api_token_of(self.request)
        if token is not None:
            return Initiative.objects.filter(pk=token.initiative_id)
        return selectors.initiatives_visible_to(self.request.user)


class InitiativeScopedMixin:
    """Every endpoint below /initiatives/{slug}/ goes through here.

    * The initiative comes from the URL; a caller who may not view it gets 404 (it does not exist
      for them), and so does an API token of another initiative.
    * A write (any method but GET, HEAD, OPTIONS) needs `write_permission` in the initiative (403).
    * An API token writes only where `write_permission` is what its scope allows: a read token
      never, a submit token where data is submitted (`permissions.TOKEN_WRITE_ACTION`). What it may
      read is what the membership it stands for may read (see `permissions.token_membership`).
    """

    write_permission = permissions.MANAGE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.initiative = get_object_or_404(Initiative, slug=kwargs["initiative_slug"])
        token = api_token_of(request)
        if token is not None and token.initiative_id != self.initiative.pk:
            raise Http404
        if not permissions.can_view(request.user, self.initiative):
            raise Http404
        method = request.method.lower()
        if method not in self.http_method_names or getattr(self, method, None) is None:
            return  # not an operation of this endpoint: DRF answers 405 Method Not Allowed
        if request.method in SAFE_METHODS:
            return
        if token is not None and not permissions.token_may_write(token, self.write_permission):
            raise PermissionDenied(
                _("This API token may not change this.")
                if token.scope == TokenScope.SUBMIT
                else _("This API token is read only.")
            )
        if not permissions.can(request.user, self.write_permission, self.initiative):
            raise PermissionDenied


class MembershipViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MembershipSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        return selectors.members_of(self.initiative)


class OrganizationViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        return selectors.organizations_of(self.initiative)


class MilestoneViewSet(InitiativeScopedMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The 16 milestones; backbone staff update a milestone's status and evidence."""

    serializer_class = MilestoneSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
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
        if getattr(self, "swagger_fake_view", False):
            return Initiative.objects.none()
        return self.initiative.phase_transitions.all()


class FitAssessmentViewSet(InitiativeScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The problem-fit assessments, newest first (every member); backbone staff add one. Earlier
    assessments are never changed: a new answer is a new assessment."""

    serializer_class = FitAssessmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FitAssessment.objects.none()
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


@csrf_exempt  # answers every method alike; it changes nothing
def api_not_found(request, *args, **kwargs):
    """Any other address below /api/: 404 in the API's error shape, not the site's HTML page."""
    return JsonResponse({"code": "not_found", "message": _("Not found."), "errors": {}}, status=404)
