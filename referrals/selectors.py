"""Reads of referrals, always restricted to what the user's organisation may see."""

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from organisations.selectors import ProviderMatch, provider_search

from . import permissions
from .models import (
    CHILD_AGE_BANDS,
    AgeBand,
    Offer,
    OfferStatus,
    ProfileGender,
    Referral,
    ReferralGroupObjectPermission,
    Status,
)
from .permissions import VIEW, organisation_of

OPEN = ("submitted", "offered", "accepted", "in_progress")


def _open_twins(*, organisation, subject_hash, exclude_pk) -> QuerySet[Referral]:
    """Other open referrals of the same person (same subject hash) by the same organisation, oldest first."""
    return (
        Referral.objects.filter(submitting_organisation=organisation, subject_hash=subject_hash, status__in=OPEN)
        .exclude(pk=exclude_pk)
        .exclude(subject_hash="")
        .order_by("created")
        .values("pk")
    )


def with_duplicate_hint(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotate `possible_duplicate_of`: the oldest other open referral of the same person (same
    subject hash) by the same organisation, so that one person is not routed twice."""
    twins = _open_twins(organisation=OuterRef("submitting_organisation"), subject_hash=OuterRef("subject_hash"),
                        exclude_pk=OuterRef("pk"))[:1]
    return queryset.annotate(possible_duplicate_of=Subquery(twins))


# What a referral holds that only later steps add (prefetch names of the referral view's queryset).
LATER_STEPS = ("offers", "outcomes", "screenings", "identification_decisions", "children")


def as_just_submitted(referral: Referral) -> Referral:
    """The referral `referral_submit` has just written, ready to be shown to its submitter without
    reading it back: nothing of LATER_STEPS exists yet, its organisation and area are the ones the
    service had in hand, and the duplicate hint is the one query left (the same rule as
    `with_duplicate_hint`). Only for the submitter, who sees it by its grants."""
    twin = _open_twins(organisation=referral.submitting_organisation_id, subject_hash=referral.subject_hash,
                       exclude_pk=referral.pk).first()
    referral.possible_duplicate_of = twin["pk"] if twin else None
    referral._prefetched_objects_cache = {
        name: getattr(referral, name).model.objects.none() for name in LATER_STEPS
    }
    return referral


acting_organisation = organisation_of


def age_group_of(age_band: str) -> str | None:
    if age_band == AgeBand.UNKNOWN:
        return None
    return "child" if age_band in CHILD_AGE_BANDS else "adult"


def referral_matches(referral: Referral, *, limit: int = 25, include_full: bool = True) -> list[ProviderMatch]:
    """Candidate organisations for the referral, best first: those covering its location with
    the services it needs and a facility that accepts the person, never the submitter nor an
    organisation that was offered it before. When it needs shelter, organisations whose shelters
    are all full rank below those meeting as many needs (`include_full`), or are left out."""
    already = set(referral.offers.values_list("organisation_id", flat=True))
    already.add(referral.submitting_organisation_id)
    return provider_search(
        point=referral.location,
        services=referral.needs,
        gender=None if referral.gender == ProfileGender.UNKNOWN else referral.gender,
        age_group=age_group_of(referral.age_band),
        languages=referral.languages,
        exclude_organisations=list(already),
        include_full=include_full,
        limit=limit,
    )


def events_visible_to(events: QuerySet, *, organisation_id, referral: Referral | None = None) -> QuerySet:
    """The events (audit `ReferralEvent`s or `OutboxEvent`s) an organisation may learn of: the
    submitter hears of everything; an offered or accepting organisation never learns which others
    were offered nor why they declined, so only events about nobody or itself and, for the audit
    trail, done by itself, by the submitter or by nobody.

    With `referral`, the events are all of that referral; without, they may be of many referrals
    (the webhook relay's batch), and each is judged against its own referral's submitter."""
    own = organisation_id
    if referral is not None and permissions.sees_every_party(own, referral):
        return events
    submitter = F("referral__submitting_organisation_id") if referral is None else referral.submitting_organisation_id
    visible = Q(subject_organisation__isnull=True) | Q(subject_organisation_id=own)
    if any(field.name == "organisation" for field in events.model._meta.get_fields()):
        visible &= Q(organisation__isnull=True) | Q(organisation_id=own) | Q(organisation_id=submitter)
    if referral is None:
        visible |= Q(referral__submitting_organisation_id=own)
    return events.filter(visible)


def offers_visible_to(offers, *, referral: Referral, organisation_id) -> list:
    """The offers of the referral an organisation may see (the same rule as events_visible_to):
    the submitter sees all; an offered or accepting organisation only its own."""
    if permissions.sees_every_party(organisation_id, referral):
        return list(offers)
    return [offer for offer in offers if offer.organisation_id == organisation_id]


def referral_events_for(user, referral: Referral) -> QuerySet:
    """The audit timeline of the referral as the user's organisation may read it."""
    organisation = acting_organisation(user)
    return events_visible_to(
        referral.events.select_related("organisation", "subject_organisation", "actor"),
        referral=referral, organisation_id=organisation.pk if organisation else None,
    )


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


URGENCY_RANK = {"emergency": 0, "urgent": 1, "routine": 2}


def inbox_for(user) -> QuerySet:
    """The open offers of the user's organisation, most urgent first, then oldest first (the one
    expiring soonest). Only offers of referrals the organisation still sees."""
    organisation = acting_organisation(user)
    if organisation is None:
        return Offer.objects.none()
    rank = Case(*[When(referral__urgency=name, then=Value(value)) for name, value in URGENCY_RANK.items()],
                output_field=IntegerField())
    return (
        Offer.objects.filter(
            organisation=organisation, status=OfferStatus.PENDING, referral__status=Status.OFFERED,
            referral__in=Referral.objects.restrict(user, "view").values("pk"),
        )
        .select_related("referral", "referral__area").defer("referral__area__geometry")
        .annotate(urgency_rank=rank).order_by("urgency_rank", "created", "pk")
    )


def own_referrals_for(user) -> QuerySet[Referral]:
    """The referrals the user's organisation submitted or accepted (not those merely offered to it:
    those are in the inbox), newest change first."""
    organisation = acting_organisation(user)
    if organisation is None:
        return Referral.objects.none()
    return (
        Referral.objects.restrict(user, "view")
        .filter(Q(submitting_organisation=organisation) | Q(accepted_by=organisation))
        .select_related("area", "submitting_organisation", "accepted_by").defer("area__geometry")
        .order_by("-updated", "-id")
    )


def referral_for(user, pk) -> Referral:
    """One referral the user's organisation may see (Referral.DoesNotExist otherwise)."""
    return (
        Referral.objects.restrict(user, "view")
        .select_related("area", "submitting_organisation", "accepted_by").defer("area__geometry")
        .get(pk=pk)
    )
