from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "learning-api"

router = SimpleRouter()
router.register("risks", views.RiskViewSet, basename="risk")
router.register("assumptions", views.AssumptionViewSet, basename="assumption")
router.register("curve-worksheets", views.WorksheetViewSet, basename="curve-worksheet")
router.register("curve-stories", views.StoryViewSet, basename="curve-story")

urlpatterns = [
    path("risk-starting-list/", views.StartingListView.as_view(), name="risk-starting-list"),
    path("measure-coverage/", views.CoverageView.as_view(), name="measure-coverage"),
    path("", include(router.urls)),
]
