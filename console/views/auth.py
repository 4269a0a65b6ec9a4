"""Signing in and out: the one login service (accounts.services.login, through the session login
form), so the same lockout and the same second factor as the API."""

from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.forms import SessionLoginForm

from .base import strict_csp


class ConsoleLoginForm(SessionLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["otp"].label = _("One-time code")
        self.fields["otp"].help_text = _("Only if two-factor authentication is on for your account: the code "
                                         "from your authenticator app.")


@method_decorator(strict_csp, name="dispatch")
class ConsoleLoginView(LoginView):
    template_name = "console/login.html"
    authentication_form = ConsoleLoginForm
    next_page = reverse_lazy("console:home")
    redirect_authenticated_user = True
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        # LoginView sends a signed-in user on before it looks at the method; other methods are 405.
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(strict_csp, name="dispatch")
class ConsoleLogoutView(View):
    """A POST (a form with its CSRF token, never a link or an inline handler)."""

    def post(self, request):
        logout(request)
        return redirect("console:login")
