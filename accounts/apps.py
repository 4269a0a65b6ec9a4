from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: the token and session logins, their lockout (django-axes) and the second factor
    (django-otp, TOTP)."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from .api import schema  # noqa: F401 (registers the OpenAPI authentication extensions)
        from .forms import AdminLoginForm

        # The admin's own login page takes the code too (and locks out like the others): the admin
        # is a way into the whole API with its session, so it must not be the weak door.
        admin.site.login_form = AdminLoginForm
        admin.site.login_template = "accounts/admin_login.html"
