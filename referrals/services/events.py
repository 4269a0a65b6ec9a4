"""The audit trail and the outbox: every change is recorded in the caller's transaction."""

from django.db import transaction

from ..models import EventAction, OutboxEvent, OutboxEventType, Referral, ReferralEvent
from ..selectors import acting_organisation, organisations_that_may_view
from ..signals import outbox_event_written

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
    EventAction.SCREENED: OutboxEventType.SCREENED,
    EventAction.IDENTIFICATION_DECIDED: OutboxEventType.IDENTIFICATION_DECIDED,
    EventAction.REFLECTION_PERIOD_ENDING: OutboxEventType.REFLECTION_ENDING,
    EventAction.REFERRED_ONWARD: OutboxEventType.REFERRED_ONWARD,
}


def event_record(
    referral: Referral, action: str, *, by=None, organisation=None, subject=None, audience: list | None = None,
    **detail,
) -> None:
    """Record the change in the audit trail and, for changes partners hear about, in the outbox:
    both in the caller's transaction, so neither exists without the change. `audience` narrows
    who hears of it to some of the organisations that may see the referral (a reminder for the
    submitter and the accepting organisation only)."""
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
            audience=_audience(referral, audience),
        )
        # Whoever relays the outbox (the integration app) nudges its relay once this commits.
        outbox_event_written.send(sender=OutboxEvent, event_id=event.pk)


def _audience(referral: Referral, narrowed: list | None) -> list:
    may_view = organisations_that_may_view(referral.pk)
    if narrowed is None:
        return may_view
    return [organisation_id for organisation_id in may_view if organisation_id in set(narrowed)]


@transaction.atomic
def referral_record_read(*, referrals: list[Referral], by, action: str = EventAction.VIEWED) -> None:
    """Every read of a referral goes into the audit trail (one statement for a whole page)."""
    organisation = acting_organisation(by)
    ReferralEvent.objects.bulk_create(
        [ReferralEvent(referral=r, action=action, actor=by, organisation=organisation) for r in referrals]
    )
