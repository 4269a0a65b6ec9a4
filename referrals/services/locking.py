"""The order of checks every service that acts on an existing referral keeps (see
referrals.permissions): the caller's rights are read before the row lock, the state is checked
under it, then the capability the action needs."""

from django.utils.translation import gettext as _

from ..exceptions import InvalidTransition
from ..models import Referral, Status
from ..permissions import Rights, capabilities_on, require_acting_role


def rights_before_lock(by, referral: Referral) -> Rights:
    """403 for a viewer; else what the caller may do, as it stood before the lock.

    A caller holding nothing at all on the referral could see it a moment ago (the view answers
    404 otherwise): a concurrent action, an acceptance lapsing its offer or a withdrawal, has
    taken its access away since. Its answer is then the state that action left (409), as for the
    loser of any race, not the viewer's 403."""
    capabilities = capabilities_on(by, referral)
    if not capabilities:
        current = Referral.objects.get(pk=referral.pk)
        raise InvalidTransition(current, _("The referral changed while you acted on it; it is now %(status)s.")
                                % {"status": Status(current.status).label})
    return require_acting_role(by, referral, capabilities)


def locked(referral: Referral) -> Referral:
    """The referral, re-read under a row lock: concurrent accepts, declines and withdrawals serialise."""
    return Referral.objects.select_for_update().get(pk=referral.pk)
