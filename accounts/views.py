"""The browsable API's login page (with the code field) and the page a locked-out form gets."""

import math

from django.contrib.auth.views import LoginView
from django.shortcuts import render

from .forms import SessionLoginForm
from .selectors import lockout_ends
from .services import LoginLockedOut


class SessionLoginView(LoginView):
    template_name = "accounts/session_login.html"
    authentication_form = SessionLoginForm


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login forms' answer to a locked-out pair (429, Retry-After)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    locked = LoginLockedOut(lockout_ends(username, getattr(request, "axes_ip_address", None)))
    response = render(request, "accounts/locked_out.html", {"message": str(locked)}, status=429)
    response["Retry-After"] = str(math.ceil(locked.retry_after))
    return response
