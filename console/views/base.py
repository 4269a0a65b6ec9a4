"""What every console page shares: sign-in required, the strict CSP, refusals shown as pages."""

from csp.decorators import csp_replace
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View

from .refusals import refusal_messages, refusal_status

# The API's policy allows inline style for Swagger UI; console pages allow none.
strict_csp = csp_replace({"style-src": ["'self'"]})


def not_found_page(request, message: str = ""):
    """The console's 404: the page says what to do next, never whether the object exists."""
    return render(request, "console/404.html", {"message": message}, status=404)


@method_decorator(strict_csp, name="dispatch")
class ConsoleView(LoginRequiredMixin, View):
    """A console page: people who are not signed in go to the sign-in page (302), then back."""

    login_url = reverse_lazy("console:login")


def refused_page(request, error: Exception):
    """A refusal that leaves nothing else to show: its message, with its status."""
    return render(request, "console/refused.html", {"errors": refusal_messages(error)},
                  status=refusal_status(error))
