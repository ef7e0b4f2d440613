"""API of the backbone component; scoping from initiatives' InitiativeScopedMixin, access from
backbone.permissions. Waves come with their response rates; individual answers never leave the
database through the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ci_platform.api.views import InitiativeScopedMixin
from ci_platform.bases import ApiView
from initiatives import permissions as initiative_permissions
from initiatives.models import Initiative, Organization

from .. import permissions, selectors, services
from ..choices import RunTrigger
from ..models import (
    BackboneFunction,
)
from .serializers import (
    BackboneProfileSerializer,
    CommunityEventSerializer,
    FunctionScoreSerializer,
    FunctionSerializer,
    FunderSerializer,
    FundingCommitmentSerializer,
    FundingEntrySerializer,
    FundingSummarySerializer,
    IndicatorScoreSerializer,
    IndicatorSerializer,
    PeriodSerializer,
    PolicyEntrySerializer,
    RunSerializer,
    WaveSerializer,
)

PERIOD = OpenApiParameter("period", OpenApiTypes.STR, description="A period code, such as 2026-H1.")


def _errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class _DetailReaders(ApiView):
    """Readable by the steering committee and backbone staff only (403 for other members)."""

    initiative: Initiative  # InitiativeScopedMixin's

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_see_detail(request.user, self.initiative):
            raise PermissionDenied


class FunctionViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The six backbone functions."""

    serializer_class = FunctionSerializer
    pagination_class = None
    lookup_field = "code"

    def get_queryset(self):
        return BackboneFunction.objects.order_by("order")


class IndicatorViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue: the standard 27 and the initiative's own, in its wording, with the item bank."""

    serializer_class = IndicatorSerializer
    pagination_class = None
    lookup_field = "number"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        indicators = selectors.indicators_for(self.initiative)
        items: dict[int, list] = {}
        for item in selectors.item_bank(self.initiative, active_only=False):
            items.setdefault(item.indicator_id, []).append(item)
        for indicator in indicators:
            indicator.bank = items.get(indicator.pk, [])  # type: ignore[attr-defined]  # for the serializer only
        return indicators

    def get_object(self):
        for indicator in self.get_queryset():
            if str(indicator.number) == self.kwargs["number"]:
                return indicator
        raise Http404


class PeriodViewSet(InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PeriodSerializer
    pagination_class = None
    lookup_field = "code"

    def get_queryset(self):
        return self.initiative.backbone_periods.order_by("start")


class WaveViewSet(_DetailReaders, InitiativeScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Survey waves with their response rates per respondent group (not the answers)."""

    serializer_class = WaveSerializer

    def get_queryset(self):
        return selectors.waves_of(self.initiative)

    def get_serializer_context(self):
        context = dict(super().get_serializer_context())
        if self.for_schema or not hasattr(self, "initiative"):
            return context
        waves = self.initiative.survey_waves.all()
        if "pk" in self.kwargs:
            waves = waves.filter(pk=self.kwargs["pk"]) if str(self.kwargs["pk"]).isdigit() else waves.none()
        context["groups"] = selectors.wave_groups_of(list(waves.values_list("pk", flat=True)))
        return context


class FunctionScoreViewSet(InitiativeScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Function scores per period: the aggregate every member sees."""

    serializer_class = FunctionScoreSerializer
    pagination_class = None

    @extend_schema(parameters=[PERIOD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.function_scores_api(self.initiative, self.request.query_params.get("period"))


class IndicatorScoreViewSet(
    _DetailReaders, InitiativeScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Indicator scores with the evidence they rest on (steering committee and backbone staff)."""

    serializer_class = IndicatorScoreSerializer

    @extend_schema(parameters=[PERIOD])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.indicator_scores_api(self.initiative, self.request.query_params.get("period"))


class _RecordViewSet(InitiativeScopedMixin, viewsets.ModelViewSet):
    """Records kept by backbone staff: writes go through the component's services."""

    write_permission = initiative_permissions.MANAGE
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def save(self, data: dict, instance=None):  # pragma: no cover - overridden
        raise TypeError(f"{type(self).__name__} must define save()")

    def remove(self, instance):  # pragma: no cover - overridden
        raise TypeError(f"{type(self).__name__} must define remove()")

    def _write(self, request, instance=None, partial=False):
        incoming = self.get_serializer(instance, data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        try:
            saved = self.save(incoming.validated_data, instance)
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        return Response(
            self.get_serializer(saved).data,
            status=status.HTTP_200_OK if instance else status.HTTP_201_CREATED,
        )

    def create(self, request, *args, **kwargs):
        return self._write(request)

    def update(self, request, *args, **kwargs):
        return self._write(request, self.get_object(), partial=kwargs.get("partial", False))

    def destroy(self, request, *args, **kwargs):
        self.remove(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class FundingEntryViewSet(_RecordViewSet):
    """The funding ledger (read: steering committee and backbone staff; write: backbone staff)."""

    serializer_class = FundingEntrySerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_see_detail(request.user, self.initiative):
            raise PermissionDenied

    def get_queryset(self):
        return selectors.funding_entries(self.initiative)

    def save(self, data, instance=None):
        funder = data.pop("funder", {})
        fields = {
            "funder_name": funder.get("name", instance.funder.name if instance else ""),
            "funder_type": funder.get("funder_type", instance.funder.funder_type if instance else ""),
        }
        names = ["recipient", "kind", "amount", "year", "committed_on", "requires_alignment", "description"]
        for name in names:
            fields[name] = data[name] if name in data else getattr(instance, name, None)
        # A correction that does not say what the money funds keeps what the entry said.
        fields["purpose"] = data.get("purpose", instance.purpose if instance is not None else None)
        fields["strategy"] = data.get("strategy_id", instance.strategy_id if instance is not None else None)
        if fields["description"] is None:
            fields["description"] = ""
        if fields["requires_alignment"] is None:
            fields["requires_alignment"] = False
        if "recipient_organization_id" in data:
            org_id = data["recipient_organization_id"]
        else:
            org_id = instance.recipient_organization_id if instance is not None else None
        organization = Organization.objects.filter(pk=org_id).first() if org_id else None
        if org_id and organization is None:
            raise DjangoValidationError({"recipient_organization": "No organisation has this id."})
        missing = [n for n in ("recipient", "kind", "amount", "year", "committed_on") if fields[n] is None]
        if missing or not fields["funder_name"]:
            raise DjangoValidationError(dict.fromkeys(missing or ["funder"], "This field is required."))
        return services.funding_entry_save(
            initiative=self.initiative,
            by=self.request.user,
            entry=instance,
            recipient_organization=organization,
            **fields,
        )

    def remove(self, instance):
        services.funding_entry_delete(entry=instance, by=self.request.user)


class FundingSummaryView(InitiativeScopedMixin, APIView):
    """Totals by year and source, the backbone's budget and its share of the total (every member)."""

    @extend_schema(responses={200: FundingSummarySerializer})
    def get(self, request, *args, **kwargs):
        summary = selectors.funding_summary(self.initiative)
        data = {**summary.__dict__, "backbone_share": summary.backbone_share}
        return Response(FundingSummarySerializer(data).data)


class FunderViewSet(InitiativeScopedMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Funders with what they committed by year (read: steering committee and backbone staff); backbone
    staff mark the anchor funder and when a funder joined. Funders are created by their first entry."""

    serializer_class = FunderSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not permissions.can_see_detail(request.user, self.initiative):
            raise PermissionDenied

    def get_queryset(self):
        table = selectors.funder_table(self.initiative)
        funders = []
        for row in table.rows:
            # the table's figures, carried to the serializer on the funder
            row.funder.total = row.total  # type: ignore[attr-defined]
            by_year = {str(y): a for y, a in zip(table.years, row.amounts, strict=True) if a}
            row.funder.by_year = by_year  # type: ignore[attr-defined]
            funders.append(row.funder)
        return funders

    def get_object(self):
        for funder in self.get_queryset():
            if str(funder.pk) == str(self.kwargs["pk"]):
                return funder
        raise Http404

    def perform_update(self, serializer):
        funder, data = serializer.instance, serializer.validated_data
        try:
            serializer.instance = services.funder_update(
                funder=funder,
                by=self.request.user,
                is_anchor=data.get("is_anchor", funder.is_anchor),
                joined=data.get("joined", funder.joined),
                joined_on=data.get("joined_on", funder.joined_on),
                funder_type=data.get("funder_type", funder.funder_type),
            )
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        serializer.instance.total = funder.total
        serializer.instance.by_year = funder.by_year


class FundingCommitmentView(InitiativeScopedMixin, APIView):
    """Record a multi-year commitment: one ledger entry per year, all or none (backbone staff)."""

    write_permission = initiative_permissions.MANAGE

    @extend_schema(request=FundingCommitmentSerializer, responses={201: FundingEntrySerializer(many=True)})
    def post(self, request, *args, **kwargs):
        incoming = FundingCommitmentSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        org_id = data.pop("recipient_organization", None)
        organization = Organization.objects.filter(pk=org_id).first() if org_id else None
        if org_id and organization is None:
            raise ValidationError({"recipient_organization": "No organisation has this id."})
        try:
            amounts = {int(year): amount for year, amount in data.pop("amounts").items()}
        except ValueError as exc:
            raise ValidationError({"amounts": 'Give the amounts by year, such as {"2027": "1000"}.'}) from exc
        try:
            entries = services.funding_commitment_save(
                initiative=self.initiative,
                by=request.user,
                amounts=amounts,
                funder_name=data.pop("funder"),
                recipient_organization=organization,
                **data,
            )
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        return Response(FundingEntrySerializer(entries, many=True).data, status=status.HTTP_201_CREATED)


class BackboneProfileView(InitiativeScopedMixin, APIView):
    """The backbone's type and how it keeps its neutrality (read: every member; write: backbone
    staff). 404 until it is described."""

    write_permission = initiative_permissions.MANAGE

    @extend_schema(responses={200: BackboneProfileSerializer})
    def get(self, request, *args, **kwargs):
        profile = selectors.backbone_profile_of(self.initiative)
        if profile is None:
            raise Http404
        return Response(BackboneProfileSerializer(profile).data)

    @extend_schema(request=BackboneProfileSerializer, responses={200: BackboneProfileSerializer})
    def put(self, request, *args, **kwargs):
        incoming = BackboneProfileSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            profile = services.backbone_profile_save(
                initiative=self.initiative,
                by=request.user,
                kind=data["kind"],
                neutrality=data.get("neutrality", ""),
                organizations=data.get("organizations", []),
                structure=data.get("structure", ""),
                interests=data.get("interests", ""),
            )
        except DjangoValidationError as exc:
            raise _errors(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        return Response(BackboneProfileSerializer(profile).data)


class PolicyEntryViewSet(_RecordViewSet):
    """The policy log (read: every member; write: backbone staff)."""

    serializer_class = PolicyEntrySerializer

    def get_queryset(self):
        return selectors.policy_entries(self.initiative)

    def save(self, data, instance=None):
        fields = {
            name: data[name] if name in data else getattr(instance, name)
            for name in PolicyEntrySerializer.Meta.fields
            if name != "id" and (name in data or instance is not None)
        }
        return services.policy_entry_save(
            initiative=self.initiative, by=self.request.user, entry=instance, **fields
        )

    def remove(self, instance):
        services.policy_entry_delete(entry=instance, by=self.request.user)


class CommunityEventViewSet(_RecordViewSet):
    """Community engagement events (read: every member; write: backbone staff)."""

    serializer_class = CommunityEventSerializer

    def get_queryset(self):
        return selectors.community_events(self.initiative)

    def save(self, data, instance=None):
        fields = {
            name: data[name] if name in data else getattr(instance, name)
            for name in CommunityEventSerializer.Meta.fields
            if name != "id" and (name in data or instance is not None)
        }
        return services.community_event_save(
            initiative=self.initiative, by=self.request.user, event=instance, **fields
        )

    def remove(self, instance):
        services.community_event_delete(event=instance, by=self.request.user)


class RecomputeView(InitiativeScopedMixin, APIView):
    """Queue a recompute of the scores on a worker (backbone staff)."""

    write_permission = initiative_permissions.MANAGE

    @extend_schema(request=None, responses={202: RunSerializer})
    def post(self, request, *args, **kwargs):
        run = services.scores_recompute_request(
            initiative=self.initiative, by=request.user, trigger=RunTrigger.MANUAL
        )
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
