"""The lifecycle of a referral: routing it to organisations, their offers (accept, decline,
expire), withdrawal, outcomes and closing. Each service is atomic, locks the referral row before
it reads its state, checks the state, then the capability the action needs
(referrals.permissions), changes permissions in the same transaction, and records the event."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation

from .. import permissions
from ..exceptions import InvalidTransition
from ..models import EventAction, Offer, OfferStatus, Outcome, Referral, Status, Urgency
from . import beds
from .events import event_record
from .locking import locked, rights_before_lock
from .submission import screen_fields

OPEN_STATUSES = (Status.SUBMITTED, Status.OFFERED, Status.ACCEPTED, Status.IN_PROGRESS)
MAX_OFFERS_AT_ONCE = 20


# --- routing --------------------------------------------------------------------------------------

def _offer(referral: Referral, organisation: Organisation, *, by, submitter: Organisation) -> Offer:
    offer = Offer.objects.create(referral=referral, organisation=organisation)
    permissions.grant_offer(referral, organisation)
    event_record(referral, EventAction.OFFERED, by=by, organisation=submitter, subject=organisation)
    return offer


@transaction.atomic
def referral_route(
    *, referral: Referral, by, organisation_ids: list | None = None, auto: bool = False
) -> list[Offer]:
    """Offer the referral to the chosen organisations, or to the best match when `auto`."""
    rights = rights_before_lock(by, referral)
    referral = locked(referral)
    if referral.status not in (Status.SUBMITTED, Status.OFFERED):
        raise InvalidTransition(referral, _("A referral that is %(status)s cannot be routed.") % {
            "status": Status(referral.status).label})
    permissions.require_manage_referral(rights)
    if auto:
        match = beds.best_match_with_a_bed(referral)
        if match is None and beds.only_full_shelters_match(referral):
            # Nobody has a bed: the referral stays as it is, and its timeline says why.
            referral.auto_route = True
            referral.save(update_fields=["auto_route", "updated"])
            beds.record_no_free_beds(referral, by=by, organisation=rights.organisation)
            return []
        if match is None:
            raise InvalidTransition(referral, _("No verified organisation that was not offered it before matches."))
        targets = [match.organisation]
        referral.auto_route = True
    else:
        targets = _route_targets(referral, organisation_ids or [])
    offers = [_offer(referral, organisation, by=by, submitter=rights.organisation) for organisation in targets]
    referral.status = Status.OFFERED
    referral.save(update_fields=["status", "auto_route", "updated"])
    return offers


def _route_targets(referral: Referral, organisation_ids: list) -> list[Organisation]:
    unique = list(dict.fromkeys(organisation_ids))
    if not unique:
        raise ValidationError({"organisations": _("name at least one organisation, or use auto")})
    if len(unique) > MAX_OFFERS_AT_ONCE:
        raise ValidationError(
            {"organisations": _("at most %(count)s organisations at once") % {"count": MAX_OFFERS_AT_ONCE}})
    found = Organisation.objects.in_bulk(unique)
    problems = []
    already = set(referral.offers.values_list("organisation_id", flat=True))
    for pk in unique:
        organisation = found.get(pk)
        if organisation is None:
            problems.append(_("%(id)s: no such organisation") % {"id": pk})
        elif not organisation.verified:
            problems.append(_("%(id)s: not verified") % {"id": pk})
        elif pk == referral.submitting_organisation_id:
            problems.append(_("%(id)s: is the submitting organisation") % {"id": pk})
        elif pk in already:
            problems.append(_("%(id)s: was already offered this referral") % {"id": pk})
    if problems:
        raise ValidationError({"organisations": problems})
    return [found[pk] for pk in unique]


# --- offers ---------------------------------------------------------------------------------------

def _open_offer_of(by, referral: Referral, verb: str) -> tuple[Referral, Organisation, Offer]:
    """Lock the referral and find the caller's organisation's pending offer of it, in the order
    of checks every service keeps: role (403), state (409), capability (403)."""
    rights = rights_before_lock(by, referral)
    referral = locked(referral)
    if referral.status != Status.OFFERED:
        refusals = {
            "accept": _("The referral is %(status)s; there is no offer to accept."),
            "decline": _("The referral is %(status)s; there is no offer to decline."),
        }
        raise InvalidTransition(referral, refusals[verb] % {"status": Status(referral.status).label})
    permissions.require_respond_to_offer(rights, verb)
    offer = referral.offers.filter(organisation=rights.organisation, status=OfferStatus.PENDING).first()
    if offer is None:
        raise InvalidTransition(referral, _("Your organisation holds no open offer of this referral."))
    return referral, rights.organisation, offer


def _end_offer(offer: Offer, status: str, *, reason: str = "") -> None:
    offer.status = status
    offer.reason = reason
    offer.responded = timezone.now()
    offer.save(update_fields=["status", "reason", "responded"])
    permissions.revoke_organisation(offer.referral, offer.organisation)


def _lapse_open_offers(referral: Referral) -> None:
    for offer in referral.offers.filter(status=OfferStatus.PENDING).select_related("organisation"):
        _end_offer(offer, OfferStatus.LAPSED)
        event_record(referral, EventAction.LAPSED, subject=offer.organisation)


@transaction.atomic
def offer_accept(*, referral: Referral, by, facility=None) -> Referral:
    """The first acceptance wins; the other open offers lapse. `facility` (an id of one of the
    accepting organisation's shelters) holds one of its beds until the referral is closed or
    withdrawn: 409 when it has none left."""
    referral, organisation, offer = _open_offer_of(by, referral, "accept")
    permissions.require_verified(organisation)
    if facility is not None:
        beds.bed_hold(offer, facility)
    offer.status = OfferStatus.ACCEPTED
    offer.responded = timezone.now()
    offer.save(update_fields=["status", "responded"])
    _lapse_open_offers(referral)
    permissions.grant_acceptance(referral, organisation)
    referral.status = Status.ACCEPTED
    referral.accepted_by = organisation
    referral.save(update_fields=["status", "accepted_by", "updated"])
    held = {"facility": offer.facility_id} if offer.facility_id else {}
    event_record(referral, EventAction.ACCEPTED, by=by, organisation=organisation, subject=organisation, **held)
    return referral


def _after_offer_ended(referral: Referral) -> None:
    """When no offer stands any more, the referral goes back to `submitted`, or on to the next
    match when it is auto-routed."""
    if referral.offers.filter(status=OfferStatus.PENDING).exists():
        referral.save(update_fields=["updated"])  # its offers changed: a new ETag, a change in the feed
        return
    referral.status = Status.SUBMITTED
    if referral.auto_route:
        match = beds.best_match_with_a_bed(referral)
        if match is not None:
            _offer(referral, match.organisation, by=None, submitter=referral.submitting_organisation)
            referral.status = Status.OFFERED
        elif beds.only_full_shelters_match(referral):
            beds.record_no_free_beds(referral)
    referral.save(update_fields=["status", "updated"])


@transaction.atomic
def offer_decline(*, referral: Referral, by, reason: str = "") -> Referral:
    """The organisation declines its offer and loses access to the referral."""
    referral, organisation, offer = _open_offer_of(by, referral, "decline")
    screen_fields(reason=reason)
    _end_offer(offer, OfferStatus.DECLINED, reason=reason)
    event_record(referral, EventAction.DECLINED, by=by, organisation=organisation, subject=organisation)
    _after_offer_ended(referral)
    return referral


@transaction.atomic
def offer_expire(*, offer: Offer) -> None:
    """An offer nobody answered in time: access is revoked, and the referral moves on."""
    referral = locked(offer.referral)
    offer = Offer.objects.select_related("organisation").get(pk=offer.pk)
    if offer.status != OfferStatus.PENDING or referral.status != Status.OFFERED:
        return
    _end_offer(offer, OfferStatus.EXPIRED)
    event_record(referral, EventAction.EXPIRED, subject=offer.organisation)
    _after_offer_ended(referral)


def offer_ttl(urgency: str) -> timedelta:
    """REFERRAL_OFFER_TTL: one duration for all, or one per urgency (timedelta or seconds)."""
    ttl = settings.REFERRAL_OFFER_TTL
    if isinstance(ttl, dict):
        ttl = ttl.get(urgency, max(ttl.values(), key=_as_timedelta))
    return _as_timedelta(ttl)


def _as_timedelta(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def offers_expire_due() -> int:
    """Expire every pending offer older than its time to live; returns how many expired. Each
    offer expires in its own transaction."""
    now = timezone.now()
    expired = 0
    for urgency in Urgency.values:
        due = Offer.objects.filter(
            status=OfferStatus.PENDING, referral__urgency=urgency, created__lt=now - offer_ttl(urgency)
        ).order_by("created").values_list("pk", flat=True)
        for offer_id in due:
            offer_expire(offer=Offer.objects.get(pk=offer_id))
            expired += 1
    return expired


# --- withdrawal, outcomes, closing ----------------------------------------------------------------

@transaction.atomic
def referral_withdraw(*, referral: Referral, by) -> Referral:
    """The submitter withdraws the referral; open offers lapse."""
    rights = rights_before_lock(by, referral)
    referral = locked(referral)
    if referral.status not in OPEN_STATUSES:
        raise InvalidTransition(referral, _("A referral that is %(status)s cannot be withdrawn.") % {
            "status": Status(referral.status).label})
    permissions.require_manage_referral(rights)
    _lapse_open_offers(referral)
    beds.bed_release(referral)
    referral.status = Status.WITHDRAWN
    referral.save(update_fields=["status", "updated"])
    event_record(referral, EventAction.WITHDRAWN, by=by, organisation=referral.submitting_organisation)
    return referral


def _locked_for_the_acceptor(by, referral: Referral, refusal: str) -> Referral:
    """Lock a referral the accepting organisation works on (outcomes, closing), in the order of
    checks every service keeps: role (403), state (409), party (403)."""
    rights = rights_before_lock(by, referral)
    referral = locked(referral)
    if referral.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
        raise InvalidTransition(referral, refusal % {"status": Status(referral.status).label})
    permissions.require_record_outcome(rights)
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, by, reason: str = "") -> Referral:
    """The accepting organisation closes the referral."""
    referral = _locked_for_the_acceptor(by, referral, _("A referral that is %(status)s cannot be closed."))
    screen_fields(reason=reason)
    beds.bed_release(referral)
    referral.status = Status.CLOSED
    referral.close_reason = reason
    referral.save(update_fields=["status", "close_reason", "updated"])
    event_record(referral, EventAction.CLOSED, by=by, organisation=referral.accepted_by)
    return referral


@transaction.atomic
def outcome_record(*, referral: Referral, by, type: str, date: date, note: str = "") -> Outcome:
    """The accepting organisation records assistance given; the first moves the referral to `in_progress`."""
    referral = _locked_for_the_acceptor(
        by, referral, _("Outcomes cannot be recorded on a referral that is %(status)s.")
    )
    screen_fields(note=note)
    if date > timezone.localdate():
        raise ValidationError({"date": _("an outcome cannot be dated in the future")})
    if date < referral.created.date():
        raise ValidationError({"date": _("an outcome cannot be dated before the referral was submitted")})
    outcome = Outcome(referral=referral, organisation=referral.accepted_by, type=type, date=date, note=note,
                      recorded_by=by)
    outcome.full_clean()
    outcome.save()
    if referral.status == Status.ACCEPTED:
        referral.status = Status.IN_PROGRESS
    referral.save(update_fields=["status", "updated"])
    event_record(referral, EventAction.OUTCOME_RECORDED, by=by, organisation=referral.accepted_by, type=type)
    return outcome
