from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "webhooks-api"

router = SimpleRouter()
router.register("webhook-subscriptions", views.SubscriptionViewSet, basename="webhook-subscription")
router.register("webhook-deliveries", views.DeliveryViewSet, basename="webhook-delivery")

urlpatterns = [path("", include(router.urls))]
