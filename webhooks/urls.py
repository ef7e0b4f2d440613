from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.SubscriptionListView.as_view(), name="list"),
    path("new/", views.SubscriptionCreateView.as_view(), name="create"),
    path("<int:pk>/", views.SubscriptionDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.SubscriptionEditView.as_view(), name="edit"),
    path("<int:pk>/rotate-secret/", views.SecretRotateView.as_view(), name="rotate"),
    path("<int:pk>/delete/", views.SubscriptionDeleteView.as_view(), name="delete"),
    path("deliveries/<int:pk>/redeliver/", views.RedeliverView.as_view(), name="redeliver"),
]
