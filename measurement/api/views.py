"""API of shared measurement; scoping from initiatives' InitiativeScopedMixin, confidentiality
from measurement.permissions (a partner reads its own raw values only)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from initiatives import permissions as initiative_permissions
from initiatives.api.views import InitiativeScopedMixin

from .. import permissions, selectors, services
from ..models import Assignment, DataValue, MeasureDimension, ReportingPeriod, SharedMeasure, Submission
from .serializers import (
    AssignmentSerializer,
    DataValueSerializer,
    ReportingPeriodSerializer,
    ReviewSerializer,
    SharedMeasureSerializer,
    SubmissionSerializer,
)


class SharedMeasureViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SharedMeasureSerializer
    lookup_field = "code"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SharedMeasure.objects.none()
        return self.initiative.measures.select_related("denominator").prefetch_related(
            Prefetch(
                "measure_dimensions",
                queryset=MeasureDimension.objects.select_related("dimension").prefetch_related(
                    "dimension__members"
                ),
            ),
            "targets",
            "strategies",
        )


class ReportingPeriodViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportingPeriodSerializer
    filterset_fields = ["frequency", "code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportingPeriod.objects.none()
        return self.initiative.periods.order_by("start", "frequency")


class AssignmentViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return self.initiative.assignments.select_related("organization", "measure").order_by(
            "organization__name", "measure__code"
        )


class SubmissionFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code")
    organization = django_filters.NumberFilter(field_name="organization_id")

    class Meta:
        model = Submission
        fields = ["status", "period", "organization"]


class SubmissionViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Submissions the caller may see: its own organisation's, or all for backbone staff."""

    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    write_permission = initiative_permissions.MANAGE

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Submission.objects.none()
        queryset = self.initiative.submissions.select_related("organization", "period").order_by(
            "-period__start", "organization__name"
        )
        allowed = permissions.organizations_user_can_see(self.request.user, self.initiative)
        return queryset if allowed is None else queryset.filter(organization_id__in=allowed)

    def _review(self, request, fn, **extra):
        submission = self.get_object()
        try:
            submission = fn(submission=submission, by=request.user, **extra)
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            ) from exc
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(request=None, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve a submitted period (backbone staff); its values are locked."""
        return self._review(request, services.submission_approve)

    @extend_schema(request=ReviewSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, *args, **kwargs):
        """Return a submission to its organisation with a message (backbone staff)."""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._review(request, services.submission_return, message=data.validated_data["message"])

    @extend_schema(request=ReviewSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def unlock(self, request, *args, **kwargs):
        """Reopen approved data for correction, with a reason (backbone staff)."""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._review(request, services.submission_unlock, reason=data.validated_data["message"])


class DataValueFilter(django_filters.FilterSet):
    measure = django_filters.CharFilter(field_name="measure__code")
    period = django_filters.CharFilter(field_name="period__code")
    period_from = django_filters.DateFilter(field_name="period__start", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period__end", lookup_expr="lte")
    organization = django_filters.NumberFilter(field_name="organization_id")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = DataValue
        fields = ["measure", "period", "organization"]


class DataValueViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Raw data values the caller may see (confidentiality: own organisation unless backbone)."""

    serializer_class = DataValueSerializer
    filterset_class = DataValueFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DataValue.objects.none()
        return selectors.visible_values(self.request.user, self.initiative).order_by("id")
