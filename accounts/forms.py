"""The session logins (the browsable API's and the admin's) with the second factor: the same
`services.login` as the token endpoint, so the same lockout and the same code check."""

import copy

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .permissions import require_session_sign_in


class SecondFactorFormMixin:
    """Adds `otp` (needed once two-factor is on) to an authentication form."""

    otp_field = forms.CharField(
        label="Code from your authenticator app", required=False, max_length=16, strip=True,
        help_text="Only if two-factor authentication is on for your account.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["otp"] = copy.deepcopy(self.otp_field)

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            signed_in = services.login(
                request=self.request, username=username, password=password, otp=self.cleaned_data.get("otp", ""))
        except services.LoginRefused as refused:
            if refused.field:
                raise ValidationError({refused.field: str(refused)}, code=refused.code) from None
            raise self.get_invalid_login_error() from None
        except services.LoginLockedOut as locked:
            # axes' middleware answers with the lockout page; the form error is for anything else
            raise ValidationError(str(locked), code="locked_out") from None
        try:
            require_session_sign_in(signed_in.user)
        except PermissionDenied as denied:
            raise ValidationError(str(denied), code="enrol_first") from None
        self.confirm_login_allowed(signed_in.user)
        if signed_in.device is not None:
            # django-otp marks the session verified with this device when the user is logged in
            signed_in.user.otp_device = signed_in.device
        self.user_cache = signed_in.user
        return self.cleaned_data


class SessionLoginForm(SecondFactorFormMixin, AuthenticationForm):
    pass


class AdminLoginForm(SecondFactorFormMixin, AdminAuthenticationForm):
    pass
