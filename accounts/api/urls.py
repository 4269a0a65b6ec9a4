from django.urls import path

from .me import MeView
from .views import LoginView, LogoutView, TotpConfirmView, TotpEnrolView

urlpatterns = [
    path("auth/token/", LoginView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/mfa/totp/", TotpEnrolView.as_view(), name="auth-mfa-totp"),
    path("auth/mfa/totp/confirm/", TotpConfirmView.as_view(), name="auth-mfa-totp-confirm"),
    path("me/", MeView.as_view(), name="me"),
]
