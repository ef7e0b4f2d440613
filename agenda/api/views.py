"""API of the common agenda; scoping comes from initiatives' InitiativeScopedMixin."""

from typing import cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.views import InitiativeScopedMixin
from initiatives import permissions

from .. import selectors, services
from ..models import Endorsement, StrategyItem
from .serializers import (
    AgendaVersionSerializer,
    DraftConflictSerializer,
    DraftSerializer,
    EndorsementSerializer,
    EndorseSerializer,
    PublishSerializer,
    StrategySerializer,
)


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class AgendaVersionViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Published versions of the common agenda, newest first; look one up by its number."""

    serializer_class = AgendaVersionSerializer
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            selectors.published_versions(self.initiative)
            .prefetch_related("figures", "strategy_items")
            .select_related("published_by")
        )


class StrategyViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The key strategies of the current agenda, with the stable id working groups and measures use."""

    serializer_class = StrategySerializer
    schema_model = StrategyItem
    pagination_class = None

    def get_queryset(self):
        return selectors.current_strategies(self.initiative)

    def get_object(self):
        for item in self.get_queryset():
            if str(item.strategy_id) == self.kwargs["pk"]:
                return item
        raise Http404


class EndorsementViewSet(InitiativeScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Endorsements of every version. Steering committee members and partners POST their decision."""

    write_permission = permissions.ENDORSE

    def get_serializer_class(self):
        return EndorseSerializer if self.action == "create" else EndorsementSerializer

    def get_queryset(self):
        return Endorsement.objects.filter(version__initiative=self.initiative).select_related(
            "version", "user", "organization"
        )

    @extend_schema(request=EndorseSerializer, responses={201: EndorsementSerializer})
    def create(self, request, *args, **kwargs):
        incoming = EndorseSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        version = self.initiative.agenda_versions.filter(number=data["version"]).first()
        if version is None:
            raise ValidationError({"version": ["No published version has this number."]})
        try:
            endorsement = services.agenda_endorse(
                version=version, by=request.user, decision=data["decision"], comment=data["comment"]
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(EndorsementSerializer(endorsement).data, status=status.HTTP_201_CREATED)


class DraftView(InitiativeScopedMixin, generics.GenericAPIView):
    """The draft of the next version (backbone staff only, reading included)."""

    serializer_class = DraftSerializer
    write_permission = permissions.MANAGE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_manage(request.user, self.initiative):
            raise PermissionDenied

    def _draft(self):
        draft = selectors.draft_of(self.initiative)
        if draft is None:
            raise Http404
        return draft

    @extend_schema(responses={200: DraftSerializer, 404: OpenApiResponse(description="No draft is open.")})
    def get(self, request, *args, **kwargs):
        return Response(DraftSerializer(self._draft()).data)

    @extend_schema(request=None, responses={201: DraftSerializer})
    def post(self, request, *args, **kwargs):
        """Open the draft (from the latest version), or return the open one."""
        draft = services.agenda_draft_start(initiative=self.initiative, by=request.user)
        return Response(DraftSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DraftSerializer,
        responses={
            200: DraftSerializer,
            409: OpenApiResponse(
                DraftConflictSerializer,
                description="The draft changed since `revision`: nothing was stored; `current` is the draft now.",
            ),
        },
    )
    def put(self, request, *args, **kwargs):
        draft = self._draft()
        incoming = DraftSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        # Revisions restart in every draft: the id tells a stale payload for an earlier draft apart.
        revision = data.pop("revision") if data.pop("id") == draft.pk else -1
        try:
            saved = services.agenda_draft_save(
                draft=draft,
                by=request.user,
                revision=revision,
                figures=data.pop("figures", []),
                strategies=data.pop("strategy_items", []),
                principles=data.pop("guiding_principles", []),
                fields=data,
            )
        except services.DraftConflict as conflict:
            return Response(
                {
                    "code": "conflict",
                    "message": _("The draft changed since the revision you sent."),
                    "errors": {"revision": [_("The draft changed since the revision you sent.")]},
                    "current": DraftSerializer(conflict.current).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(DraftSerializer(selectors.draft_of(self.initiative) or saved).data)


class PublishView(InitiativeScopedMixin, APIView):
    write_permission = permissions.MANAGE

    @extend_schema(request=PublishSerializer, responses={201: AgendaVersionSerializer})
    def post(self, request, *args, **kwargs):
        draft = selectors.draft_of(self.initiative)
        if draft is None:
            raise Http404
        incoming = PublishSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            version = services.agenda_publish(draft=draft, by=request.user, **incoming.validated_data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        version = selectors.version_by_number(
            self.initiative, cast(int, version.number)
        )  # published: numbered
        return Response(AgendaVersionSerializer(version).data, status=status.HTTP_201_CREATED)
