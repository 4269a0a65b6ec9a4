"""Who may do what with activities. An activity is directory data: the whole network reads it; the
organisation's admins and caseworkers (the roles that manage its directory) write it. The
capability is the organisations app's `manage_directory`, not a new one, so that the roles keep
one meaning across facilities, coverage and activities."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organisations.permissions import MANAGE_DIRECTORY, is_network_user, organisations_with

ACTIVITY_DENIED = _("Only the organisation's admins and caseworkers may change its activities.")


def organisations_recording_activities(user) -> frozenset:
    """Ids of the organisations whose activities the user records (their own, as admin or caseworker)."""
    return organisations_with(user, MANAGE_DIRECTORY)


def restrict_activities(queryset: QuerySet, user, action: str) -> QuerySet:
    """view: every member of the network and platform staff; add, change, delete: the owning
    organisation's admins and caseworkers (platform staff run the network, not its activities)."""
    if action == "view":
        return queryset if is_network_user(user) else queryset.none()
    if action in {"add", "change", "delete"}:
        return queryset.filter(organisation_id__in=organisations_recording_activities(user))
    raise ValueError(f"unknown action {action!r}")


def may_record_activities(user) -> bool:
    return bool(organisations_recording_activities(user))


def require_record_activities(user) -> None:
    if not may_record_activities(user):
        raise PermissionDenied(ACTIVITY_DENIED)
