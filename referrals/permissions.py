"""Who may do what with a referral: the grants and the checks, in one place.

Rights on a referral are guardian object permissions held by the role groups of organisations
(never single users), in the direct foreign-key table. Every role of an organisation that may see
a referral gets `view_referral`; only admins and caseworkers get the rights to act on it:

- the submitting organisation: `manage_referral` (route, update, withdraw, withdraw consent);
- an organisation holding an open offer: `respond_to_offer` (accept, decline);
- the accepting organisation: `record_outcome` (outcomes, close).

The services grant and revoke them in the same transaction as the change that causes it. Reads go
through `Referral.objects.restrict(user, action)`; the services call the named checks below."""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.models import Organisation, Role, RoleGroup
from organisations.permissions import ACT_FOR_ORGANISATION, is_platform_admin
from organisations.selectors import has_organisation_permission, membership_of

from .models import Referral, ReferralGroupObjectPermission, Status

VIEW = "view_referral"
MANAGE = "manage_referral"
RESPOND = "respond_to_offer"
RECORD = "record_outcome"
ACTING_ROLES = (Role.ADMIN, Role.CASEWORKER)
ACTING = frozenset({MANAGE, RESPOND, RECORD})
VIEW_ALL_STATISTICS = "referrals.view_all_statistics"

# The grant rules: codename -> roles of the organisation's groups that receive it (None: every role).
SUBMITTER_GRANTS: dict[str, tuple[str, ...] | None] = {VIEW: None, MANAGE: ACTING_ROLES}
OFFER_GRANTS: dict[str, tuple[str, ...] | None] = {VIEW: None, RESPOND: ACTING_ROLES}
ACCEPTANCE_GRANTS: dict[str, tuple[str, ...] | None] = {RECORD: ACTING_ROLES}  # on top of the offer's view

# `restrict(user, action)`: the action names (the HTTP ones and those of the lifecycle) and the
# capability each needs.
ACTION_CODENAMES = {
    "view": VIEW,
    "change": MANAGE,
    "manage": MANAGE,
    "route": MANAGE,
    "withdraw": MANAGE,
    "respond": RESPOND,
    "accept": RESPOND,
    "decline": RESPOND,
    "record": RECORD,
    "close": RECORD,
    **{codename: codename for codename in (VIEW, MANAGE, RESPOND, RECORD)},
}


# --- grants ---------------------------------------------------------------------------------------

def _grant(referral: Referral, organisation: Organisation, grants: dict[str, tuple[str, ...] | None]) -> None:
    """Three queries, however many grants."""
    permission_ids = dict(
        Permission.objects.filter(content_type__app_label="referrals", codename__in=grants).values_list(
            "codename", "pk"
        )
    )
    groups = RoleGroup.objects.filter(organisation=organisation).values_list("role", "group_id")
    ReferralGroupObjectPermission.objects.bulk_create(
        [
            ReferralGroupObjectPermission(
                content_object=referral, group_id=group_id, permission_id=permission_ids[codename],
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
    _grant(referral, referral.submitting_organisation, SUBMITTER_GRANTS)


def grant_offer(referral: Referral, organisation: Organisation) -> None:
    _grant(referral, organisation, OFFER_GRANTS)


def grant_acceptance(referral: Referral, organisation: Organisation) -> None:
    _revoke(referral, organisation, [RESPOND])
    _grant(referral, organisation, ACCEPTANCE_GRANTS)


def revoke_organisation(referral: Referral, organisation: Organisation) -> None:
    """The organisation loses every right on the referral (declined, lapsed or expired offer)."""
    _revoke(referral, organisation)


# --- reads ----------------------------------------------------------------------------------------

# The ids of the referral permissions, once per process: a permission's row never changes while
# the schema stands, and post_migrate (which a flush also sends) empties the cache, since the rows
# may then be made again under other ids. Who holds them is never cached beyond the request, so a
# revoked grant or a member moved out of a group takes effect at once.
_PERMISSION_IDS: dict[str, int] = {}


def forget_permission_ids(**kwargs) -> None:
    _PERMISSION_IDS.clear()


def _permission_id(codename: str) -> int | None:
    if codename not in _PERMISSION_IDS:
        found = (Permission.objects.filter(content_type__app_label="referrals", codename=codename)
                 .values_list("pk", flat=True).first())
        if found is None:
            return None  # not made yet (before the first migrate): asked again next time
        _PERMISSION_IDS[codename] = found
    return _PERMISSION_IDS[codename]


def _grant_key(user, codename: str) -> tuple[list[int], int | None]:
    """(the user's group ids, read once per request and cached on the user; the id of the permission)."""
    cache = user.__dict__.setdefault("_referral_grant_key", {})
    if "groups" not in cache:
        cache["groups"] = list(user.groups.values_list("pk", flat=True))
    return cache["groups"], _permission_id(codename)


def restrict_referrals(queryset: QuerySet[Referral], user, action: str = "view") -> QuerySet[Referral]:
    """The referrals of `queryset` on which the user's organisation holds the capability `action`
    needs (`view`: submitted by it, offered to it while the offer stands, or accepted by it).
    Platform administrators hold none: they run the network, not cases.

    Read through the grants themselves: each grant row carries the referral's creation time and
    is indexed on (group, permission, created), so the newest page is an index walk, whatever the
    size of the table. `access_created` (equal to `created`) is the ordering key that uses it."""
    try:
        codename = ACTION_CODENAMES[action]
    except KeyError:
        raise ValueError(f"no such action on referrals: {action!r}") from None
    nothing = queryset.none().annotate(access_created=F("created"))
    if not user.is_authenticated or not user.is_active:
        return nothing
    group_ids, permission_id = _grant_key(user, codename)
    if not group_ids or permission_id is None:
        return nothing
    return queryset.filter(
        referralgroupobjectpermission__group_id__in=group_ids,
        referralgroupobjectpermission__permission_id=permission_id,
    ).annotate(access_created=F("referralgroupobjectpermission__referral_created"))


def capabilities_on(user, referral: Referral) -> frozenset[str]:
    """The codenames the user holds on this referral through their organisation's groups."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(
        ReferralGroupObjectPermission.objects.filter(group__user=user, content_object=referral)
        .values_list("permission__codename", flat=True)
    )


def organisation_of(user) -> Organisation | None:
    """The organisation the user acts for (their membership's), if any."""
    membership = membership_of(user)
    return membership.organisation if membership else None


def is_submitter_member(user, referral: Referral) -> bool:
    """Is the user a member (any role) of the organisation that submitted the referral?"""
    organisation = organisation_of(user)
    return organisation is not None and organisation.pk == referral.submitting_organisation_id


# --- checks ---------------------------------------------------------------------------------------
#
# The order every service keeps: the view has answered 404 if the caller's organisation cannot see
# the referral. Then, before the row lock, the caller's capabilities are read once and a viewer is
# refused (403): a viewer may read but never act. After the lock, the service checks the state
# first (409 with the current status), then the capability the action needs, from what was read
# before the lock (403: another party acts in this state). So the loser of a race gets 409 even
# though the winner has revoked its rights meanwhile.

@dataclass(frozen=True)
class Rights:
    """What one user may do with one referral, read once (before the row lock)."""

    organisation: Organisation
    capabilities: frozenset[str]


def require_acting_role(user, referral: Referral, capabilities: frozenset[str] | None = None) -> Rights:
    """403 unless the user's role acts on referrals. Every organisation that sees a referral has
    its admins and caseworkers hold an acting capability on it; a viewer holds `view_referral` only.
    `capabilities`: capabilities_on(user, referral), when the caller has read them already."""
    capabilities = capabilities_on(user, referral) if capabilities is None else capabilities
    if not ACTING & capabilities:
        raise PermissionDenied(_("Viewers read referrals; only admins and caseworkers act on them."))
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied(_("Only members of an organisation may act on referrals."))
    return Rights(organisation=organisation, capabilities=capabilities)


def require_capability(rights: Rights, codename: str, message: str) -> None:
    if codename not in rights.capabilities:
        raise PermissionDenied(message)


def require_manage_referral(rights: Rights) -> None:
    """Route, update, withdraw, withdraw consent: the submitting organisation."""
    require_capability(rights, MANAGE, _("Only the submitting organisation does this."))


def require_respond_to_offer(rights: Rights, verb: str = "respond to") -> None:
    """Accept or decline: an organisation holding an open offer."""
    refusals = {
        "accept": _("Only an organisation holding an offer can accept it."),
        "decline": _("Only an organisation holding an offer can decline it."),
    }
    require_capability(
        rights, RESPOND, refusals.get(verb) or _("Only an organisation holding an offer can respond to it."))


def require_record_outcome(rights: Rights) -> None:
    """Record outcomes, close: the accepting organisation."""
    require_capability(rights, RECORD, _("Only the accepting organisation does this."))


def require_may_refer_onward(rights: Rights) -> None:
    """Refer onward (issue 14): the accepting organisation, which knows the person's further needs."""
    require_capability(rights, RECORD, "Only the accepting organisation refers a referral onward.")


def require_may_open_return(rights: Rights) -> None:
    """Open a return case (issue 14): the submitting or the accepting organisation."""
    if not {MANAGE, RECORD} & rights.capabilities:
        raise PermissionDenied("Only the submitting or the accepting organisation opens a return.")


# What the parties of a parent see of each child (the parent's `children`): its progress, never its
# notes, offers or timeline, the child being another organisation's case. The child's receivers
# see the parent's id and profile (the same person), never the parent's notes or timeline: those
# stay behind the parent's own grants, which they do not hold.
CHILD_FIELDS_SEEN_THROUGH_PARENT = ("id", "status", "needs", "accepted_by", "outcomes")


def require_verified(organisation: Organisation) -> None:
    if not organisation.verified:
        raise PermissionDenied(_("Your organisation is not verified yet."))


def require_may_submit(user) -> Organisation:
    """403 unless the user is an admin or caseworker of a verified organisation; returns it."""
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied(_("Only members of an organisation may act on referrals."))
    require_verified(organisation)
    if not has_organisation_permission(user, ACT_FOR_ORGANISATION, organisation.pk):
        raise PermissionDenied(_("Only admins and caseworkers may submit referrals."))
    return organisation


def require_may_record(user, referral: Referral) -> None:
    """403 unless the user acts for the organisation that accepted the referral (any state)."""
    require_record_outcome(require_acting_role(user, referral))


MATCHES_ARE_THE_SUBMITTERS = gettext_lazy("Only the submitting organisation sees the matches.")


def may_see_matches(user, referral: Referral) -> bool:
    """Only the submitting organisation sees the candidates: candidates minus those already offered
    would tell an offered organisation who else was."""
    return is_submitter_member(user, referral)


def require_sees_matches(user, referral: Referral) -> None:
    if not may_see_matches(user, referral):
        raise PermissionDenied(MATCHES_ARE_THE_SUBMITTERS)


def sees_every_party(organisation_id, referral: Referral) -> bool:
    """The submitter sees every organisation involved in its referral (offers, declines, the case
    key, duplicates); any other organisation only itself: an offered organisation never learns
    who else was offered (referrals.selectors.events_visible_to, offers_visible_to)."""
    return organisation_id is not None and organisation_id == referral.submitting_organisation_id


def sees_actor(organisation_id, event) -> bool:
    """The member who acted is named to the member's own organisation only."""
    return bool(event.actor_id) and event.organisation_id == organisation_id


# --- statistics -----------------------------------------------------------------------------------

def reads_all_statistics(user) -> bool:
    """Analysts and platform administrators read statistics over every referral."""
    return is_platform_admin(user) or user.has_perm(VIEW_ALL_STATISTICS)


def statistics_organisation(user) -> Organisation:
    """The organisation whose referrals a reader who is not an analyst reads statistics over (403
    for a user who is neither an analyst nor a member)."""
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied(_("Statistics are for analysts and members of an organisation."))
    return organisation


# --- what a person's screen offers (the console) --------------------------------------------------
#
# Booleans for pages, computed here so that no template decides a permission. They say which
# actions to offer; the services still decide (state under the row lock, then the capability).

def may_submit(user) -> bool:
    try:
        require_may_submit(user)
    except PermissionDenied:
        return False
    return True


@dataclass(frozen=True)
class ReferralActions:
    """The actions the user's organisation and role hold on one referral in its current state."""

    route: bool
    respond: bool
    withdraw: bool
    withdraw_consent: bool
    record: bool
    see_matches: bool

    @property
    def any(self) -> bool:
        return self.route or self.respond or self.withdraw or self.withdraw_consent or self.record


def may_act_on(user, referral: Referral) -> ReferralActions:
    capabilities = capabilities_on(user, referral)
    manage, status = MANAGE in capabilities, referral.status
    open_statuses = (Status.SUBMITTED, Status.OFFERED, Status.ACCEPTED, Status.IN_PROGRESS)
    return ReferralActions(
        route=manage and status in (Status.SUBMITTED, Status.OFFERED),
        respond=RESPOND in capabilities and status == Status.OFFERED,
        withdraw=manage and status in open_statuses,
        withdraw_consent=manage and referral.consent_withdrawn is None,
        record=RECORD in capabilities and status in (Status.ACCEPTED, Status.IN_PROGRESS),
        see_matches=may_see_matches(user, referral) and status in (Status.SUBMITTED, Status.OFFERED),
    )
