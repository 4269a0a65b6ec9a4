"""Reads for signing in: a user's second-factor device, and when a lockout ends."""

from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.db.models import Max
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    """The user's TOTP device once enrolment was confirmed (two-factor is on), else None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return bool(user and user.is_authenticated) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def lockout_ends(username: str, address: str | None) -> datetime | None:
    """When the lockout of the pair (username, address) ends: the cool-off after its last counted
    failure (failures during the lockout are not counted, so this does not move)."""
    last = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(last=Max("attempt_time"))
    return last["last"] + get_cool_off() if last["last"] else None
