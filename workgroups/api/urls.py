from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "workgroups-api"

router = SimpleRouter()
router.register("steering-seats", views.SteeringSeatViewSet, basename="steering-seat")
router.register("working-groups", views.WorkingGroupViewSet, basename="working-group")
router.register("working-group-members", views.WorkingGroupMemberViewSet, basename="working-group-member")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("tie-waves", views.TieWaveViewSet, basename="tie-wave")
router.register("ties", views.TieViewSet, basename="tie")
router.register("network-metrics", views.NetworkMetricsViewSet, basename="network-metrics")

urlpatterns = [
    path("record-ties/", views.RecordTiesView.as_view(), name="record-ties"),
    path("", include(router.urls)),
]
