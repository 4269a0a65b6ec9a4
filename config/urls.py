"""The root URLconf: health, the admin, and the /api/v1/ surface (authentication, the schema and
its docs, every app's routes, the webhooks)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import SessionLoginView
from api.health import healthz

api_v1 = [
    path("", include("accounts.api.urls")),  # auth/token/, auth/logout/, auth/mfa/totp/(confirm/)
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("", include("geo.api.urls")),
    path("", include("organisations.api.urls")),
    path("", include("referrals.api.urls")),
    path("", include("returns.api.urls")),  # issue 14: returns (and POST referrals/{id}/return/)
    path("", include("integration.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # the browsable API's login, with the code field and the lockout (before DRF's own, which it replaces)
    path("api-auth/login/", SessionLoginView.as_view(), name="session-login"),
    path("api-auth/", include("rest_framework.urls")),
]

handler400 = "api.errors.bad_request_view"
handler403 = "api.errors.permission_denied_view"
handler404 = "api.errors.not_found_view"
handler500 = "api.errors.server_error_view"
