"""The account page: the signed-in person's language, time zone and e-mail address, and how they
are told of each kind of event. The same services as PATCH /api/v1/me/ and
PUT /api/v1/me/notification-preferences/; two forms, each posted to its own address."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import services as accounts_services
from accounts.selectors import profile_of
from notifications import services as notifications_services
from notifications.selectors import preferences_of

from ..forms_account import PreferencesForm, ProfileForm
from .pages import ConsolePage, service_errors_onto

TEMPLATE = "console/account/account.html"


def _profile_form(user) -> ProfileForm:
    profile = profile_of(user)
    return ProfileForm(initial={"language": profile.language, "time_zone": profile.time_zone,
                                "email": user.email}, prefix="profile")


def _preferences_form(user) -> PreferencesForm:
    stored = preferences_of(user)
    return PreferencesForm(initial={"digest_time": stored["digest_time"],
                                    **{f"choices.{kind}": value for kind, value in stored["choices"].items()}},
                           prefix="notifications")


def _page(request, *, profile_form=None, preferences_form=None, status=200):
    return render(request, TEMPLATE, {
        "profile_form": profile_form or _profile_form(request.user),
        "preferences_form": preferences_form or _preferences_form(request.user),
    }, status=status)


class AccountView(ConsolePage):
    http_method_names = ["get", "post", "options"]

    def get(self, request):
        return _page(request)

    def post(self, request):
        form = ProfileForm(request.POST, prefix="profile")
        if form.is_valid():
            try:
                accounts_services.profile_update(user=request.user, data=form.cleaned_data)
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect(reverse("console:account"))
        return _page(request, profile_form=form, status=400)


class NotificationPreferencesView(ConsolePage):
    http_method_names = ["post", "options"]

    def post(self, request):
        form = PreferencesForm(request.POST, prefix="notifications")
        if form.is_valid():
            try:
                notifications_services.preferences_set(
                    user=request.user, choices=form.choices(), digest_time=form.cleaned_data["digest_time"])
            except ValidationError as error:
                service_errors_onto(form, error)
            else:
                messages.success(request, _("Your notification preferences are saved."))
                return redirect(reverse("console:account"))
        return _page(request, preferences_form=form, status=400)
