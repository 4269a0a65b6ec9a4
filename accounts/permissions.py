"""Who must sign in with a second factor, and what a user who must but has not enrolled may do.

MFA_REQUIRED (on in production) makes two-factor compulsory for everyone who can reach referral
content or hand it out: every member of an organisation of the network (every organisation sees
referrals, those it submits and those it is offered, and every role of it reads them) and every
platform administrator (who onboards members into any organisation, which is a way to its
referrals). Analysts, who read noisy network-wide statistics and no referral, may enrol but need not.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.permissions import is_network_user

from .selectors import has_second_factor

ENROLMENT_URL = "/api/v1/auth/mfa/totp/"
ENROL_FIRST = format_lazy(gettext_lazy(
    "Two-factor authentication is required for your account: enrol at {url} and confirm "
    "with a code at {url}confirm/ before using the API."
), url=ENROLMENT_URL)
SESSION_ENROL_FIRST = format_lazy(gettext_lazy(
    "Two-factor authentication is required for your account: sign in with a token and enrol at "
    "{url} first."
), url=ENROLMENT_URL)


def mfa_required_for(user) -> bool:
    return bool(settings.MFA_REQUIRED) and is_network_user(user)


def must_enrol(user) -> bool:
    """Two-factor is compulsory for the user and not on yet: the user may reach only the enrolment
    endpoints (and sign out)."""
    return mfa_required_for(user) and not has_second_factor(user)


def require_enrolled(user) -> None:
    if must_enrol(user):
        raise PermissionDenied(ENROL_FIRST)


def require_session_sign_in(user) -> None:
    """A session (the browsable API, the admin) is never a way around enrolment: a user who must
    enrol signs in with a token, whose access the API itself limits to the enrolment endpoints."""
    if must_enrol(user):
        raise PermissionDenied(SESSION_ENROL_FIRST)


def require_verified_session(user, verified: bool) -> None:
    """Once two-factor is on, a session counts only if it was opened with a code: one opened
    before enrolment stops working."""
    if not verified and has_second_factor(user):
        raise PermissionDenied(_("Sign in again with the code from your authenticator app."))
