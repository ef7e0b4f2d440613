from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("", views.AgendaHomeView.as_view(), name="home"),
]
