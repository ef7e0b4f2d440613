from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "agenda-api"

router = SimpleRouter()
router.register("agenda-versions", views.AgendaVersionViewSet, basename="agenda-version")
router.register("strategies", views.StrategyViewSet, basename="strategy")
router.register("endorsements", views.EndorsementViewSet, basename="endorsement")

urlpatterns = [
    path("agenda-draft/", views.DraftView.as_view(), name="agenda-draft"),
    path("agenda-draft/publish/", views.PublishView.as_view(), name="agenda-publish"),
    path("", include(router.urls)),
]
