"""The order of checks every service that acts on an existing referral keeps (see
referrals.permissions): the caller's rights are read before the row lock, the state is checked
under it, then the capability the action needs."""

from ..models import Referral
from ..permissions import Rights, require_acting_role


def rights_before_lock(by, referral: Referral) -> Rights:
    """403 for a viewer; else what the caller may do, as it stood before the lock."""
    return require_acting_role(by, referral)


def locked(referral: Referral) -> Referral:
    """The referral, re-read under a row lock: concurrent accepts, declines and withdrawals serialise."""
    return Referral.objects.select_for_update().get(pk=referral.pk)
