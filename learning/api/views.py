"""API of learning. Scoping comes from initiatives' InitiativeScopedMixin (outsiders 404, a member
without the endpoint's action 403); the services check again and decide what belongs where."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.views import InitiativeScopedMixin

from .. import permissions as perms
from .. import selectors, services
from ..filters import AssumptionFilter, RiskFilter, StoryFilter, WorksheetFilter
from ..models import CurveWorksheet
from .serializers import (
    AdoptSerializer,
    AssumptionSerializer,
    AssumptionWriteSerializer,
    CoverageSerializer,
    LearningEntrySerializer,
    LearningEntryWriteSerializer,
    RiskReviewSerializer,
    RiskReviewWriteSerializer,
    RiskSerializer,
    RiskWriteSerializer,
    StartingRiskSerializer,
    StorySerializer,
    StoryWriteSerializer,
    WorksheetSerializer,
    WorksheetWriteSerializer,
)


class LearningScopedMixin(InitiativeScopedMixin):
    """Backbone staff keep the register, the log and the worksheets (KEEP); the services speak
    Django, the API answers in DRF's exceptions (403 and 400, with the page's clear message)."""

    write_permission = perms.KEEP

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied()
        elif isinstance(exc, DjangoValidationError):
            exc = ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            )
        return super().handle_exception(exc)


# --- Risks ------------------------------------------------------------------------------------------


class RiskViewSet(
    LearningScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The risk register: each risk with its owner, likelihood, impact, mitigation and next review.
    `?due=true` lists the open risks whose review date has come."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.risks_of(self.initiative)

    def _read(self, risk, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=risk.pk)).data, status=status_code)

    @extend_schema(request=RiskWriteSerializer, responses={201: RiskSerializer})
    def create(self, request, *args, **kwargs):
        """A risk of the initiative's own (the source's starting list: risk-starting-list/)."""
        incoming = RiskWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data.pop("status", None)
        if "review_on" not in data:
            raise ValidationError({"review_on": ["Give the date of the next review."]})
        risk = services.risk_create(
            initiative=self.initiative, by=request.user, title=data.pop("title", ""), **data
        )
        return self._read(risk, status.HTTP_201_CREATED)

    @extend_schema(request=RiskWriteSerializer, responses={200: RiskSerializer})
    def partial_update(self, request, *args, **kwargs):
        risk = self.get_object()
        incoming = RiskWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        risk = services.risk_update(risk=risk, by=request.user, **incoming.validated_data)
        return self._read(risk)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(methods=["GET"], responses={200: RiskReviewSerializer(many=True)}, request=None)
    @extend_schema(methods=["POST"], request=RiskReviewWriteSerializer, responses={201: RiskReviewSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=RiskReviewSerializer, filterset_class=None)
    def reviews(self, request, *args, **kwargs):
        """The risk's reviews, newest first; POST records one (and the scores and date it leaves)."""
        risk = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(risk.reviews.select_related("by").order_by("-at", "-id"))
            return self.get_paginated_response(RiskReviewSerializer(page, many=True).data)
        incoming = RiskReviewWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        review = services.risk_review(risk=risk, by=request.user, **incoming.validated_data)
        return Response(RiskReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class StartingListView(LearningScopedMixin, APIView):
    """The source's pitfalls (line 402), the challenges of shared measurement (lines 196-209) and
    of the backbone (lines 272-280); POST takes entries into the register."""

    @extend_schema(responses={200: StartingRiskSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        rows = [StartingRiskSerializer.row(e, taken) for e, taken in selectors.starting_list(self.initiative)]
        return Response(StartingRiskSerializer(rows, many=True).data)

    @extend_schema(request=AdoptSerializer, responses={201: RiskSerializer(many=True)})
    def post(self, request, *args, **kwargs):
        incoming = AdoptSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        created = services.risks_adopt(initiative=self.initiative, by=request.user, **incoming.validated_data)
        risks = selectors.risks_of(self.initiative).filter(pk__in=[r.pk for r in created])
        return Response(RiskSerializer(risks, many=True).data, status=status.HTTP_201_CREATED)


# --- The learning log -------------------------------------------------------------------------------


class AssumptionViewSet(
    LearningScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The agenda's working assumptions, each with its learning log (newest entry first)."""

    serializer_class = AssumptionSerializer
    filterset_class = AssumptionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.assumptions_of(self.initiative).order_by("created_at", "id")

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        if hasattr(self, "initiative"):
            context["strategy_titles"] = selectors.strategy_titles(self.initiative)
            context["visible_documents"] = set(
                selectors.communication_selectors.documents_visible_to(
                    self.request.user, self.initiative
                ).values_list("pk", flat=True)
            )
        return context

    def _read(self, assumption, status_code=status.HTTP_200_OK):
        return Response(
            self.get_serializer(self.get_queryset().get(pk=assumption.pk)).data, status=status_code
        )

    @extend_schema(request=AssumptionWriteSerializer, responses={201: AssumptionSerializer})
    def create(self, request, *args, **kwargs):
        incoming = AssumptionWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assumption = services.assumption_create(
            initiative=self.initiative, by=request.user, **incoming.validated_data
        )
        return self._read(assumption, status.HTTP_201_CREATED)

    @extend_schema(request=AssumptionWriteSerializer, responses={200: AssumptionSerializer})
    def partial_update(self, request, *args, **kwargs):
        assumption = self.get_object()
        incoming = AssumptionWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = {"statement": assumption.statement, "strategy": assumption.strategy, **incoming.validated_data}
        assumption = services.assumption_update(assumption=assumption, by=request.user, **data)
        return self._read(assumption)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=LearningEntryWriteSerializer, responses={201: LearningEntrySerializer})
    @action(detail=True, methods=["post"], serializer_class=LearningEntrySerializer, filterset_class=None)
    def learned(self, request, *args, **kwargs):
        """Record what was learned, the evidence, and the status it leaves the assumption in."""
        assumption = self.get_object()
        incoming = LearningEntryWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = services.learning_record(assumption=assumption, by=request.user, **incoming.validated_data)
        return Response(
            LearningEntrySerializer(entry, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- Turn the curve -----------------------------------------------------------------------------------


class WorksheetViewSet(LearningScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Turn-the-curve worksheets, one per shared measure and reporting period. POST writes the
    worksheet of a measure and period whole (a new one, or the next revision of one)."""

    serializer_class = WorksheetSerializer
    filterset_class = WorksheetFilter

    def get_queryset(self):
        return selectors.worksheet_queryset(self.initiative)

    @extend_schema(
        request=WorksheetWriteSerializer, responses={200: WorksheetSerializer, 201: WorksheetSerializer}
    )
    def create(self, request, *args, **kwargs):
        incoming = WorksheetWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data.setdefault("revision", None)
        existed = CurveWorksheet.objects.filter(measure=data["measure"], period=data["period"]).exists()
        worksheet = services.worksheet_save(
            initiative=self.initiative,
            by=request.user,
            partners=[services.PartnerRole(**p) for p in data.pop("partners")],
            actions=[services.PlannedAction(**a) for a in data.pop("actions")],
            **data,
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=worksheet.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class StoryViewSet(LearningScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Stories told beside a shared measure's data in a period. Backbone staff, steering
    committee members and partners tell them, for their own organisation."""

    serializer_class = StorySerializer
    filterset_class = StoryFilter
    write_permission = perms.TELL

    def get_queryset(self):
        return selectors.stories_of(self.initiative).order_by("-created_at", "-id")

    @extend_schema(request=StoryWriteSerializer, responses={201: StorySerializer})
    def create(self, request, *args, **kwargs):
        incoming = StoryWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        story = services.story_tell(initiative=self.initiative, by=request.user, **incoming.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=story.pk)).data, status=status.HTTP_201_CREATED
        )


class CoverageView(LearningScopedMixin, APIView):
    """Whether the shared measures cover the three levels the source requires (lines 188-192),
    with the source's reason for each level that is missing."""

    @extend_schema(responses={200: CoverageSerializer})
    def get(self, request, *args, **kwargs):
        coverage = selectors.coverage(self.initiative)
        return Response(CoverageSerializer({"complete": coverage.complete, "levels": coverage.levels}).data)
