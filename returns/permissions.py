"""Who may do what with a return case, in one place.

Two parties read a return: the origin (the organisation that opened it, any role) and the
destination's national focal points (verified organisations marked `focal_point`, based in the
destination country, any role). Access is computed from those facts rather than granted, so a
focal point designated later sees the returns already under way, and one that loses the mark
stops seeing them. Platform administrators run the network, not cases: they read none.

Acting takes an admin or a caseworker (viewers read only). The steps:

| step                                                        | who                      |
| ----------------------------------------------------------- | ------------------------ |
| requested -> assessing -> travel_arranged -> handed_over    | a destination focal point |
| handed_over -> reintegration -> closed                      | a destination focal point |
| -> cancelled (from any status not final)                    | the origin or a focal point |
| record a follow-up (3, 6, 12 months after the hand-over)    | a destination focal point |

The destination receives the person: it reads the profile, needs, consent and the return's own
timeline, never the referral (its id, notes or timeline) and never a note written by the origin.
The origin reads everything of the return (progress, follow-ups and their notes) and its referral.

Order of answers, as for referrals: 404 (cannot read), 403 (a viewer), 409 (the state), 403 (the
other party's step)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.permissions import ACT_FOR_ORGANISATION
from organisations.selectors import has_organisation_permission, membership_of

from .models import ReturnCase, ReturnStatus

DESTINATION_STEPS = frozenset({
    ReturnStatus.ASSESSING, ReturnStatus.TRAVEL_ARRANGED, ReturnStatus.HANDED_OVER,
    ReturnStatus.REINTEGRATION, ReturnStatus.CLOSED,
})
EITHER_PARTY_STEPS = frozenset({ReturnStatus.CANCELLED})


def _organisation(user) -> Organisation | None:
    membership = membership_of(user)
    return membership.organisation if membership else None


def is_focal_point_for(organisation: Organisation | None, country: str) -> bool:
    return bool(organisation and organisation.focal_point and organisation.verified and organisation.country == country)


def restrict_returns(queryset: QuerySet[ReturnCase], user, action: str = "view") -> QuerySet[ReturnCase]:
    """view: the returns the user's organisation opened, and, for a verified focal point, those
    to its country. Every other action is a named check below, after a read."""
    if action != "view":
        raise ValueError(f"no such action on returns: {action!r}")
    organisation = _organisation(user) if user.is_authenticated and user.is_active else None
    if organisation is None:
        return queryset.none()
    readable = Q(origin_organisation=organisation)
    if organisation.focal_point and organisation.verified:
        readable |= Q(destination_country=organisation.country)
    return queryset.filter(readable)


@dataclass(frozen=True)
class Party:
    """The caller's organisation and its side(s) of one return."""

    organisation: Organisation
    origin: bool
    destination: bool


def party_of(user, case: ReturnCase) -> Party | None:
    organisation = _organisation(user)
    if organisation is None:
        return None
    return Party(organisation=organisation, origin=organisation.pk == case.origin_organisation_id,
                 destination=is_focal_point_for(organisation, case.destination_country))


def require_acting_party(user, case: ReturnCase) -> Party:
    """403 unless the user is an admin or caseworker of one of the return's parties."""
    party = party_of(user, case)
    if party is None or not (party.origin or party.destination):
        raise PermissionDenied(_("Only the return's origin and the destination's focal points act on it."))
    if not has_organisation_permission(user, ACT_FOR_ORGANISATION, party.organisation.pk):
        raise PermissionDenied(_("Viewers read returns; only admins and caseworkers act on them."))
    return party


def require_may_move_to(party: Party, to: str) -> None:
    if to in EITHER_PARTY_STEPS:
        return
    if to in DESTINATION_STEPS and party.destination:
        return
    raise PermissionDenied(_("Only a national focal point of the destination takes this step."))


def require_may_record_follow_up(party: Party) -> None:
    if not party.destination:
        raise PermissionDenied(_("Only a national focal point of the destination records follow-ups."))


def sees_referral(organisation_id, case: ReturnCase) -> bool:
    """The referral behind a return (its id) is the origin's: the destination never learns it."""
    return organisation_id is not None and organisation_id == case.origin_organisation_id


def sees_note(organisation_id, case: ReturnCase, author_organisation_id) -> bool:
    """A note on the return's timeline or a follow-up: the origin reads every note; the
    destination reads its own side's, never the origin's."""
    return sees_referral(organisation_id, case) or author_organisation_id != case.origin_organisation_id


def sees_actor(organisation_id, event) -> bool:
    """The member who acted is named to the member's own organisation only (as on referrals)."""
    return bool(event.actor_id) and event.organisation_id == organisation_id


def audience_of(case: ReturnCase) -> list:
    """The organisations that may read the return now (its webhooks go to them)."""
    focal_points = Organisation.objects.filter(
        focal_point=True, verified=True, country=case.destination_country
    ).values_list("pk", flat=True)
    return list(dict.fromkeys([case.origin_organisation_id, *focal_points]))


def organisation_may_read(case: ReturnCase, organisation_id) -> bool:
    return organisation_id in audience_of(case)
