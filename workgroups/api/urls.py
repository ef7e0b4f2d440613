from django.urls import path  # noqa: F401 - endpoints are added here as the component grows

app_name = "workgroups-api"

urlpatterns: list = []
