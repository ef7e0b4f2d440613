from django.urls import path

from . import views

app_name = "workgroups"

urlpatterns = [
    path("", views.WorkgroupsHomeView.as_view(), name="home"),
]
