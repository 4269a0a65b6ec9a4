"""The console under /app/: pages for people, on the same services and selectors as the API."""

from django.urls import include, path

from .views import account, actions, auth, inbox, language, referrals

app_name = "console"

urlpatterns = [
    path("", inbox.HomeView.as_view(), name="home"),
    path("login/", auth.ConsoleLoginView.as_view(), name="login"),
    path("logout/", auth.ConsoleLogoutView.as_view(), name="logout"),
    # the switcher: set_language, plus the signed-in person's profile (issue 13)
    path("language/", language.language_view, name="language"),
    path("inbox/", inbox.InboxView.as_view(), name="inbox"),
    path("referrals/", referrals.ReferralListView.as_view(), name="referral-list"),
    path("referrals/new/", referrals.ReferralNewView.as_view(), name="referral-new"),
    path("referrals/<uuid:pk>/", referrals.ReferralDetailView.as_view(), name="referral-detail"),
    path("referrals/<uuid:pk>/route/", actions.RouteView.as_view(), name="referral-route"),
    path("referrals/<uuid:pk>/accept/", actions.AcceptView.as_view(), name="referral-accept"),
    path("referrals/<uuid:pk>/decline/", actions.DeclineView.as_view(), name="referral-decline"),
    path("referrals/<uuid:pk>/withdraw/", actions.WithdrawView.as_view(), name="referral-withdraw"),
    path("referrals/<uuid:pk>/withdraw-consent/", actions.WithdrawConsentView.as_view(),
         name="referral-withdraw-consent"),
    path("referrals/<uuid:pk>/outcomes/", actions.OutcomeView.as_view(), name="referral-outcome"),
    path("referrals/<uuid:pk>/close/", actions.CloseView.as_view(), name="referral-close"),
    path("account/", account.AccountView.as_view(), name="account"),
    path("account/notifications/", account.NotificationPreferencesView.as_view(), name="account-notifications"),
    path("", include("console.urls_admin")),
]
