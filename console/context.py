"""Who is signed in, for the console's navigation: the organisation and role on every page."""

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from organisations.permissions import is_platform_admin
from organisations.selectors import membership_of
from referrals.permissions import may_submit, reads_all_statistics


def _describe(user) -> dict:
    if not user.is_authenticated:
        return {}
    membership = membership_of(user)
    if membership is not None:
        organisation, role = membership.organisation.name, membership.get_role_display()
    elif is_platform_admin(user):
        organisation, role = _("The platform"), _("Platform administrator")
    elif reads_all_statistics(user):
        organisation, role = _("The platform"), _("Analyst")
    else:
        organisation, role = _("No organisation"), _("No role")
    return {"organisation": organisation, "role": role, "may_submit": may_submit(user),
            "member": membership is not None}


def console_nav(request) -> dict:
    """Lazy: pages that show no navigation (the API's, the admin's) pay nothing."""
    return {"console_nav": SimpleLazyObject(lambda: _describe(request.user))}
