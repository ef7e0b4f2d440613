from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter

from . import views

app_name = "initiatives-api"

router = DefaultRouter()
router.register("initiatives", views.InitiativeViewSet, basename="initiative")

scoped = SimpleRouter()
scoped.register("members", views.MembershipViewSet, basename="member")
scoped.register("organizations", views.OrganizationViewSet, basename="organization")
scoped.register("milestones", views.MilestoneViewSet, basename="milestone")
scoped.register("phase-transitions", views.PhaseTransitionViewSet, basename="phase-transition")
scoped.register("fit-assessments", views.FitAssessmentViewSet, basename="fit-assessment")

urlpatterns = [
    path("", include(router.urls)),
    path("initiatives/<slug:initiative_slug>/guidance/", views.GuidanceView.as_view(), name="guidance"),
    path("initiatives/<slug:initiative_slug>/", include(scoped.urls)),
]
