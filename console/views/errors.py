"""The site's root and the 404 of a console URL that matches no page."""

from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import View

from api.errors import not_found_view as api_not_found_view

from .base import not_found_page


class RedirectToConsole(View):
    """`/`: people land in the console (GET only; the API lives under /api/v1/)."""

    def get(self, request):
        return redirect("console:home")


def not_found_view(request, exception=None):
    if request.path.startswith("/app/"):
        return not_found_page(request, _("There is no such page. Go back to your inbox or your referrals."))
    return api_not_found_view(request, exception)
