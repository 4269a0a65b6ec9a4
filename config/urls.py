"""The root URLconf: the console (/app/; / sends people there), health, the admin, and the /api/v1/
surface (its root, authentication, the schema and its docs, every app's routes, the webhooks)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import APIRootView

from accounts.views import SessionLoginView
from api.health import healthz
from console.views.errors import RedirectToConsole


class ApiRootView(APIRootView):
    """The API's root: a link to every collection (public, as the schema is: it lists no data)."""

    permission_classes = [AllowAny]


# Every collection and entry point, by URL name (what /api/v1/ links to).
API_ROOT = {
    "auth/token": "auth-token", "schema": "schema", "docs": "docs",
    "geo/areas": "area-list", "geo/locate": "geo-locate",
    "organisations": "organisation-list", "services": "service-list", "facilities": "facility-list",
    "coverage-areas": "coveragearea-list", "providers/search": "provider-search",
    "directory/export": "directory-export", "referrals": "referral-list",
    "stats/referrals": "stats-referrals", "stats/referrals/response-times": "stats-response-times",
    "stats/export": "stats-export", "stats/capacity": "stats-capacity", "webhooks": "webhook-list",
}

api_v1 = [
    path("", ApiRootView.as_view(api_root_dict=API_ROOT), name="api-root"),
    path("", include("accounts.api.urls")),  # auth/token/, auth/logout/, auth/mfa/totp/(confirm/)
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("", include("geo.api.urls")),
    path("", include("organisations.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("activities.api.urls")),
    path("", include("identification.api.urls")),
    path("", include("returns.api.urls")),  # issue 14: returns (and POST referrals/{id}/return/)
    path("", include("integration.api.urls")),
    path("", include("notifications.api.urls")),  # me/notification-preferences/
]

urlpatterns = [
    path("", RedirectToConsole.as_view(), name="root"),
    path("app/", include("console.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # the browsable API's login, with the code field and the lockout (before DRF's own, which it replaces)
    path("api-auth/login/", SessionLoginView.as_view(), name="session-login"),
    path("api-auth/", include("rest_framework.urls")),
]

handler400 = "api.errors.bad_request_view"
handler403 = "api.errors.permission_denied_view"
handler404 = "console.views.errors.not_found_view"  # the console's page under /app/, else problem+json
handler500 = "api.errors.server_error_view"
