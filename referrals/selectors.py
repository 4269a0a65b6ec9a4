"""Reads of referrals, always restricted to what the user's organisation may see."""

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from organisations.models import Organisation
from organisations.selectors import ProviderMatch, membership_of, provider_search

from .models import CHILD_AGE_BANDS, AgeBand, ProfileGender, Referral, ReferralEvent, ReferralGroupObjectPermission
from .permissions import VIEW


def _grants_of(user) -> QuerySet[ReferralGroupObjectPermission]:
    return ReferralGroupObjectPermission.objects.filter(group__user=user)


def _view_grant_key(user) -> tuple[list[int], int | None]:
    """(the user's group ids, the id of view_referral), read once per request."""
    if "_referral_view_grant_key" not in user.__dict__:
        from django.contrib.auth.models import Permission

        permission_id = (
            Permission.objects.filter(content_type__app_label="referrals", codename=VIEW)
            .values_list("pk", flat=True).first()
        )
        user.__dict__["_referral_view_grant_key"] = (list(user.groups.values_list("pk", flat=True)), permission_id)
    return user.__dict__["_referral_view_grant_key"]


def referral_list_for(user) -> QuerySet[Referral]:
    """The referrals the user's organisation may see: submitted by it, offered to it while the
    offer stands, or accepted by it. Platform administrators see none: they run the network,
    not cases.

    Read through the grants themselves: each grant row carries the referral's creation time and
    is indexed on (group, permission, created), so the newest page is an index walk, whatever the
    size of the table. `access_created` (equal to `created`) is the ordering key that uses it."""
    nothing = Referral.objects.none().annotate(access_created=F("created"))
    if not user.is_authenticated or not user.is_active:
        return nothing
    group_ids, permission_id = _view_grant_key(user)
    if not group_ids or permission_id is None:
        return nothing
    return Referral.objects.filter(
        referralgroupobjectpermission__group_id__in=group_ids,
        referralgroupobjectpermission__permission_id=permission_id,
    ).annotate(access_created=F("referralgroupobjectpermission__referral_created"))


OPEN = ("submitted", "offered", "accepted", "in_progress")


def with_duplicate_hint(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotate `possible_duplicate_of`: the oldest other open referral of the same person (same
    subject hash) by the same organisation, so that one person is not routed twice."""
    twins = (
        Referral.objects.filter(
            submitting_organisation=OuterRef("submitting_organisation"),
            subject_hash=OuterRef("subject_hash"),
            status__in=OPEN,
        )
        .exclude(pk=OuterRef("pk"))
        .exclude(subject_hash="")
        .order_by("created")
        .values("pk")[:1]
    )
    return queryset.annotate(possible_duplicate_of=Subquery(twins))


def referral_capabilities(user, referral: Referral) -> frozenset[str]:
    """The codenames the user holds on this referral through their organisation's groups."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(
        _grants_of(user).filter(content_object=referral).values_list("permission__codename", flat=True)
    )


def acting_organisation(user) -> Organisation | None:
    membership = membership_of(user)
    return membership.organisation if membership else None


def age_group_of(age_band: str) -> str | None:
    if age_band == AgeBand.UNKNOWN:
        return None
    return "child" if age_band in CHILD_AGE_BANDS else "adult"


def referral_matches(referral: Referral, *, limit: int = 25) -> list[ProviderMatch]:
    """Candidate organisations for the referral, best first: those covering its location with
    the services it needs and a facility that accepts the person, never the submitter nor an
    organisation that was offered it before."""
    already = set(referral.offers.values_list("organisation_id", flat=True))
    already.add(referral.submitting_organisation_id)
    return provider_search(
        point=referral.location,
        services=referral.needs,
        gender=None if referral.gender == ProfileGender.UNKNOWN else referral.gender,
        age_group=age_group_of(referral.age_band),
        languages=referral.languages,
        exclude_organisations=list(already),
        limit=limit,
    )


def referral_events_for(user, referral: Referral, *, is_submitter: bool) -> QuerySet[ReferralEvent]:
    """The audit timeline as the user's organisation may read it: the submitter sees everything;
    an offered or accepting organisation sees neither which others were offered nor why they
    declined, so only events by itself or the submitter, about nobody or itself."""
    events = referral.events.select_related("organisation", "subject_organisation")
    if is_submitter:
        return events
    organisation = acting_organisation(user)
    own = organisation.pk if organisation else None
    by_visible_party = Q(organisation_id__in=[own, referral.submitting_organisation_id]) | Q(
        organisation__isnull=True
    )
    about_nobody_else = Q(subject_organisation__isnull=True) | Q(subject_organisation_id=own)
    return events.filter(by_visible_party & about_nobody_else)


def organisations_that_may_view(referral_id) -> list:
    return list(
        ReferralGroupObjectPermission.objects.filter(
            content_object_id=referral_id, permission__codename=VIEW,
            permission__content_type__app_label="referrals",
        ).values_list("group__role_group__organisation_id", flat=True).distinct()
    )


def organisation_may_view(referral_id, organisation_id) -> bool:
    """Does the organisation see the referral right now (any of its groups holds view_referral)?"""
    return ReferralGroupObjectPermission.objects.filter(
        content_object_id=referral_id,
        group__role_group__organisation_id=organisation_id,
        permission__codename=VIEW,
        permission__content_type__app_label="referrals",
    ).exists()
