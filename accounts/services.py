"""Signing in and turning two-factor on.

Every login path (the token endpoint, the browsable API's and the admin's forms) goes through
`login`: django-axes counts the failures of each pair (username, client address) and refuses the
pair, right password included, once LOGIN_FAILURE_LIMIT is reached, until LOGIN_LOCKOUT_MINUTES
after the last failure. A wrong code counts as a failure like a wrong password. Neither passwords
nor codes are logged or stored (axes masks `password` and `otp` in what it records)."""

import math
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate, user_login_failed
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from .selectors import confirmed_device, lockout_ends

CREDENTIALS_REFUSED = gettext_lazy("Unable to log in with the credentials provided.")
CODE_MISSING = gettext_lazy(
    "Two-factor authentication is on for this account: send the code from your authenticator app."
)
CODE_WRONG = gettext_lazy("The code is wrong, expired or was used already.")


class LoginRefused(Exception):
    """Wrong credentials or code; `field` is None (which of name and password is not said) or "otp"."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "authorization"):
        super().__init__(message)
        self.field, self.code = field, code


class LoginLockedOut(Exception):
    problem_status = 429

    def __init__(self, ends):
        self.retry_after = max(1, math.ceil((ends - timezone.now()).total_seconds())) if ends else 60
        when = f" after {ends:%H:%M} UTC" if ends else ""
        minutes = math.ceil(self.retry_after / 60)
        super().__init__(
            f"Too many failed sign-ins for this username from your address: try again{when} "
            f"(in {minutes} minute{'s' if minutes != 1 else ''})."
        )


class TwoFactorConflict(Exception):
    problem_status = 409


@dataclass
class SignedIn:
    user: object
    device: TOTPDevice | None  # the device whose code was checked (two-factor on), else None


def _locked_out(request, username: str) -> LoginLockedOut:
    return LoginLockedOut(lockout_ends(username, getattr(request, "axes_ip_address", None)))


def login(*, request, username: str, password: str, otp: str = "") -> SignedIn:
    """Check a username, a password and, when two-factor is on, the code. `request` is the one axes
    marks (the token endpoint passes DRF's request, so that the endpoint answers the lockout itself;
    the forms pass Django's, so that axes' middleware answers it with the lockout page)."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise _locked_out(request, username)
        raise LoginRefused(CREDENTIALS_REFUSED)
    device = confirmed_device(user)
    if device is None:
        return SignedIn(user, None)
    if not otp:
        raise LoginRefused(CODE_MISSING, field="otp", code="required")
    # verify_token refuses a code of a time step already used (replay) and, after failures, any
    # code for a while (django-otp's throttling, across addresses).
    if not device.verify_token(otp):
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        if getattr(request, "axes_locked_out", False):
            raise _locked_out(request, username)
        raise LoginRefused(CODE_WRONG, field="otp", code="invalid")
    return SignedIn(user, device)


@transaction.atomic
def totp_enrol(*, user) -> TOTPDevice:
    """Start (or start again) enrolment: a new unconfirmed device replaces any earlier one. Refused
    once two-factor is on: a stolen session must not be able to move the second factor."""
    if confirmed_device(user) is not None:
        raise TwoFactorConflict(_("Two-factor authentication is already on for this account."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


@transaction.atomic
def totp_confirm(*, user, otp: str, keep_token=None) -> TOTPDevice:
    """Turn two-factor on with a code from the enrolled app. Every other token of the user is
    revoked: those were issued without a code."""
    if confirmed_device(user) is not None:
        raise TwoFactorConflict(_("Two-factor authentication is already on for this account."))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise TwoFactorConflict(_("No enrolment in progress: start with POST /api/v1/auth/mfa/totp/."))
    if not device.verify_token(otp):
        raise ValidationError({"otp": CODE_WRONG}, code="invalid")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    others = AuthToken.objects.filter(user=user)
    if keep_token is not None:
        others = others.exclude(pk=keep_token.pk)
    others.delete()
    return device


# --- the user's own profile (GET/PATCH /api/v1/me/) -----------------------------------------------

def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def time_zone_is_known(name: str) -> bool:
    """An IANA name zoneinfo knows (not a path, not an abbreviation such as "ICT")."""
    if not isinstance(name, str) or not name or name not in zoneinfo.available_timezones():
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@transaction.atomic
def profile_update(*, user, data: dict):
    """Change the user's language, time zone and e-mail address; all or nothing, each refusal
    naming its field."""
    from .models import Profile

    errors = {}
    if "language" in data and data["language"] not in language_codes():
        errors["language"] = _("Not a language of the network; one of: %(codes)s.") % {
            "codes": ", ".join(language_codes())}
    if "time_zone" in data and not time_zone_is_known(data["time_zone"]):
        errors["time_zone"] = _("Not a known time zone; use an IANA name such as Asia/Bangkok.")
    if "email" in data:
        try:
            validate_email(data["email"])
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if errors:
        raise ValidationError(errors)
    profile, _created = Profile.objects.select_for_update().get_or_create(
        user=user, defaults={"language": settings.LANGUAGE_CODE, "time_zone": settings.TIME_ZONE})
    for field in ("language", "time_zone"):
        if field in data:
            setattr(profile, field, data[field])
    profile.save()
    if "email" in data and data["email"] != user.email:
        user.email = data["email"]
        user.save(update_fields=["email"])
    user._state.fields_cache.pop("profile", None)  # readers after this see the saved profile
    return profile
