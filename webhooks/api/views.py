"""API of webhooks. Scoping comes from initiatives' InitiativeScopedMixin (outsiders 404); every
operation, reading included, is for backbone staff (a member without MANAGE: 403), as the pages."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ci_platform.api.views import InitiativeScopedMixin

from .. import permissions as perms
from .. import selectors, services
from ..filters import DeliveryFilter
from ..models import Delivery, Subscription
from .serializers import (
    DeliverySerializer,
    SubscriptionSecretSerializer,
    SubscriptionSerializer,
    SubscriptionWriteSerializer,
)


class WebhooksScopedMixin(InitiativeScopedMixin):
    write_permission = perms.MANAGE

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Reading too: the receivers' addresses and the log are the backbone's settings.
        if not perms.can_manage(request.user, self.initiative):
            raise PermissionDenied

    def handle_exception(self, exc):
        if isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied()
        elif isinstance(exc, DjangoValidationError):
            exc = ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            )
        return super().handle_exception(exc)


class SubscriptionViewSet(
    WebhooksScopedMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The initiative's webhook subscriptions. The signing secret is returned once, by the POST that
    creates the subscription and by rotate-secret; never by a GET."""

    serializer_class = SubscriptionSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subscription.objects.none()
        return selectors.subscriptions_of(self.initiative)

    @extend_schema(request=SubscriptionWriteSerializer, responses={201: SubscriptionSecretSerializer})
    def create(self, request, *args, **kwargs):
        incoming = SubscriptionWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        data.pop("is_active", None)
        subscription, secret = services.subscription_create(
            initiative=self.initiative, by=request.user, **data
        )
        subscription.secret = secret
        body = SubscriptionSecretSerializer(subscription).data
        return Response({**body, "secret": secret}, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubscriptionWriteSerializer, responses={200: SubscriptionSerializer})
    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        incoming = SubscriptionWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        subscription = services.subscription_update(
            subscription=subscription, by=request.user, **incoming.validated_data
        )
        return Response(SubscriptionSerializer(self.get_queryset().get(pk=subscription.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.subscription_delete(subscription=instance, by=self.request.user)

    @extend_schema(request=None, responses={200: SubscriptionSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        """A new signing secret, returned this once; the previous one signs beside it during the
        overlap (WEBHOOKS_ROTATION_OVERLAP_HOURS)."""
        subscription = self.get_object()
        secret = services.subscription_secret_rotate(subscription=subscription, by=request.user)
        subscription = self.get_queryset().get(pk=subscription.pk)
        return Response({**SubscriptionSecretSerializer(subscription).data, "secret": secret})


class DeliveryViewSet(WebhooksScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The delivery log, newest first: each event sent to a subscription, with every attempt (status
    code, response time, error). POST redeliver/ sends one again now."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        return selectors.deliveries_of(self.initiative)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"], filterset_class=None)
    def redeliver(self, request, *args, **kwargs):
        delivery = self.get_object()
        services.delivery_redeliver(delivery=delivery, by=request.user)
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
