from django.urls import path

from . import views

app_name = "measurement"

urlpatterns = [
    path("", views.MeasurementHomeView.as_view(), name="home"),
]
