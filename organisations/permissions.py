"""The one place where organisation permissions are granted, revoked and checked.

Each organisation has one auth group per role; capabilities are guardian object permissions on
the organisation, held by those groups (never by single users). A member's rights follow from the
group their membership puts them in, so changing a role or removing a member is one group change.

Checks come in two shapes: `restrict_*(queryset, user, action)` behind each model's
`QuerySet.restrict(user, action)` (what the user may see or act on), and named checks
(`may_<capability>` answering a bool, `require_<capability>` raising PermissionDenied)."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy
from guardian.shortcuts import assign_perm

from .models import Membership, Organisation, Role, RoleGroup
from .selectors import membership_of, organisation_ids_with_permission

MANAGE_MEMBERS = "organisations.manage_members"
MANAGE_DIRECTORY = "organisations.manage_directory"
VIEW_CONFIDENTIAL_LOCATIONS = "organisations.view_confidential_locations"
ACT_FOR_ORGANISATION = "organisations.act_for_organisation"
CHANGE_ORGANISATION = "organisations.change_organisation"
MANAGE_WEBHOOKS = "organisations.manage_webhooks"

ROLE_CAPABILITIES: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (
        CHANGE_ORGANISATION,
        MANAGE_MEMBERS,
        MANAGE_DIRECTORY,
        VIEW_CONFIDENTIAL_LOCATIONS,
        ACT_FOR_ORGANISATION,
        MANAGE_WEBHOOKS,
    ),
    Role.CASEWORKER: (MANAGE_DIRECTORY, VIEW_CONFIDENTIAL_LOCATIONS, ACT_FOR_ORGANISATION),
    Role.VIEWER: (VIEW_CONFIDENTIAL_LOCATIONS,),
}

# Grants ---------------------------------------------------------------------------------------


def role_groups_create(*, organisation: Organisation) -> dict[str, Group]:
    """Create the organisation's role groups and grant each its capabilities."""
    groups = {}
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=f"organisation:{organisation.pk}:{role}")
        RoleGroup.objects.get_or_create(organisation=organisation, role=role, defaults={"group": group})
        for capability in capabilities:
            assign_perm(capability, group, organisation)
        groups[role] = group
    return groups


def role_group(*, organisation: Organisation, role: str) -> Group:
    return RoleGroup.objects.select_related("group").get(organisation=organisation, role=role).group


def membership_groups_sync(*, membership: Membership) -> None:
    """Put the member in exactly the group of their role in their organisation."""
    user = membership.user
    role_group_ids = RoleGroup.objects.values_list("group_id", flat=True)
    user.groups.remove(*user.groups.filter(pk__in=role_group_ids))
    user.groups.add(role_group(organisation=membership.organisation, role=membership.role))


def membership_groups_clear(*, membership: Membership) -> None:
    user = membership.user
    user.groups.remove(*user.groups.filter(role_group__organisation=membership.organisation))


# Who is who -----------------------------------------------------------------------------------


def is_platform_admin(user) -> bool:
    """Platform administrators run the network (onboarding, verification, the taxonomy)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def is_network_user(user) -> bool:
    """A member of an organisation in the network, or a platform administrator."""
    return bool(user and user.is_authenticated and (is_platform_admin(user) or membership_of(user) is not None))


def organisations_with(user, capability: str) -> frozenset:
    """Ids of the organisations on which the user's role holds `capability`."""
    return organisation_ids_with_permission(user, capability)


def exact_locations_for(user) -> frozenset:
    """Ids of the organisations whose shelters the user sees at their exact place (their own)."""
    return organisations_with(user, VIEW_CONFIDENTIAL_LOCATIONS)


# restrict(user, action) -----------------------------------------------------------------------

# Organisation actions that are a capability on the organisation itself. Platform administrators
# hold those that run the network (editing any entry, onboarding any organisation's members); the
# directory, referrals and webhooks stay the organisation's own.
ORGANISATION_CAPABILITY_OF_ACTION = {
    "change": CHANGE_ORGANISATION,
    "manage_members": MANAGE_MEMBERS,
    "manage_directory": MANAGE_DIRECTORY,
    "view_confidential_locations": VIEW_CONFIDENTIAL_LOCATIONS,
    "act_for_organisation": ACT_FOR_ORGANISATION,
    "manage_webhooks": MANAGE_WEBHOOKS,
}
PLATFORM_ADMIN_ACTIONS = frozenset({"view", "view_members", "add", "change", "manage_members"})


def _unknown(action: str):
    raise ValueError(f"unknown action {action!r}")


def restrict_organisations(queryset: QuerySet, user, action: str) -> QuerySet:
    """view: the directory is open to the network; view_members: one's own organisation; add:
    platform administrators; change and the capabilities: where the user's role holds them.
    Organisations are never deleted."""
    if action in PLATFORM_ADMIN_ACTIONS and is_platform_admin(user):
        return queryset
    if action == "view":
        return queryset if is_network_user(user) else queryset.none()
    if action == "view_members":
        membership = membership_of(user)
        return queryset.filter(pk=membership.organisation_id) if membership else queryset.none()
    if action in {"add", "delete"}:
        return queryset.none()
    if action in ORGANISATION_CAPABILITY_OF_ACTION:
        return queryset.filter(pk__in=organisations_with(user, ORGANISATION_CAPABILITY_OF_ACTION[action]))
    return _unknown(action)


def restrict_memberships(queryset: QuerySet, user, action: str) -> QuerySet:
    """view: the members of one's own organisation (platform administrators: anyone's); add,
    change, delete: where the user manages members (platform administrators: anywhere)."""
    if is_platform_admin(user):
        return queryset
    if action == "view":
        membership = membership_of(user)
        return queryset.filter(organisation_id=membership.organisation_id) if membership else queryset.none()
    if action in {"add", "change", "delete"}:
        return queryset.filter(organisation_id__in=organisations_with(user, MANAGE_MEMBERS))
    return _unknown(action)


def restrict_directory(queryset: QuerySet, user, action: str) -> QuerySet:
    """Facilities and coverage. view: the whole network reads the directory (a shelter's exact
    place is another matter: facility_location_shown); add, change, delete, update_capacity (a
    facility's free beds): the organisations whose directory the user manages (admins and
    caseworkers)."""
    if action == "view":
        return queryset if is_network_user(user) else queryset.none()
    if action in {"add", "change", "delete", "update_capacity"}:
        return queryset.filter(organisation_id__in=organisations_with(user, MANAGE_DIRECTORY))
    return _unknown(action)


def restrict_service_types(queryset: QuerySet, user, action: str) -> QuerySet:
    """The taxonomy: read by the network, changed only in the admin site."""
    if action == "view":
        return queryset if is_network_user(user) else queryset.none()
    if action in {"add", "change", "delete"}:
        return queryset.none()
    return _unknown(action)


# Named checks ---------------------------------------------------------------------------------


def may_register_organisation(user) -> bool:
    return is_platform_admin(user)


def require_register_organisation(user) -> None:
    if not may_register_organisation(user):
        raise PermissionDenied(gettext("Only platform administrators may register organisations."))


def may_verify(user) -> bool:
    """Verification vets an organisation for the network: platform administrators only."""
    return is_platform_admin(user)


def require_verify(user) -> None:
    if not may_verify(user):
        raise PermissionDenied(gettext("Only platform administrators may verify an organisation."))


def require_set_focal_point(user) -> None:
    """National focal points for returns are designated by platform administrators only."""
    if not is_platform_admin(user):
        raise PermissionDenied("focal_point: only platform administrators may designate a national focal point.")


def may_manage_members(user, organisation: Organisation) -> bool:
    return Organisation.objects.restrict(user, "manage_members").filter(pk=organisation.pk).exists()


def require_manage_members(user, organisation: Organisation) -> None:
    if not may_manage_members(user, organisation):
        raise PermissionDenied(gettext("Only the organisation's admins may manage its members."))


def require_remove_member(user, membership: Membership) -> None:
    """An admin may not remove themselves: the organisation would risk losing its last admin."""
    if membership.user_id == user.pk:
        raise PermissionDenied(gettext("You cannot remove yourself; ask another admin."))


DIRECTORY_DENIED = gettext_lazy("Only the owning organisation's admins and caseworkers may change this.")


def may_manage_directory(user) -> bool:
    """Whether the user manages the directory of any organisation (theirs)."""
    return bool(organisations_with(user, MANAGE_DIRECTORY))


def require_manage_directory(user) -> None:
    if not may_manage_directory(user):
        raise PermissionDenied(DIRECTORY_DENIED)


def may_manage_webhooks(user) -> bool:
    """The user is an admin of their organisation, whose role holds manage_webhooks on it."""
    membership = membership_of(user)
    return membership is not None and membership.organisation_id in organisations_with(user, MANAGE_WEBHOOKS)


# Identification of victims: a competence platform administrators give an organisation
# (Organisation.identifies_victims); its admins and caseworkers then hold the capability.
IDENTIFY_VICTIMS = "identify_victims"
IDENTIFIES_VICTIMS_DENIED = "Only platform administrators may set identifies_victims."


def require_set_identifies_victims(user) -> None:
    """Marking an organisation competent to identify victims: platform administrators only."""
    if not is_platform_admin(user):
        raise PermissionDenied(IDENTIFIES_VICTIMS_DENIED)


def may_identify_victims(user) -> bool:
    """The user is an admin or caseworker of an organisation competent to identify victims."""
    membership = membership_of(user)
    return bool(
        membership is not None
        and membership.organisation.identifies_victims
        and membership.organisation_id in organisations_with(user, ACT_FOR_ORGANISATION)
    )


def require_identify_victims(user) -> None:
    if not may_identify_victims(user):
        raise PermissionDenied(
            "Only admins and caseworkers of an organisation competent to identify victims (identify_victims) "
            "may record an identification decision."
        )


# The analysts' permission is the referrals app's (their group holds it); it is read here by name,
# so that organisations imports nothing of referrals.
VIEW_ALL_STATISTICS = "referrals.view_all_statistics"


def may_read_capacity_statistics(user) -> bool:
    """Occupancy over time (free beds per country): platform administrators and analysts. Exact
    figures: beds are organisational data, not about persons."""
    return is_platform_admin(user) or bool(user and user.is_authenticated and user.has_perm(VIEW_ALL_STATISTICS))


def require_read_capacity_statistics(user) -> None:
    if not may_read_capacity_statistics(user):
        raise PermissionDenied(gettext("Capacity statistics are for platform administrators and analysts."))


# The console's pages (issue 12): the same rules, as the questions its pages ask ---------------


def require_membership(user) -> Membership:
    """An organisation's own pages (its facilities, coverage, members, webhooks) are for its
    members; platform administrators and analysts belong to none."""
    membership = membership_of(user)
    if membership is None:
        raise PermissionDenied("These pages are for members of an organisation.")
    return membership


def require_network_user(user) -> None:
    """The directory (the map) is open to the network: members and platform administrators."""
    if not is_network_user(user):
        raise PermissionDenied("The directory is for members of the network.")


def may_manage_directory_of(user, organisation: Organisation) -> bool:
    """Whether the user changes the organisation's facilities and coverage (free beds included)."""
    return organisation.pk in organisations_with(user, MANAGE_DIRECTORY)


def require_manage_directory_of(user, organisation: Organisation) -> None:
    if not may_manage_directory_of(user, organisation):
        raise PermissionDenied(DIRECTORY_DENIED)


def require_manage_webhooks(user) -> None:
    if not may_manage_webhooks(user):
        raise PermissionDenied("Only an organisation's admins manage its webhooks.")
