from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "communication-api"

router = SimpleRouter()
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("updates", views.PostViewSet, basename="update")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("reports", views.ReportViewSet, basename="report")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("notification-preferences/", views.PreferencesView.as_view(), name="notification-preferences"),
    path("", include(router.urls)),
]
