"""The only way to change a referral. Each service is atomic, locks the referral row before it
reads its state (so concurrent accepts, declines and withdrawals serialise), checks the state,
then the caller's rights, changes permissions in the same transaction, and records the event."""

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from geo.models import AdministrativeArea
from geo.selectors import coarsen_point, representative_point, smallest_area_containing
from organisations.models import Organisation
from organisations.permissions import ACT_FOR_ORGANISATION
from organisations.selectors import has_organisation_permission
from organisations.services import validate_service_codes

from . import permissions
from .exceptions import InvalidTransition, StaleVersion
from .models import (
    EventAction,
    Offer,
    OfferStatus,
    OutboxEvent,
    OutboxEventType,
    Outcome,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from .screening import PersonalDataFound, screen
from .selectors import acting_organisation, organisations_that_may_view, referral_capabilities, referral_matches
from .signals import outbox_event_written, referral_content_erased

OPEN_STATUSES = (Status.SUBMITTED, Status.OFFERED, Status.ACCEPTED, Status.IN_PROGRESS)
MAX_OFFERS_AT_ONCE = 20


def referral_version(referral: Referral) -> str:
    """A token that changes with every change of the referral (its ETag)."""
    return hashlib.sha256(f"{referral.pk}:{referral.updated.isoformat()}".encode()).hexdigest()[:20]


def subject_hash(*, organisation_id, case_reference: str) -> str:
    """Keyed hash of the submitter's own case id, per organisation: the same person referred twice
    by one agency links up; nobody can go from the hash back to the case id."""
    normalised = " ".join(case_reference.split()).casefold()
    message = f"{organisation_id}:{normalised}".encode()
    return hmac.new(settings.REFERRAL_SUBJECT_KEY.encode(), message, hashlib.sha256).hexdigest()


def screen_fields(**texts: str) -> None:
    """Refuse free text that contains personal data, naming the field and the kind of data."""
    for field, text in texts.items():
        try:
            screen(text or "")
        except PersonalDataFound as error:
            raise ValidationError({field: str(error)}, code="personal_data") from error


# Audit actions that partners are told about, and the event type they are told it as.
OUTBOX_TYPES = {
    EventAction.SUBMITTED: OutboxEventType.SUBMITTED,
    EventAction.OFFERED: OutboxEventType.OFFERED,
    EventAction.ACCEPTED: OutboxEventType.ACCEPTED,
    EventAction.DECLINED: OutboxEventType.DECLINED,
    EventAction.WITHDRAWN: OutboxEventType.WITHDRAWN,
    EventAction.OUTCOME_RECORDED: OutboxEventType.OUTCOME_RECORDED,
    EventAction.CLOSED: OutboxEventType.CLOSED,
    EventAction.EXPIRED: OutboxEventType.OFFER_EXPIRED,
    EventAction.CONSENT_WITHDRAWN: OutboxEventType.CLOSED,
}


def _event(referral: Referral, action: str, *, by=None, organisation=None, subject=None, **detail) -> None:
    """Record the change in the audit trail and, for changes partners hear about, in the outbox:
    both in the caller's transaction, so neither exists without the change."""
    ReferralEvent.objects.create(
        referral=referral,
        action=action,
        actor=by,
        organisation=organisation,
        subject_organisation=subject,
        detail=detail,
    )
    if action in OUTBOX_TYPES:
        event = OutboxEvent.objects.create(
            type=OUTBOX_TYPES[action], referral=referral, subject_organisation=subject,
            audience=organisations_that_may_view(referral.pk),
        )
        outbox_event_written.send(sender=OutboxEvent, event=event)


def referral_record_read(*, referrals: list[Referral], by, action: str = EventAction.VIEWED) -> None:
    """Every read of a referral goes into the audit trail (one statement for a whole page)."""
    organisation = acting_organisation(by)
    ReferralEvent.objects.bulk_create(
        [ReferralEvent(referral=r, action=action, actor=by, organisation=organisation) for r in referrals]
    )


def _acting_organisation(by, *, must_be_verified: bool = True) -> Organisation:
    organisation = acting_organisation(by)
    if organisation is None:
        raise PermissionDenied("Only members of an organisation may act on referrals.")
    if must_be_verified and not organisation.verified:
        raise PermissionDenied("Your organisation is not verified yet.")
    return organisation


ACTING = {permissions.MANAGE, permissions.RESPOND, permissions.RECORD}


def _require_acting(by, referral: Referral) -> Organisation:
    """The checks, in order: the view has answered 404 if the caller's organisation cannot see the
    referral. Here, before the row lock: a viewer may read but never act (403). After the lock,
    each service checks the state first (409 with the current status), then whether the caller's
    organisation is the party that acts in that state (403). So the loser of a race gets 409 even
    though the winner has revoked its rights meanwhile."""
    if not ACTING & referral_capabilities(by, referral):
        raise PermissionDenied("Viewers read referrals; only admins and caseworkers act on them.")
    return _acting_organisation(by, must_be_verified=False)


def _require_party(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_submitter(organisation: Organisation, referral: Referral) -> None:
    _require_party(organisation.pk == referral.submitting_organisation_id,
                   "Only the submitting organisation does this.")


def _require_accepting(organisation: Organisation, referral: Referral) -> None:
    _require_party(organisation.pk == referral.accepted_by_id, "Only the accepting organisation does this.")


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _resolve_location(location: dict) -> tuple[AdministrativeArea | None, Point]:
    if "area" in location:
        area: AdministrativeArea = location["area"]
        return area, coarsen_point(representative_point(area=area))
    point = Point(location["lon"], location["lat"], srid=4326)
    # The exact point is used once, here, to find its area, and never stored.
    return smallest_area_containing(point=point), coarsen_point(point)


@transaction.atomic
def require_may_submit(*, by) -> Organisation:
    """403 unless the caller is an admin or caseworker of a verified organisation."""
    organisation = _acting_organisation(by)
    if not has_organisation_permission(by, ACT_FOR_ORGANISATION, organisation.pk):
        raise PermissionDenied("Only admins and caseworkers may submit referrals.")
    return organisation


def require_may_record(*, by, referral: Referral) -> None:
    """403 unless the caller acts for the organisation that accepted the referral."""
    _require_accepting(_require_acting(by, referral), referral)


def referral_submit(*, by, data: dict) -> Referral:
    organisation = require_may_submit(by=by)
    screen_fields(notes=data.get("notes", ""))
    area, point = _resolve_location(data["location"])
    profile = data["profile"]
    referral = Referral(
        submitting_organisation=organisation,
        submitted_by=by,
        subject_hash=subject_hash(organisation_id=organisation.pk, case_reference=data["case_reference"]),
        age_band=profile["age_band"],
        gender=profile["gender"],
        nationality=profile.get("nationality", ""),
        languages=list(dict.fromkeys(profile.get("languages", []))),
        exploitation_types=list(dict.fromkeys(data["exploitation_types"])),
        indicators=list(dict.fromkeys(data.get("indicators", []))),
        needs=validate_service_codes(data["needs"], field="needs"),
        urgency=data["urgency"],
        area=area,
        location=point,
        consent_basis=data["consent"]["basis"],
        notes=data.get("notes", ""),
    )
    referral.full_clean()
    referral.save()
    permissions.grant_submitter(referral)
    _event(referral, EventAction.SUBMITTED, by=by, organisation=organisation)
    return referral


EDITABLE_FIELDS = ("needs", "urgency", "notes")


@transaction.atomic
def referral_update(*, referral: Referral, by, data: dict, expected_version: str | None) -> Referral:
    """The submitter corrects needs, urgency or notes while the referral is still `submitted`.
    Refused when someone changed it since the caller read it (no lost update); None means the
    caller accepts any version (`If-Match: *`)."""
    organisation = _require_acting(by, referral)
    referral = _locked(referral)
    if expected_version is not None and referral_version(referral) != expected_version:
        raise StaleVersion("The referral changed since you read it; read it again and reapply your change.")
    if referral.status != Status.SUBMITTED:
        raise InvalidTransition(referral, f"A referral that is {referral.status} can no longer be edited.")
    _require_submitter(organisation, referral)
    changes = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    if "notes" in changes:
        screen_fields(notes=changes["notes"])
    if "needs" in changes:
        changes["needs"] = validate_service_codes(changes["needs"], field="needs")
    for name, value in changes.items():
        setattr(referral, name, value)
    referral.full_clean()
    referral.save(update_fields=[*changes, "updated"])
    _event(referral, EventAction.UPDATED, by=by, organisation=referral.submitting_organisation,
           fields=sorted(changes))
    return referral


def _offer(referral: Referral, organisation: Organisation, *, by, submitter: Organisation) -> Offer:
    offer = Offer.objects.create(referral=referral, organisation=organisation)
    permissions.grant_offer(referral, organisation)
    _event(referral, EventAction.OFFERED, by=by, organisation=submitter, subject=organisation)
    return offer


@transaction.atomic
def referral_route(*, referral: Referral, by, organisation_ids: list | None = None, auto: bool = False) -> list[Offer]:
    """Offer the referral to the chosen organisations, or to the best match when `auto`."""
    submitter = _require_acting(by, referral)
    referral = _locked(referral)
    if referral.status not in (Status.SUBMITTED, Status.OFFERED):
        raise InvalidTransition(referral, f"A referral that is {referral.status} cannot be routed.")
    _require_submitter(submitter, referral)
    if auto:
        matches = referral_matches(referral, limit=1)
        if not matches:
            raise InvalidTransition(referral, "No verified organisation that was not offered it before matches.")
        targets = [matches[0].organisation]
        referral.auto_route = True
    else:
        targets = _route_targets(referral, organisation_ids or [])
    offers = [_offer(referral, organisation, by=by, submitter=submitter) for organisation in targets]
    referral.status = Status.OFFERED
    referral.save(update_fields=["status", "auto_route", "updated"])
    return offers


def _route_targets(referral: Referral, organisation_ids: list) -> list[Organisation]:
    unique = list(dict.fromkeys(organisation_ids))
    if not unique:
        raise ValidationError({"organisations": "name at least one organisation, or use auto"})
    if len(unique) > MAX_OFFERS_AT_ONCE:
        raise ValidationError({"organisations": f"at most {MAX_OFFERS_AT_ONCE} organisations at once"})
    found = Organisation.objects.in_bulk(unique)
    problems = []
    already = set(referral.offers.values_list("organisation_id", flat=True))
    for pk in unique:
        organisation = found.get(pk)
        if organisation is None:
            problems.append(f"{pk}: no such organisation")
        elif not organisation.verified:
            problems.append(f"{pk}: not verified")
        elif pk == referral.submitting_organisation_id:
            problems.append(f"{pk}: is the submitting organisation")
        elif pk in already:
            problems.append(f"{pk}: was already offered this referral")
    if problems:
        raise ValidationError({"organisations": problems})
    return [found[pk] for pk in unique]


def _open_offer_of(by, referral: Referral, verb: str) -> tuple[Referral, Organisation, Offer]:
    """Lock the referral and find the caller's organisation's pending offer of it, in the order
    of checks every service keeps: role (403), state (409), party (403)."""
    organisation = _require_acting(by, referral)
    referral = _locked(referral)
    if referral.status != Status.OFFERED:
        raise InvalidTransition(referral, f"The referral is {referral.status}; there is no offer to {verb}.")
    _require_party(organisation.pk != referral.submitting_organisation_id,
                   f"Only an organisation holding an offer can {verb} it.")
    offer = referral.offers.filter(organisation=organisation, status=OfferStatus.PENDING).first()
    if offer is None:
        raise InvalidTransition(referral, "Your organisation holds no open offer of this referral.")
    return referral, organisation, offer


def _end_offer(offer: Offer, status: str, *, reason: str = "") -> None:
    offer.status = status
    offer.reason = reason
    offer.responded = timezone.now()
    offer.save(update_fields=["status", "reason", "responded"])
    permissions.revoke_organisation(offer.referral, offer.organisation)


@transaction.atomic
def offer_accept(*, referral: Referral, by) -> Referral:
    referral, organisation, offer = _open_offer_of(by, referral, "accept")
    _require_party(organisation.verified, "Your organisation is not verified yet.")
    offer.status = OfferStatus.ACCEPTED
    offer.responded = timezone.now()
    offer.save(update_fields=["status", "responded"])
    for other in referral.offers.filter(status=OfferStatus.PENDING).select_related("organisation"):
        _end_offer(other, OfferStatus.LAPSED)
        _event(referral, EventAction.LAPSED, subject=other.organisation)
    permissions.grant_acceptance(referral, organisation)
    referral.status = Status.ACCEPTED
    referral.accepted_by = organisation
    referral.save(update_fields=["status", "accepted_by", "updated"])
    _event(referral, EventAction.ACCEPTED, by=by, organisation=organisation, subject=organisation)
    return referral


def _after_offer_ended(referral: Referral, *, by=None) -> None:
    """When no offer stands any more, the referral goes back to `submitted`, or on to the next
    match when it is auto-routed."""
    if referral.offers.filter(status=OfferStatus.PENDING).exists():
        referral.save(update_fields=["updated"])  # its offers changed: a new ETag, a change in the feed
        return
    referral.status = Status.SUBMITTED
    if referral.auto_route:
        matches = referral_matches(referral, limit=1)
        if matches:
            _offer(referral, matches[0].organisation, by=None, submitter=referral.submitting_organisation)
            referral.status = Status.OFFERED
    referral.save(update_fields=["status", "updated"])


@transaction.atomic
def offer_decline(*, referral: Referral, by, reason: str = "") -> Referral:
    referral, organisation, offer = _open_offer_of(by, referral, "decline")
    screen_fields(reason=reason)
    _end_offer(offer, OfferStatus.DECLINED, reason=reason)
    _event(referral, EventAction.DECLINED, by=by, organisation=organisation, subject=organisation)
    _after_offer_ended(referral, by=by)
    return referral


@transaction.atomic
def offer_expire(*, offer: Offer) -> None:
    """An offer nobody answered in time: access is revoked, and the referral moves on."""
    referral = _locked(offer.referral)
    offer = Offer.objects.select_related("organisation").get(pk=offer.pk)
    if offer.status != OfferStatus.PENDING or referral.status != Status.OFFERED:
        return
    _end_offer(offer, OfferStatus.EXPIRED)
    _event(referral, EventAction.EXPIRED, subject=offer.organisation)
    _after_offer_ended(referral)


def _erase_content(referral: Referral) -> dict:
    """Erase every free text and the case hash of the referral; returns what was erased."""
    erased = {
        "notes": int(bool(referral.notes)),
        "close_reason": int(bool(referral.close_reason)),
        "case_hash": int(bool(referral.subject_hash)),
        "offer_reasons": referral.offers.exclude(reason="").update(reason=""),
        "outcome_notes": referral.outcomes.exclude(note="").update(note=""),
    }
    referral.notes = referral.close_reason = referral.subject_hash = ""
    referral_content_erased.send(sender=Referral, referral_id=referral.pk)
    return erased


@transaction.atomic
def referral_withdraw_consent(*, referral: Referral, by) -> Referral:
    """The person withdrew consent: the referral is closed, every organisation but the submitter
    loses access at once, free text and the case hash are erased. The audit trail keeps the event,
    without content."""
    organisation = _require_acting(by, referral)
    referral = _locked(referral)
    if referral.consent_withdrawn:
        raise InvalidTransition(referral, "Consent was already withdrawn for this referral.")
    _require_submitter(organisation, referral)
    for offer in referral.offers.filter(status=OfferStatus.PENDING):
        offer.status = OfferStatus.LAPSED
        offer.responded = timezone.now()
        offer.save(update_fields=["status", "responded"])
    for organisation_id in organisations_that_may_view(referral.pk):
        if organisation_id != referral.submitting_organisation_id:
            permissions.revoke_organisation(referral, Organisation(pk=organisation_id))
    _erase_content(referral)
    referral.status = Status.CLOSED
    referral.consent_withdrawn = timezone.now()
    referral.save(update_fields=["notes", "close_reason", "subject_hash", "status", "consent_withdrawn", "updated"])
    _event(referral, EventAction.CONSENT_WITHDRAWN, by=by, organisation=referral.submitting_organisation)
    return referral


def referrals_reduce_expired() -> dict:
    """Retention: closed and withdrawn referrals untouched for REFERRAL_RETENTION_DAYS keep only what
    statistics need. Free text and the case hash are erased and the area is generalised to the
    country. Idempotent: a reduced referral is not touched again. Returns what was erased."""
    cutoff = timezone.now() - timedelta(days=settings.REFERRAL_RETENTION_DAYS)
    due = Referral.objects.filter(
        status__in=[Status.CLOSED, Status.WITHDRAWN], updated__lt=cutoff, reduced__isnull=True
    ).values_list("pk", flat=True)
    report = {"referrals": 0, "notes": 0, "close_reason": 0, "case_hash": 0, "offer_reasons": 0,
              "outcome_notes": 0, "areas_generalised": 0}
    for referral_id in list(due):
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(of=("self",)).select_related("area").defer("area__geometry")
                .get(pk=referral_id)
            )
            if referral.reduced:
                continue
            for name, count in _erase_content(referral).items():
                report[name] += count
            if referral.area is not None:
                # Nothing finer than the country stays: neither a province nor the 0.1 degree point.
                countries = AdministrativeArea.objects.defer("geometry").filter(level=0)
                country = (
                    referral.area if referral.area.level == 0
                    else countries.filter(country=referral.area.country).first()
                )
                if referral.area.level > 0:
                    report["areas_generalised"] += 1
                referral.area = country
                if country is not None:
                    referral.location = coarsen_point(representative_point(area=country))
            referral.reduced = timezone.now()
            referral.save(update_fields=["notes", "close_reason", "subject_hash", "area", "location", "reduced"])
            _event(referral, EventAction.REDUCED)
            report["referrals"] += 1
    return report


def offer_ttl(urgency: str) -> timedelta:
    """REFERRAL_OFFER_TTL: one duration for all, or one per urgency (timedelta or seconds)."""
    ttl = settings.REFERRAL_OFFER_TTL
    if isinstance(ttl, dict):
        ttl = ttl.get(urgency, max(ttl.values(), key=_as_timedelta))
    return _as_timedelta(ttl)


def _as_timedelta(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=float(value))


def offers_expire_due() -> int:
    """Expire every pending offer older than its time to live; returns how many expired."""
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


@transaction.atomic
def referral_withdraw(*, referral: Referral, by) -> Referral:
    organisation = _require_acting(by, referral)
    referral = _locked(referral)
    if referral.status not in OPEN_STATUSES:
        raise InvalidTransition(referral, f"A referral that is {referral.status} cannot be withdrawn.")
    _require_submitter(organisation, referral)
    for offer in referral.offers.filter(status=OfferStatus.PENDING).select_related("organisation"):
        _end_offer(offer, OfferStatus.LAPSED)
        _event(referral, EventAction.LAPSED, subject=offer.organisation)
    referral.status = Status.WITHDRAWN
    referral.save(update_fields=["status", "updated"])
    _event(referral, EventAction.WITHDRAWN, by=by, organisation=referral.submitting_organisation)
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, by, reason: str = "") -> Referral:
    organisation = _require_acting(by, referral)
    referral = _locked(referral)
    if referral.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
        raise InvalidTransition(referral, f"A referral that is {referral.status} cannot be closed.")
    _require_accepting(organisation, referral)
    screen_fields(reason=reason)
    referral.status = Status.CLOSED
    referral.close_reason = reason
    referral.save(update_fields=["status", "close_reason", "updated"])
    _event(referral, EventAction.CLOSED, by=by, organisation=referral.accepted_by)
    return referral


@transaction.atomic
def outcome_record(*, referral: Referral, by, type: str, date: date, note: str = "") -> Outcome:
    organisation = _require_acting(by, referral)
    referral = _locked(referral)
    if referral.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
        raise InvalidTransition(referral, f"Outcomes cannot be recorded on a referral that is {referral.status}.")
    _require_accepting(organisation, referral)
    screen_fields(note=note)
    if date > timezone.localdate():
        raise ValidationError({"date": "an outcome cannot be dated in the future"})
    if date < referral.created.date():
        raise ValidationError({"date": "an outcome cannot be dated before the referral was submitted"})
    outcome = Outcome(referral=referral, organisation=referral.accepted_by, type=type, date=date, note=note,
                      recorded_by=by)
    outcome.full_clean()
    outcome.save()
    if referral.status == Status.ACCEPTED:
        referral.status = Status.IN_PROGRESS
    referral.save(update_fields=["status", "updated"])
    _event(referral, EventAction.OUTCOME_RECORDED, by=by, organisation=referral.accepted_by, type=type)
    return outcome
