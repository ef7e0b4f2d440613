from django.urls import path

from . import views

app_name = "workgroups"

urlpatterns = [
    # The tiered structure (org chart) is the component's home.
    path("", views.StructureView.as_view(), name="home"),
    path("steering/add/", views.SeatAddView.as_view(), name="seat_add"),
    path("steering/<int:pk>/edit/", views.SeatEditView.as_view(), name="seat_edit"),
    path("steering/<int:pk>/remove/", views.SeatRemoveView.as_view(), name="seat_remove"),
    path("groups/", views.GroupListView.as_view(), name="groups"),
    path("groups/new/", views.GroupCreateView.as_view(), name="group_create"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="group_detail"),
    path("groups/<int:pk>/edit/", views.GroupEditView.as_view(), name="group_edit"),
    path("groups/<int:pk>/members/add/", views.GroupMemberAddView.as_view(), name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:member>/remove/",
        views.GroupMemberRemoveView.as_view(),
        name="group_member_remove",
    ),
    path("groups/<int:pk>/activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityEditView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/progress/", views.ActivityProgressView.as_view(), name="activity_progress"),
    path("alignment/", views.AlignmentView.as_view(), name="alignment"),
    path("network/", views.NetworkView.as_view(), name="network"),
    path("waves/", views.WaveListView.as_view(), name="waves"),
    path("waves/<int:pk>/open/", views.WaveOpenView.as_view(), name="wave_open"),
    path("waves/<int:pk>/close/", views.WaveCloseView.as_view(), name="wave_close"),
    path("waves/<int:pk>/compute/", views.WaveComputeView.as_view(), name="wave_compute"),
    path("waves/<int:pk>/survey/", views.SurveyView.as_view(), name="survey"),
]
