from django.urls import path

from . import views
from .dashboards import views as dashboard_views
from .embeds import views as embed_views

app_name = "measurement"

entry = "<int:org>/<str:frequency>/<str:period>/"

urlpatterns = [
    path("", views.MeasurementHomeView.as_view(), name="home"),
    path("measures/new/", views.MeasureFormView.as_view(), name="measure_create"),
    path("measures/<slug:code>/", views.MeasureView.as_view(), name="measure"),
    path("measures/<slug:code>/edit/", views.MeasureFormView.as_view(), name="measure_edit"),
    path("breakdowns/", views.DimensionsView.as_view(), name="dimensions"),
    path("periods/", views.PeriodsView.as_view(), name="periods"),
    path("data-sets/", views.AssignmentsView.as_view(), name="assignments"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("entry/" + entry, views.EntryView.as_view(), name="entry"),
    path("entry/" + entry + "template.<str:fmt>", views.TemplateDownloadView.as_view(), name="template"),
    path("entry/" + entry + "import/", views.ImportView.as_view(), name="import"),
    path("imports/<int:pk>/", views.ImportPreviewView.as_view(), name="import_preview"),
    path("review/", views.ReviewView.as_view(), name="review"),
    path("submissions/<int:pk>/", views.SubmissionView.as_view(), name="submission"),
    path("export.<str:fmt>", views.ExportView.as_view(), name="export"),
]

urlpatterns += [
    path("dashboard/", dashboard_views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<slug:code>/", dashboard_views.MeasureDashboardView.as_view(), name="measure_dashboard"),
    path("completeness/", dashboard_views.CompletenessView.as_view(), name="completeness"),
    path("recompute/", dashboard_views.RecomputeView.as_view(), name="recompute"),
    path("report-card/", dashboard_views.ReportCardSettingsView.as_view(), name="report_card_settings"),
    path("report-card/embed/", embed_views.EmbedSettingsView.as_view(), name="embed_settings"),
]
