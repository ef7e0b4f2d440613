from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "measurement-api"

router = SimpleRouter()
router.register("measures", views.SharedMeasureViewSet, basename="measure")
router.register("periods", views.ReportingPeriodViewSet, basename="period")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("values", views.DataValueViewSet, basename="value")

urlpatterns = [path("", include(router.urls))]
