"""Consent withdrawal and retention: erasing what a referral no longer may keep."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geo.models import AdministrativeArea
from geo.selectors import coarsen_point, representative_point
from organisations.models import Organisation

from .. import permissions
from ..exceptions import InvalidTransition
from ..models import EventAction, OfferStatus, Referral, Status
from ..selectors import organisations_that_may_view
from ..signals import referral_consent_withdrawn, referral_content_erased
from .beds import bed_release
from .events import event_record
from .locking import locked, rights_before_lock
from .onward import descendants_of

ERASED_FIELDS = ("notes", "close_reason", "subject_hash")


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
    without content. The same withdrawal runs on every referral referred onward from it (the
    same person, the same consent), and on what is built on them (returns, by the signal)."""
    rights = rights_before_lock(by, referral)
    referral = locked(referral)
    if referral.consent_withdrawn:
        raise InvalidTransition(referral, _("Consent was already withdrawn for this referral."))
    permissions.require_manage_referral(rights)
    _withdraw_consent(referral)
    event_record(referral, EventAction.CONSENT_WITHDRAWN, by=by, organisation=referral.submitting_organisation)
    for descendant_id in descendants_of(referral.pk):
        descendant = Referral.objects.select_for_update().get(pk=descendant_id)
        if descendant.consent_withdrawn:
            continue
        _withdraw_consent(descendant)
        # Nobody named: the child's parties learn that consent went, not who at the parent's end acted.
        event_record(descendant, EventAction.CONSENT_WITHDRAWN, via_parent=True)
    return referral


def _withdraw_consent(referral: Referral) -> None:
    for offer in referral.offers.filter(status=OfferStatus.PENDING):
        offer.status = OfferStatus.LAPSED
        offer.responded = timezone.now()
        offer.save(update_fields=["status", "responded"])
    for organisation_id in organisations_that_may_view(referral.pk):
        if organisation_id != referral.submitting_organisation_id:
            permissions.revoke_organisation(referral, Organisation(pk=organisation_id))
    _erase_content(referral)
    bed_release(referral)
    referral.status = Status.CLOSED
    referral.consent_withdrawn = timezone.now()
    referral.save(update_fields=[*ERASED_FIELDS, "status", "consent_withdrawn", "updated"])
    referral_consent_withdrawn.send(sender=Referral, referral_id=referral.pk)


def referrals_reduce_expired() -> dict:
    """Retention: closed and withdrawn referrals untouched for REFERRAL_RETENTION_DAYS keep only what
    statistics need. Free text and the case hash are erased and the area is generalised to the
    country. Idempotent: a reduced referral is not touched again. Each referral is reduced in its
    own transaction. Returns what was erased."""
    cutoff = timezone.now() - timedelta(days=settings.REFERRAL_RETENTION_DAYS)
    due = Referral.objects.filter(
        status__in=[Status.CLOSED, Status.WITHDRAWN], updated__lt=cutoff, reduced__isnull=True
    ).values_list("pk", flat=True)
    report = {"referrals": 0, "notes": 0, "close_reason": 0, "case_hash": 0, "offer_reasons": 0,
              "outcome_notes": 0, "areas_generalised": 0}
    for referral_id in list(due):
        for name, count in referral_reduce(referral_id=referral_id).items():
            report[name] += count
    return report


@transaction.atomic
def referral_reduce(*, referral_id) -> dict:
    """Reduce one referral to what statistics need (see referrals_reduce_expired); returns what
    was erased, nothing when it was reduced already."""
    referral = (
        Referral.objects.select_for_update(of=("self",)).select_related("area").defer("area__geometry")
        .get(pk=referral_id)
    )
    if referral.reduced:
        return {}
    report = {**_erase_content(referral), "areas_generalised": 0, "referrals": 1}
    if referral.area is not None:
        # Nothing finer than the country stays: neither a province nor the 0.1 degree point.
        countries = AdministrativeArea.objects.defer("geometry").filter(level=0)
        country = (
            referral.area if referral.area.level == 0
            else countries.filter(country=referral.area.country).first()
        )
        if referral.area.level > 0:
            report["areas_generalised"] = 1
        referral.area = country
        if country is not None:
            referral.location = coarsen_point(representative_point(area=country))
    referral.reduced = timezone.now()
    referral.save(update_fields=[*ERASED_FIELDS, "area", "location", "reduced"])
    event_record(referral, EventAction.REDUCED)
    return report
