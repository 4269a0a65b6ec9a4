"""Reads for signing in (a user's second-factor device, when a lockout ends) and for "who am I"
(the profile, the capabilities held)."""

from datetime import datetime

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisations.permissions import ROLE_CAPABILITIES, is_platform_admin
from organisations.selectors import membership_of
from referrals.permissions import VIEW_ALL_STATISTICS

# What a platform administrator holds network-wide (is_staff): onboarding, verification, taxonomy.
PLATFORM_ADMINISTRATION = "platform.administer_network"


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


def profile_of(user):
    """The user's profile; an unsaved one with the defaults when they never changed it."""
    from .models import Profile

    try:
        return user.profile
    except Profile.DoesNotExist:
        return Profile(user=user, language=settings.LANGUAGE_CODE, time_zone=settings.TIME_ZONE)


def capabilities_of(user) -> list[str]:
    """The capability codenames the user holds: their role's on their organisation, and those
    held network-wide (an analyst's statistics, a platform administrator's running of the
    network)."""
    membership = membership_of(user)
    held = set(ROLE_CAPABILITIES.get(membership.role, ())) if membership else set()
    if is_platform_admin(user):
        held.add(PLATFORM_ADMINISTRATION)
    if user.has_perm(VIEW_ALL_STATISTICS):
        held.add(VIEW_ALL_STATISTICS)
    return sorted(held)
