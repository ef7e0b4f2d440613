"""The API of the initiative domain. Scoping is decided once, in InitiativeScopedMixin: a
caller outside the initiative gets 404, a member whose role lacks the action gets 403."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from .. import permissions, selectors, services
from ..models import Initiative
from .serializers import (
    InitiativeSerializer,
    MembershipSerializer,
    MilestoneSerializer,
    OrganizationSerializer,
    PhaseTransitionSerializer,
)


class InitiativeViewSet(viewsets.ReadOnlyModelViewSet):
    """The initiatives the caller belongs to."""

    serializer_class = InitiativeSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.initiatives_visible_to(self.request.user)


class InitiativeScopedMixin:
    """Every endpoint below /initiatives/{slug}/ goes through here."""

    write_permission = permissions.MANAGE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.initiative = get_object_or_404(Initiative, slug=kwargs["initiative_slug"])
        if not permissions.can_view(request.user, self.initiative):
            raise Http404
        if request.method not in ("GET", "HEAD", "OPTIONS") and not permissions.can(
            request.user, self.write_permission, self.initiative
        ):
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
