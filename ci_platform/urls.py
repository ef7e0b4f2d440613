from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from ci_platform import pwa
from ci_platform.api.schema_view import SchemaView
from ci_platform.api.views import api_not_found
from ci_platform.views import healthz
from communication.views import ReportCardPdfView, set_language
from initiatives.views import HomeView, InvitationAcceptView
from measurement.dashboards.views import PublicReportCardView
from sso.views import SignInView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz/", healthz, name="healthz"),
    # The public Community Report Card: the only page of an initiative that needs no sign-in.
    path("public/<slug:slug>/", PublicReportCardView.as_view(), name="report_card"),
    # The report card as PDF: served if made, else a page offering to make it (communication.pdf).
    path("public/<slug:slug>/pdf/", ReportCardPdfView.as_view(), name="report_card_pdf"),
    # A report card measure's chart to frame on the initiative's listed sites, with its CSV and JSON.
    path("public/<slug:slug>/embed/", include("measurement.embeds.urls")),
    # The grid as an installable web app (docs/measurement.md, "Offline data entry"): the service
    # worker at the root, so that its scope covers the grid pages; sign-out clears the offline data.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.web_manifest, name="web_manifest"),
    path("accounts/logout/", pwa.SignOutView.as_view(), name="logout"),
    # Sign-in with the single sign-on button; password sign-in may be turned off (docs/sso.md).
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/sso/", include("sso.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switch keeps a signed-in person's choice for what is emailed to them later.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("invitations/<str:token>/", InvitationAcceptView.as_view(), name="invitation_accept"),
    path("initiatives/", include("initiatives.urls")),
    # The five components, one app each, below their initiative.
    path("initiatives/<slug:slug>/agenda/", include("agenda.urls")),
    path("initiatives/<slug:slug>/measurement/", include("measurement.urls")),
    path("initiatives/<slug:slug>/workgroups/", include("workgroups.urls")),
    path("initiatives/<slug:slug>/communication/", include("communication.urls")),
    path("initiatives/<slug:slug>/backbone/", include("backbone.urls")),
    path("initiatives/<slug:slug>/learning/", include("learning.urls")),
    path("initiatives/<slug:slug>/webhooks/", include("webhooks.urls")),
    path("api/v1/", include("initiatives.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("agenda.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("measurement.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("workgroups.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("communication.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("backbone.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("learning.api.urls")),
    path("api/v1/initiatives/<slug:initiative_slug>/", include("webhooks.api.urls")),
    path("api/v1/public/", include("measurement.api.public_urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline scripts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Last of the API: any other /api/…/ address is a JSON 404 in the API's error shape (without
    # the trailing slash, APPEND_SLASH redirects first, as everywhere). `[\s\S]`, not `.`: a line
    # break in the address is any other character.
    re_path(r"^api/[\s\S]*/$", api_not_found),
    path("admin/", admin.site.urls),
]

# A database out of reach is a 503 "try again", never a traceback (docs/reliability.md).
handler500 = "ci_platform.views.server_error"
