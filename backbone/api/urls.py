from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "backbone-api"

router = SimpleRouter()
router.register("backbone/functions", views.FunctionViewSet, basename="backbone-function")
router.register("backbone/indicators", views.IndicatorViewSet, basename="backbone-indicator")
router.register("backbone/periods", views.PeriodViewSet, basename="backbone-period")
router.register("backbone/waves", views.WaveViewSet, basename="backbone-wave")
router.register("backbone/function-scores", views.FunctionScoreViewSet, basename="backbone-function-score")
router.register("backbone/indicator-scores", views.IndicatorScoreViewSet, basename="backbone-indicator-score")
router.register("backbone/funding-entries", views.FundingEntryViewSet, basename="backbone-funding-entry")
router.register("backbone/funders", views.FunderViewSet, basename="backbone-funder")
router.register("backbone/policy-entries", views.PolicyEntryViewSet, basename="backbone-policy-entry")
router.register("backbone/community-events", views.CommunityEventViewSet, basename="backbone-community-event")

urlpatterns = [
    path("backbone/funding-summary/", views.FundingSummaryView.as_view(), name="backbone-funding-summary"),
    path(
        "backbone/funding-commitments/",
        views.FundingCommitmentView.as_view(),
        name="backbone-funding-commitments",
    ),
    path("backbone/profile/", views.BackboneProfileView.as_view(), name="backbone-profile"),
    path("backbone/recompute/", views.RecomputeView.as_view(), name="backbone-recompute"),
    path("", include(router.urls)),
]
