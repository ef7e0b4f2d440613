from django.urls import path

from . import views

app_name = "embeds"

urlpatterns = [
    path("<slug:code>/", views.EmbedView.as_view(), name="chart"),
    # Any code reaches the view, whose 404 is then in the API's JSON shape.
    path("<str:code>.csv", views.EmbedCsvView.as_view(), name="csv"),
    path("<str:code>.json", views.EmbedJsonView.as_view(), name="json"),
]
