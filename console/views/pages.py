"""What every page of the organisation admin, directory and statistics parts shares: sign-in
required (the console's login), and refusals shown as a page with their status, never a 500.

No permission is decided here: the services and organisations.permissions raise, this renders."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

# The console's sign-in page (console:login): a fixed address, which partners link to.
LOGIN_URL = "/app/login/"


class ConsolePage(LoginRequiredMixin, View):
    login_url = LOGIN_URL
    refused_template = "console/organisation/refused.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as refusal:
            message = str(refusal) or _("You may not do this.")
            return render(request, self.refused_template, {"message": message}, status=403)


def service_errors_onto(form, error: ValidationError) -> None:
    """A service's refusal, next to the field it names (or above the form when it names none)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
