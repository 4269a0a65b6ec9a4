"""Who may do what with screening forms, screenings, identification decisions and the country
settings: the one place these rules live.

- Screening forms and country settings: every member of the network reads them; platform
  administrators write them (they run the network, not cases).
- A screening: a party that acts on the referral (the submitter's or the accepting or offered
  organisation's admins and caseworkers: referrals.permissions.require_acting_role).
- An identification decision: an organisation competent to identify victims
  (organisations.permissions.require_identify_victims) that sees the referral.
- A screening's notes: read by the organisation that wrote them only."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from organisations.permissions import is_network_user, is_platform_admin, require_identify_victims
from referrals.models import Referral
from referrals.permissions import Rights, require_acting_role

FORMS_ARE_THE_PLATFORMS = _("Only platform administrators publish screening forms.")
SETTINGS_ARE_THE_PLATFORMS = _("Only platform administrators set the reflection period of a country.")


def restrict_screening_forms(queryset: QuerySet, user, action: str) -> QuerySet:
    """view: the network; add, change, publish: platform administrators; delete: nobody."""
    if action == "view":
        return queryset if is_network_user(user) else queryset.none()
    if action in {"add", "change", "publish"}:
        return queryset if is_platform_admin(user) else queryset.none()
    if action == "delete":
        return queryset.none()
    raise ValueError(f"unknown action {action!r}")


def require_manage_screening_forms(user) -> None:
    if not is_platform_admin(user):
        raise PermissionDenied(FORMS_ARE_THE_PLATFORMS)


def may_read_country_settings(user) -> bool:
    return is_network_user(user)


def require_change_country_settings(user) -> None:
    if not is_platform_admin(user):
        raise PermissionDenied(SETTINGS_ARE_THE_PLATFORMS)


def require_may_screen(user, referral: Referral) -> Rights:
    """403 unless the user acts on the referral (admins and caseworkers of a party to it); the
    caller has answered 404 already if the user's organisation cannot see it."""
    return require_acting_role(user, referral)


def require_sees_referral(user, referral: Referral) -> None:
    """404, as if it did not exist, unless the user's organisation sees the referral."""
    if not Referral.objects.restrict(user, "view").filter(pk=referral.pk).exists():
        raise Http404(_("No such referral."))


def require_may_decide_identification(user, referral: Referral | None = None) -> None:
    """404 unless the user's organisation sees the referral (when given); 403 unless it is
    competent to identify victims and the user's role acts for it."""
    if referral is not None:
        require_sees_referral(user, referral)
    require_identify_victims(user)


def sees_screening_notes(organisation_id, screening) -> bool:
    """A screening's notes stay with the organisation that screened; others see the assessment."""
    return organisation_id is not None and organisation_id == screening.organisation_id
