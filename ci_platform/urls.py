from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ci_platform.views import healthz
from initiatives.views import HomeView, InvitationAcceptView
from measurement.dashboard_views import PublicReportCardView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz/", healthz, name="healthz"),
    # The public Community Report Card: the only page of an initiative that needs no sign-in.
    path("public/<slug:slug>/", PublicReportCardView.as_view(), name="report_card"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation_accept"),
    path("initiatives/", include("initiatives.urls")),
    # The five components, one app each, below their initiative.
    path("initiatives/<slug:slug>/agenda/", include("agenda.urls")),
    path("initiatives/<slug:slug>/measurement/", include("measurement.urls")),
    path("initiatives/<slug:slug>/workgroups/", include("workgroups.urls")),
    path("initiatives/<slug:slug>/communication/", include("communication.urls")),
    path("initiatives/<slug:slug>/backbone/", include("backbone.urls")),
    path("api/v1/", include("initiatives.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("agenda.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("measurement.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("workgroups.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("communication.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("backbone.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
