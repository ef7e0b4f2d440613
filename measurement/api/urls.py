from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import feeds, views

app_name = "measurement-api"

router = SimpleRouter()
router.register("measures", views.SharedMeasureViewSet, basename="measure")
router.register("periods", views.ReportingPeriodViewSet, basename="period")
router.register("assignments", views.AssignmentViewSet, basename="assignment")
router.register("submissions", views.SubmissionViewSet, basename="submission")
router.register("values", views.DataValueViewSet, basename="value")
router.register("aggregates", views.AggregateViewSet, basename="aggregate")
router.register("audit", views.AuditEntryViewSet, basename="audit")

urlpatterns = [
    # Before the router: "bulk" would otherwise be read as a submission id.
    path("submissions/bulk/", views.BulkSubmissionView.as_view(), name="submission-bulk"),
    # Flat CSV for spreadsheets and BI tools (docs/bi.md).
    path("feeds/aggregates.csv", feeds.AggregatesFeedView.as_view(), name="feed-aggregates"),
    path("feeds/values.csv", feeds.ValuesFeedView.as_view(), name="feed-values"),
    path("", include(router.urls)),
]
