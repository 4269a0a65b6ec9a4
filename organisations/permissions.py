"""The one place where organisation permissions are granted and revoked.

Each organisation has one auth group per role; capabilities are guardian object permissions on
the organisation, held by those groups (never by single users). A member's rights follow from the
group their membership puts them in, so changing a role or removing a member is one group change."""

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from .models import Membership, Organisation, Role, RoleGroup

MANAGE_MEMBERS = "organisations.manage_members"
MANAGE_DIRECTORY = "organisations.manage_directory"
VIEW_CONFIDENTIAL_LOCATIONS = "organisations.view_confidential_locations"
ACT_FOR_ORGANISATION = "organisations.act_for_organisation"
CHANGE_ORGANISATION = "organisations.change_organisation"

ROLE_CAPABILITIES: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (
        CHANGE_ORGANISATION,
        MANAGE_MEMBERS,
        MANAGE_DIRECTORY,
        VIEW_CONFIDENTIAL_LOCATIONS,
        ACT_FOR_ORGANISATION,
    ),
    Role.CASEWORKER: (MANAGE_DIRECTORY, VIEW_CONFIDENTIAL_LOCATIONS, ACT_FOR_ORGANISATION),
    Role.VIEWER: (VIEW_CONFIDENTIAL_LOCATIONS,),
}


def is_platform_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


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


def groups_of(*, organisation: Organisation, roles: tuple[str, ...] | None = None) -> list[Group]:
    queryset = RoleGroup.objects.filter(organisation=organisation).select_related("group")
    if roles is not None:
        queryset = queryset.filter(role__in=roles)
    return [role_group.group for role_group in queryset]


def membership_groups_sync(*, membership: Membership) -> None:
    """Put the member in exactly the group of their role in their organisation."""
    user = membership.user
    role_group_ids = RoleGroup.objects.values_list("group_id", flat=True)
    user.groups.remove(*user.groups.filter(pk__in=role_group_ids))
    user.groups.add(role_group(organisation=membership.organisation, role=membership.role))


def membership_groups_clear(*, membership: Membership) -> None:
    user = membership.user
    user.groups.remove(*user.groups.filter(role_group__organisation=membership.organisation))
