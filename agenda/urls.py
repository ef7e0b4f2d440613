from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("", views.AgendaHomeView.as_view(), name="home"),
    path("v/<int:number>/", views.VersionView.as_view(), name="version"),
    path("v/<int:number>/endorse/", views.EndorseView.as_view(), name="endorse"),
    path("compare/", views.CompareView.as_view(), name="compare"),
    path("draft/", views.DraftView.as_view(), name="draft"),
    path("draft/start/", views.DraftStartView.as_view(), name="draft_start"),
    path("draft/publish/", views.PublishView.as_view(), name="publish"),
    path("draft/discard/", views.DraftDiscardView.as_view(), name="discard"),
    path("settings/", views.AgendaSettingsView.as_view(), name="settings"),
]
