"""The API's only endpoints without sign-in: published report cards."""

from django.urls import path

from . import views

app_name = "public-api"

urlpatterns = [
    path("<slug:slug>/report-card/", views.PublicReportCardView.as_view(), name="report-card"),
]
