from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("new/", views.InitiativeCreateView.as_view(), name="create"),
    path("<slug:slug>/", views.OverviewView.as_view(), name="overview"),
    path("<slug:slug>/edit/", views.InitiativeEditView.as_view(), name="edit"),
    path("<slug:slug>/phase/", views.PhaseChangeView.as_view(), name="phase_change"),
    path(
        "<slug:slug>/milestones/<int:phase>/<slug:area>/",
        views.MilestoneEditView.as_view(),
        name="milestone_edit",
    ),
    path("<slug:slug>/readiness/", views.ReadinessView.as_view(), name="readiness"),
    path("<slug:slug>/fit/", views.FitView.as_view(), name="fit"),
    path("<slug:slug>/members/", views.MembersView.as_view(), name="members"),
    path("<slug:slug>/members/invite/", views.InviteView.as_view(), name="invite"),
    path("<slug:slug>/members/<int:pk>/edit/", views.MembershipEditView.as_view(), name="membership_edit"),
    path(
        "<slug:slug>/members/<int:pk>/remove/", views.MembershipRemoveView.as_view(), name="membership_remove"
    ),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("<slug:slug>/api-tokens/", views.ApiTokensView.as_view(), name="api_tokens"),
    path(
        "<slug:slug>/api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"
    ),
    path("<slug:slug>/organizations/", views.OrganizationsView.as_view(), name="organizations"),
    path("<slug:slug>/organizations/add/", views.OrganizationAddView.as_view(), name="organization_add"),
    path(
        "<slug:slug>/organizations/new/", views.OrganizationCreateView.as_view(), name="organization_create"
    ),
]
