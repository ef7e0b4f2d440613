from django.urls import path

from . import views

app_name = "backbone"

urlpatterns = [
    path("", views.ScorecardView.as_view(), name="home"),
    path("indicators/<int:number>/", views.IndicatorView.as_view(), name="indicator"),
    path("recompute/", views.RecomputeView.as_view(), name="recompute"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("catalogue/indicators/new/", views.IndicatorCreateView.as_view(), name="indicator_create"),
    path(
        "catalogue/indicators/<int:number>/wording/",
        views.IndicatorLabelView.as_view(),
        name="indicator_label",
    ),
    path("catalogue/items/new/", views.ItemCreateView.as_view(), name="item_create"),
    path("surveys/", views.WaveListView.as_view(), name="waves"),
    path("surveys/new/", views.WaveCreateView.as_view(), name="wave_create"),
    path("surveys/<int:pk>/", views.WaveView.as_view(), name="wave"),
    path("surveys/<int:pk>/respondents/", views.RespondentsAddView.as_view(), name="respondents_add"),
    path("surveys/<int:pk>/send/", views.WaveSendView.as_view(), name="wave_send"),
    path("surveys/<int:pk>/remind/", views.WaveRemindView.as_view(), name="wave_remind"),
    path("surveys/<int:pk>/close/", views.WaveCloseView.as_view(), name="wave_close"),
    # The personal survey link: no account needed, the signed token is the credential.
    path("respond/<str:token>/", views.RespondView.as_view(), name="respond"),
    path("funding/", views.FundingView.as_view(), name="funding"),
    path("funding/new/", views.FundingFormView.as_view(), name="funding_create"),
    path("funding/<int:pk>/", views.FundingFormView.as_view(), name="funding_edit"),
    path("funding/<int:pk>/delete/", views.FundingDeleteView.as_view(), name="funding_delete"),
    path("funding/commitments/new/", views.FundingCommitmentView.as_view(), name="funding_commitment"),
    path("funding/funders/<int:pk>/", views.FunderEditView.as_view(), name="funder_edit"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/edit/", views.ProfileEditView.as_view(), name="profile_edit"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("policy/new/", views.PolicyFormView.as_view(), name="policy_create"),
    path("policy/<int:pk>/", views.PolicyFormView.as_view(), name="policy_edit"),
    path("policy/<int:pk>/delete/", views.PolicyDeleteView.as_view(), name="policy_delete"),
    path("community/", views.CommunityView.as_view(), name="community"),
    path("community/new/", views.CommunityFormView.as_view(), name="community_create"),
    path("community/<int:pk>/", views.CommunityFormView.as_view(), name="community_edit"),
    path("community/<int:pk>/delete/", views.CommunityDeleteView.as_view(), name="community_delete"),
]
