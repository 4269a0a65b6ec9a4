"""Who is told of the national referral mechanism's steps (issue 14): identification decisions,
reflection periods ending, and the steps of a cross-border return.

The outbox says what happened; this module says to which organisations, as (kind, organisation,
return case) triples. Each organisation must be in the event's audience (the organisations that
could read the referral, or the return, when it happened), and each recipient's access is checked
again when the message leaves (notifications.permissions). A return's destination reads the
return, never the referral: its notifications carry the return case and link to the inbox."""

from dataclasses import dataclass

from identification.models import IdentificationDecision
from referrals.models import OutboxEvent, OutboxEventType
from returns.models import ReturnAction, ReturnCase, ReturnEvent

from .models import NotificationKind

RETURN_KINDS = (NotificationKind.RETURN_REQUESTED, NotificationKind.RETURN_STATUS_CHANGED,
                NotificationKind.FOLLOW_UP_DUE)
MECHANISM_EVENTS = (
    OutboxEventType.IDENTIFICATION_DECIDED, OutboxEventType.REFLECTION_ENDING, OutboxEventType.RETURN_REQUESTED,
    OutboxEventType.RETURN_STATUS_CHANGED, OutboxEventType.RETURN_FOLLOW_UP_DUE,
)


@dataclass(frozen=True)
class Addressee:
    kind: str
    organisation_id: object
    return_case: ReturnCase | None = None


def _deciding_organisation(event: OutboxEvent):
    """The organisation whose decision the event announces: the latest one recorded by then
    (written in the same transaction, just before the event)."""
    decision = (IdentificationDecision.objects.filter(referral_id=event.referral_id, created__lte=event.created)
                .order_by("-created", "-id").first())
    return decision.organisation_id if decision else None


def _acting_organisation(event: OutboxEvent, case: ReturnCase):
    step = (ReturnEvent.objects.filter(return_case=case, action=ReturnAction.STATUS_CHANGED,
                                       created__lte=event.created)
            .order_by("-created", "-id").first())
    return step.organisation_id if step else None


def _return_addressees(event: OutboxEvent) -> list[Addressee]:
    case = ReturnCase.objects.filter(pk=event.return_case_id).first()
    if case is None:
        return []
    # The destination's focal points that could read the return when it happened (the outbox
    # audience is returns.permissions' rule, taken then).
    focal_points = [pk for pk in event.audience if pk != case.origin_organisation_id]
    if event.type == OutboxEventType.RETURN_REQUESTED:
        return [Addressee(NotificationKind.RETURN_REQUESTED, pk, case) for pk in focal_points]
    if event.type == OutboxEventType.RETURN_FOLLOW_UP_DUE:
        return [Addressee(NotificationKind.FOLLOW_UP_DUE, pk, case) for pk in focal_points]
    # A status change: the other party hears of it. The origin's step (a cancellation) goes to the
    # destination's focal points; a focal point's step goes to the origin.
    if _acting_organisation(event, case) == case.origin_organisation_id:
        told = focal_points
    else:
        told = [case.origin_organisation_id] if case.origin_organisation_id in event.audience else []
    return [Addressee(NotificationKind.RETURN_STATUS_CHANGED, pk, case) for pk in told]


def mechanism_addressees(event: OutboxEvent) -> list[Addressee]:
    """The organisations told of a mechanism event (none for the events nobody is e-mailed about)."""
    if event.type not in MECHANISM_EVENTS:
        return []
    if event.return_case_id is not None:
        return _return_addressees(event)
    referral = event.referral
    parties = [pk for pk in dict.fromkeys([referral.submitting_organisation_id, referral.accepted_by_id])
               if pk is not None and pk in event.audience]
    if event.type == OutboxEventType.IDENTIFICATION_DECIDED:
        deciding = _deciding_organisation(event)
        return [Addressee(NotificationKind.IDENTIFICATION_DECIDED, pk) for pk in parties if pk != deciding]
    return [Addressee(NotificationKind.REFLECTION_ENDING, pk) for pk in parties]


def return_party_name(case: ReturnCase, organisation_id) -> str:
    """The other party's name as the reader sees it on the return: a focal point reads the
    origin's; the origin is told no name (the return shows it the destination country only)."""
    return case.origin_organisation.name if organisation_id != case.origin_organisation_id else ""
