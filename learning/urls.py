from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("risks/", views.RiskListView.as_view(), name="risks"),
    path("risks/new/", views.RiskCreateView.as_view(), name="risk_create"),
    path("risks/starting-list/", views.StartingListView.as_view(), name="starting_list"),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="risk"),
    path("risks/<int:pk>/edit/", views.RiskEditView.as_view(), name="risk_edit"),
    path("risks/<int:pk>/review/", views.RiskReviewView.as_view(), name="risk_review"),
    path("assumptions/", views.AssumptionListView.as_view(), name="assumptions"),
    path("assumptions/new/", views.AssumptionCreateView.as_view(), name="assumption_create"),
    path("assumptions/<int:pk>/", views.AssumptionDetailView.as_view(), name="assumption"),
    path("assumptions/<int:pk>/edit/", views.AssumptionEditView.as_view(), name="assumption_edit"),
    path("assumptions/<int:pk>/learned/", views.LearningRecordView.as_view(), name="learning_record"),
    path("curve/", views.CurveListView.as_view(), name="curve"),
    path("curve/<slug:code>/", views.CurveMeasureView.as_view(), name="curve_measure"),
    path("curve/<slug:code>/<int:period>/", views.WorksheetView.as_view(), name="worksheet"),
    path("curve/<slug:code>/<int:period>/edit/", views.WorksheetEditView.as_view(), name="worksheet_edit"),
    path("curve/<slug:code>/<int:period>/stories/new/", views.StoryCreateView.as_view(), name="story_create"),
]
