from django.urls import path

from . import views

app_name = "communication"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="meetings"),
    path("meetings/new/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<int:pk>/attendance/", views.MeetingAttendanceView.as_view(), name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", views.MeetingMinutesView.as_view(), name="meeting_minutes"),
    path("decisions/", views.DecisionListView.as_view(), name="decisions"),
    path("decisions/new/", views.DecisionCreateView.as_view(), name="decision_create"),
    path("decisions/<int:pk>/", views.DecisionDetailView.as_view(), name="decision"),
    path("decisions/<int:pk>/edit/", views.DecisionEditView.as_view(), name="decision_edit"),
    path("actions/", views.ActionItemListView.as_view(), name="actions"),
    path("actions/new/", views.ActionItemCreateView.as_view(), name="action_create"),
    path("actions/<int:pk>/status/", views.ActionItemStatusView.as_view(), name="action_status"),
    path("updates/", views.PostListView.as_view(), name="updates"),
    path("updates/new/", views.PostCreateView.as_view(), name="post_create"),
    path("updates/<int:pk>/", views.PostDetailView.as_view(), name="post"),
    path("updates/<int:pk>/edit/", views.PostEditView.as_view(), name="post_edit"),
    path("updates/<int:pk>/delete/", views.PostDeleteView.as_view(), name="post_delete"),
    path("updates/<int:pk>/comments/", views.CommentCreateView.as_view(), name="comment_create"),
    path("documents/", views.DocumentListView.as_view(), name="documents"),
    path("documents/new/", views.DocumentCreateView.as_view(), name="document_create"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document"),
    path("documents/<int:pk>/download/", views.DocumentDownloadView.as_view(), name="document_download"),
    path("documents/<int:pk>/delete/", views.DocumentDeleteView.as_view(), name="document_delete"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.NotificationsReadView.as_view(), name="notifications_read"),
    path("notifications/settings/", views.NotificationSettingsView.as_view(), name="notification_settings"),
    path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("reports/", views.ReportListView.as_view(), name="reports"),
    path("reports/new/", views.ReportCreateView.as_view(), name="report_create"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report"),
    path("reports/<int:pk>/publish/", views.ReportPublishView.as_view(), name="report_publish"),
    path("reports/<int:pk>/unpublish/", views.ReportUnpublishView.as_view(), name="report_unpublish"),
]
