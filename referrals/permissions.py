"""The one place where referral permissions are granted and revoked.

Rights on a referral are guardian object permissions held by the role groups of organisations
(never single users), in the direct foreign-key table. Every role of an organisation that may see
a referral gets `view_referral`; only admins and caseworkers get the rights to act on it."""

from django.contrib.auth.models import Permission

from organisations.models import Organisation, Role, RoleGroup

from .models import Referral, ReferralGroupObjectPermission

VIEW = "view_referral"
MANAGE = "manage_referral"
RESPOND = "respond_to_offer"
RECORD = "record_outcome"
ACTING_ROLES = (Role.ADMIN, Role.CASEWORKER)

# The grant rules: codename -> the roles that receive it (None: every role). Acceptance also
# revokes the offer's RESPOND.
SUBMITTER_GRANTS: dict[str, tuple[str, ...] | None] = {VIEW: None, MANAGE: ACTING_ROLES}
OFFER_GRANTS: dict[str, tuple[str, ...] | None] = {VIEW: None, RESPOND: ACTING_ROLES}
ACCEPTANCE_GRANTS: dict[str, tuple[str, ...] | None] = {RECORD: ACTING_ROLES}


def _grant(referral: Referral, organisation: Organisation, grants: dict[str, tuple[str, ...] | None]) -> None:
    """grants: codename -> roles that receive it (None: every role). Three queries, however many."""
    permissions = dict(
        Permission.objects.filter(content_type__app_label="referrals", codename__in=grants).values_list(
            "codename", "pk"
        )
    )
    groups = RoleGroup.objects.filter(organisation=organisation).values_list("role", "group_id")
    ReferralGroupObjectPermission.objects.bulk_create(
        [
            ReferralGroupObjectPermission(
                content_object=referral, group_id=group_id, permission_id=permissions[codename],
                referral_created=referral.created,
            )
            for codename, roles in grants.items()
            for role, group_id in groups
            if roles is None or role in roles
        ],
        ignore_conflicts=True,
    )


def _revoke(referral: Referral, organisation: Organisation, codenames: list[str] | None = None) -> None:
    grants = ReferralGroupObjectPermission.objects.filter(
        content_object=referral, group__role_group__organisation=organisation
    )
    if codenames is not None:
        grants = grants.filter(permission__in=Permission.objects.filter(
            content_type__app_label="referrals", codename__in=codenames
        ))
    grants.delete()


def grant_submitter(referral: Referral) -> None:
    _grant(referral, referral.submitting_organisation, {VIEW: None, MANAGE: ACTING_ROLES})


def grant_offer(referral: Referral, organisation: Organisation) -> None:
    _grant(referral, organisation, {VIEW: None, RESPOND: ACTING_ROLES})


def grant_acceptance(referral: Referral, organisation: Organisation) -> None:
    _revoke(referral, organisation, [RESPOND])
    _grant(referral, organisation, {RECORD: ACTING_ROLES})


def revoke_organisation(referral: Referral, organisation: Organisation) -> None:
    """The organisation loses every right on the referral (declined, lapsed or expired offer)."""
    _revoke(referral, organisation)
