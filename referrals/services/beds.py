"""Beds: a referral that needs shelter is never offered automatically to an organisation whose
shelters are all full, and an acceptance into a shelter holds one of its beds until the referral
is closed or withdrawn. The capacity itself is the directory's (organisations.services)."""

from django.utils import timezone

from organisations import services as organisation_services
from organisations.capacity import SHELTER_NEED

from ..models import EventAction, Offer, OfferStatus, Referral
from ..selectors import referral_matches
from .events import event_record


def needs_a_bed(referral: Referral) -> bool:
    return SHELTER_NEED in referral.needs


def best_match_with_a_bed(referral: Referral):
    """The best match that does not have only full shelters for the person; None if none."""
    matches = referral_matches(referral, limit=1, include_full=False)
    return matches[0] if matches else None


def only_full_shelters_match(referral: Referral) -> bool:
    """Nobody with a bed matches, but organisations with full shelters do."""
    return needs_a_bed(referral) and bool(referral_matches(referral, limit=1, include_full=True))


def record_no_free_beds(referral: Referral, *, by=None, organisation=None) -> None:
    """The submitter's timeline says why the referral was not offered."""
    event_record(referral, EventAction.NO_FREE_BEDS, by=by, organisation=organisation, need=SHELTER_NEED)


def bed_hold(offer: Offer, facility_id) -> None:
    """Take one bed of the accepting organisation's shelter for the accepted offer (400 naming
    `facility`, 409 when none is left), in the acceptance's transaction."""
    facility = organisation_services.facility_bed_take(organisation=offer.organisation, facility_id=facility_id)
    offer.facility = facility
    offer.save(update_fields=["facility"])


def bed_release(referral: Referral) -> None:
    """The referral is closed or withdrawn: the bed its acceptance held is free again."""
    offer = referral.offers.filter(
        status=OfferStatus.ACCEPTED, facility__isnull=False, bed_released__isnull=True
    ).first()
    if offer is None:
        return
    organisation_services.facility_bed_release(facility_id=offer.facility_id)
    offer.bed_released = timezone.now()
    offer.save(update_fields=["bed_released"])
