"""API of shared measurement; scoping from initiatives' InitiativeScopedMixin, confidentiality
from measurement.permissions (a partner reads its own raw values only).

The large collections (values, aggregates, submissions, audit) use cursor pages and are read as
`values()` rows, not model instances; aggregates and the report card answer conditional GETs."""

import json
from typing import cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.conditional import CONDITIONAL_PARAMETERS, NOT_MODIFIED, conditional, make_etag
from ci_platform.api.errors import ApiError
from ci_platform.api.idempotency import run_once
from ci_platform.api.pagination import KeysetPagination
from ci_platform.api.throttling import AnonRateThrottle
from ci_platform.api.views import InitiativeScopedMixin
from initiatives import permissions as initiative_permissions
from initiatives.choices import Role
from initiatives.models import Initiative

from .. import permissions, selectors, services
from ..aggregation import runs
from ..dashboards import readers
from ..models import (
    Aggregate,
    AuditEntry,
    Completeness,
    DataValue,
    MeasureDimension,
)
from . import bulk, report_card
from .filters import AggregateFilter, AuditEntryFilter, DataValueFilter, PeriodFilter, SubmissionFilter
from .serializers import (
    AGGREGATE_COLUMNS,
    AUDIT_COLUMNS,
    VALUE_COLUMNS,
    AggregateSerializer,
    AssignmentSerializer,
    AuditEntrySerializer,
    BulkErrorSerializer,
    BulkResultSerializer,
    BulkSubmissionSerializer,
    DataValueSerializer,
    ReportCardSerializer,
    ReportingPeriodSerializer,
    ReviewSerializer,
    SharedMeasureSerializer,
    SubmissionSerializer,
    UnlockSerializer,
)


class SharedMeasureViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SharedMeasureSerializer
    lookup_field = "code"

    def get_queryset(self):
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
    filterset_class = PeriodFilter

    def get_queryset(self):
        return self.initiative.periods.order_by("start", "frequency")


class AssignmentViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return self.initiative.assignments.select_related("organization", "measure").order_by(
            "organization__name", "measure__code"
        )


class SubmissionViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Submissions the caller may see: its own organisation's, or all for backbone staff."""

    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    write_permission = initiative_permissions.MANAGE
    pagination_class = KeysetPagination
    keyset_orderings = {"id": "id", "updated_at": "updated_at"}

    def get_queryset(self):
        queryset = self.initiative.submissions.select_related("organization", "period")
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

    @extend_schema(request=UnlockSerializer, responses={200: SubmissionSerializer})
    @action(detail=True, methods=["post"])
    def unlock(self, request, *args, **kwargs):
        """Reopen approved data for correction, with a reason (backbone staff): the whole
        submission, or with `value` one data value of it (repeat to reopen several)."""
        data = UnlockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["message"]
        if "value" not in data.validated_data:
            return self._review(request, services.submission_unlock, reason=reason)
        submission = self.get_object()
        value = selectors.values_of(submission).filter(pk=data.validated_data["value"]).first()
        if value is None:
            raise ValidationError({"value": [_("No such value in this submission.")]})

        def unlock_value(*, submission, by, reason):
            return services.value_unlock(value=value, by=by, reason=reason)

        return self._review(request, unlock_value, reason=reason)


class DataValueViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Raw data values the caller may see (confidentiality: its own organisation's, all of them for
    backbone staff and read tokens). For incremental sync: `ordering=updated_at` with
    `updated_since`, following `next` links; cleared values show in `audit/` (action `delete`)."""

    serializer_class = DataValueSerializer
    schema_model = DataValue
    filterset_class = DataValueFilter
    pagination_class = KeysetPagination
    keyset_orderings = {"id": "id", "updated_at": "updated_at"}

    def get_queryset(self):
        return selectors.visible_values(self.request.user, self.initiative).values(*VALUE_COLUMNS)


class AggregateViewSet(InitiativeScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The numbers behind every chart: each measure across partners per period and breakdown cell
    (breakdowns null = the total), from the active computation only, approved data only. Each row
    says how many of the expected organisations its period has approved, and whether that is below
    the initiative's completeness threshold (`provisional`: not yet a result to report).

    Answers carry an ETag and Last-Modified (the computation's): send them back as If-None-Match /
    If-Modified-Since and an unchanged answer is a 304 without a body."""

    serializer_class = AggregateSerializer
    schema_model = Aggregate
    filterset_class = AggregateFilter
    pagination_class = KeysetPagination
    keyset_orderings = {"id": "id"}

    def _run(self):
        if not hasattr(self, "_active_run"):
            self._active_run = runs.active_run(self.initiative)
        return self._active_run

    def _complete_pct(self) -> int:
        if not hasattr(self, "_threshold"):
            self._threshold = readers.complete_pct_of(self.initiative)
        return self._threshold

    def get_queryset(self):
        run = self._run()
        if not run:
            return Aggregate.objects.none().values(*AGGREGATE_COLUMNS)
        # The period's completeness in the same run, looked up by its (run, measure, period) key.
        counts = Completeness.objects.filter(
            run=run, measure_id=OuterRef("measure_id"), period_id=OuterRef("period_id")
        ).order_by()
        return (
            Aggregate.objects.filter(run=run)
            .annotate(
                expected=Subquery(counts.values("expected")[:1]),
                approved=Subquery(counts.values("approved")[:1]),
            )
            .values(*AGGREGATE_COLUMNS, "expected", "approved")
        )

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        if not self.for_schema:
            context["complete_pct"] = self._complete_pct()
        return context

    @extend_schema(
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: AggregateSerializer(many=True), 304: NOT_MODIFIED},
    )
    def list(self, request, *args, **kwargs):
        run = self._run()
        return conditional(
            request,
            etag=make_etag(
                "aggregates",
                self.initiative.pk,
                run and run.pk,
                run and run.finished_at,
                self._complete_pct(),  # a new threshold changes `provisional` without a new run
                request.get_full_path(),
            ),
            # The later of the run and the settings: a new threshold changes `provisional` too.
            last_modified=max(
                filter(
                    None,
                    [
                        run and (run.finished_at or run.created_at),
                        readers.settings_changed_at(self.initiative),
                    ],
                ),
                default=None,
            ),
            build=lambda: super(AggregateViewSet, self).list(request, *args, **kwargs),
            cache_control="private, no-cache",
            validate=lambda: (
                self.filter_queryset(self.get_queryset()),
                cast(KeysetPagination, self.paginator).get_page_size(request) if self.paginator else None,
            ),
        )


class AuditEntryViewSet(InitiativeScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The audit trail of data values and submissions, for the organisations whose raw values the
    caller may see. A mirror applies `delete` entries (`action=delete&since=…`) to drop cleared values."""

    serializer_class = AuditEntrySerializer
    schema_model = AuditEntry
    filterset_class = AuditEntryFilter
    pagination_class = KeysetPagination
    keyset_orderings = {"id": "id", "at": "at"}

    def get_queryset(self):
        queryset = AuditEntry.objects.filter(initiative=self.initiative)
        allowed = permissions.organizations_user_can_see(self.request.user, self.initiative)
        if allowed is not None:
            queryset = queryset.filter(organization_id__in=allowed)
        return queryset.values(*AUDIT_COLUMNS)


IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(
        "Idempotency-Key",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=False,
        description="Any unique string (1–200 visible ASCII characters), e.g. a UUID. A retry with the "
        "same key and body returns the first answer and writes nothing; the same key with another "
        "body is a 409. Kept for API_IDEMPOTENCY_TTL_HOURS (24 hours by default).",
    ),
    OpenApiParameter(
        "Idempotent-Replayed",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="`true` when this answer is the stored answer to an earlier request with the same key.",
    ),
]


class BulkSubmissionView(InitiativeScopedMixin, generics.GenericAPIView):
    """Submit many values for one organisation and one or more periods, all or nothing.

    Every row is checked as a file upload's row is (same messages); one rejected row and nothing is
    written (400, with every row's verdict). Approved or submitted periods are locked (409). With
    `dry_run` the answer says what would be created, updated, left unchanged or rejected, and nothing
    is written. With `submit` each period is submitted for review after saving."""

    serializer_class = BulkSubmissionSerializer
    write_permission = initiative_permissions.SUBMIT_DATA

    @extend_schema(
        request=BulkSubmissionSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(
                BulkErrorSerializer, description="Rejected rows or bad input; nothing was saved."
            ),
            409: OpenApiResponse(
                BulkErrorSerializer,
                description="Locked (submitted or approved) data, or an Idempotency-Key reused for another "
                "request; nothing was saved.",
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        organization = data.get("organization") or self._own_organization()
        if data["dry_run"]:
            return self._save(organization, data)
        return run_once(request, lambda: self._save(organization, data))

    def _own_organization(self):
        membership = initiative_permissions.membership_of(self.request.user, self.initiative)
        if membership is None or membership.role != Role.PARTNER:
            raise ValidationError({"organization": [_("Say whose data this is.")]})
        return membership.organization

    def _save(self, organization, data) -> Response:
        try:
            outcome = bulk.bulk_submit(
                initiative=self.initiative,
                organization=organization,
                by=self.request.user,
                values=data["values"],
                submit=data["submit"],
                dry_run=data["dry_run"],
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(_("You may not enter this organization's data.")) from exc
        except bulk.BulkRefused as refused:
            raise ApiError(
                status_code=409 if refused.code == "locked" else 400,
                code=refused.code,
                message=refused.message,
                errors=refused.errors(),
                extra={"summary": refused.outcome.summary(), "rows": refused.outcome.row_report()},
            ) from refused
        return Response(outcome.as_dict())


class PublicReportCardView(APIView):
    """The public Community Report Card as JSON: no sign-in, 404 unless published. The same
    measures, approved data and small-number suppression as the public page."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: ReportCardSerializer, 304: NOT_MODIFIED},
        auth=[],
    )
    def get(self, request, slug: str):
        state = readers.public_report_card(get_object_or_404(Initiative, slug=slug))
        if state is None:
            raise Http404
        data = report_card.as_dict(state)
        computed = data["computed_at"]
        response = conditional(
            request,
            etag=make_etag(json.dumps(data, sort_keys=True, default=str)),
            last_modified=max(
                filter(
                    None,
                    [state.card.updated_at, computed, *(w.updated_at for w in state.worksheets.values())],
                )
            ),
            build=lambda: Response(ReportCardSerializer(data).data),
            cache_control="public, max-age=60",
        )
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response
