"""The only way to change a return case: opening it, its steps, its follow-ups and their
reminders. Each service is atomic, checks in the order of returns.permissions, records the step
on the return's own timeline and, for the parties' systems, in the outbox."""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from organisations.services import validate_service_codes
from referrals import permissions as referral_permissions
from referrals.exceptions import InvalidTransition
from referrals.models import OutboxEvent, OutboxEventType, Referral
from referrals.services import OPEN_STATUSES, screen_fields
from referrals.signals import outbox_event_written

from . import permissions
from .exceptions import InvalidReturnStep
from .models import (
    AFTER_HAND_OVER,
    FINAL_STATUSES,
    FOLLOW_UP_MONTHS,
    NEXT_STATUS,
    FollowUp,
    ReturnAction,
    ReturnCase,
    ReturnEvent,
    ReturnStatus,
)

REMINDED_STATUSES = (ReturnStatus.HANDED_OVER, ReturnStatus.REINTEGRATION)


def _outbox(case: ReturnCase, type_: str) -> None:
    """Written in the caller's transaction; the relay sends it to the return's parties only."""
    event = OutboxEvent.objects.create(type=type_, referral_id=case.referral_id, return_case_id=case.pk,
                                       audience=permissions.audience_of(case))
    outbox_event_written.send(sender=OutboxEvent, event_id=event.pk)


def _record(case: ReturnCase, action: str, *, by=None, organisation=None, from_status: str = "",
            note: str = "", outbox: str | None = None, **detail) -> ReturnEvent:
    event = ReturnEvent.objects.create(
        return_case=case, action=action, from_status=from_status, to_status=case.status, actor=by,
        organisation=organisation, note=note, detail=detail,
    )
    if outbox:
        _outbox(case, outbox)
    return event


def origin_country_of(referral: Referral) -> str:
    """Where the person is now: the referral's country (its area's), else its submitter's."""
    if referral.area_id is not None:
        return referral.area.country
    return referral.submitting_organisation.country


@transaction.atomic
def return_open(*, referral: Referral, by, destination_country: str, services_requested: list[str],
                consent: dict) -> ReturnCase:
    """Open a return of the referral's person to another member state, offered to its focal points."""
    rights = referral_permissions.require_acting_role(by, referral)  # 403 for a viewer
    referral = Referral.objects.select_for_update(of=("self",)).select_related("area", "submitting_organisation") \
        .defer("area__geometry").get(pk=referral.pk)
    if referral.status not in OPEN_STATUSES or referral.consent_withdrawn:
        raise InvalidTransition(referral, _("A referral that is %(status)s cannot open a return.")
                % {"status": referral.status})
    referral_permissions.require_may_open_return(rights)
    if consent.get("given") is not True:
        raise ValidationError({"consent.given": _("a return needs the person's consent")})
    origin = origin_country_of(referral)
    if destination_country == origin:
        raise ValidationError({"destination_country": _(
            "the person is in %(origin)s already; a return crosses a border") % {"origin": origin}})
    if not Organisation.objects.filter(focal_point=True, verified=True, country=destination_country).exists():
        raise ValidationError({"destination_country": _("has no verified national focal point to receive the person")})
    services = validate_service_codes(services_requested, field="services_requested")
    if referral.returns.exclude(status__in=FINAL_STATUSES).exists():
        raise InvalidTransition(referral, _("The referral has an open return already."))
    case = ReturnCase(
        referral=referral, origin_organisation=rights.organisation, requested_by=by, origin_country=origin,
        destination_country=destination_country, services_requested=services, consent_given=True,
        consent_basis=consent.get("basis", ""),
    )
    case.full_clean()
    case.save()
    _record(case, ReturnAction.REQUESTED, by=by, organisation=rights.organisation,
            outbox=OutboxEventType.RETURN_REQUESTED)
    return case


def _locked(case: ReturnCase) -> ReturnCase:
    return ReturnCase.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def return_transition(*, case: ReturnCase, by, to: str, note: str = "") -> ReturnCase:
    """One step of the lifecycle (returns.permissions says whose); 409 for a wrong step."""
    party = permissions.require_acting_party(by, case)
    case = _locked(case)
    allowed = to == ReturnStatus.CANCELLED or NEXT_STATUS.get(case.status) == to
    if case.status in FINAL_STATUSES or not allowed:
        following = NEXT_STATUS.get(case.status)
        message = (_("A return that is %(status)s cannot move to %(to)s; its next step is %(next)s.")
                   if following else _("A return that is %(status)s cannot move to %(to)s."))
        raise InvalidReturnStep(case, message % {"status": case.status, "to": to, "next": following})
    permissions.require_may_move_to(party, to)
    screen_fields(note=note)
    previous, case.status = case.status, to
    fields = ["status", "updated"]
    if to == ReturnStatus.HANDED_OVER:
        case.handed_over_on = timezone.localdate()
        fields.append("handed_over_on")
        FollowUp.objects.bulk_create([
            FollowUp(return_case=case, months=months, due_on=case.handed_over_on + relativedelta(months=months))
            for months in FOLLOW_UP_MONTHS
        ])
    case.save(update_fields=fields)
    _record(case, ReturnAction.STATUS_CHANGED, by=by, organisation=party.organisation, from_status=previous,
            note=note, outbox=OutboxEventType.RETURN_STATUS_CHANGED)
    return case


@transaction.atomic
def follow_up_record(*, case: ReturnCase, by, months: int, outcome: str, note: str = "") -> FollowUp:
    """The destination records how the person is, 3, 6 or 12 months after the hand-over."""
    party = permissions.require_acting_party(by, case)
    case = _locked(case)
    if months not in FOLLOW_UP_MONTHS:
        raise ValidationError({"months": _("follow-ups are at %(months)s months")
                % {"months": ", ".join(map(str, FOLLOW_UP_MONTHS))}})
    if case.status not in AFTER_HAND_OVER:
        raise InvalidReturnStep(case, _("A return that is %(status)s has no follow-ups: they start at hand-over.")
                % {"status": case.status})
    permissions.require_may_record_follow_up(party)
    follow_up = case.follow_ups.select_for_update().get(months=months)
    if follow_up.outcome:
        raise InvalidReturnStep(case, _("The %(months)s-month follow-up is recorded already.") % {"months": months})
    screen_fields(note=note)
    follow_up.outcome, follow_up.note = outcome, note
    follow_up.recorded_on, follow_up.recorded_by = timezone.localdate(), by
    follow_up.full_clean()
    follow_up.save()
    _record(case, ReturnAction.FOLLOW_UP_RECORDED, by=by, organisation=party.organisation, months=months,
            outcome=outcome, outbox=OutboxEventType.RETURN_FOLLOW_UP_RECORDED)
    return follow_up


@transaction.atomic
def follow_ups_remind_due(*, now: datetime | None = None) -> int:
    """Record a reminder (timeline and outbox) for each follow-up due within
    RETURN_FOLLOW_UP_REMINDER_DAYS and not recorded yet, once each. Returns how many."""
    now = now or timezone.now()
    horizon = timezone.localdate(now) + relativedelta(days=settings.RETURN_FOLLOW_UP_REMINDER_DAYS)
    due = list(
        FollowUp.objects.select_for_update(skip_locked=True, of=("self",)).select_related("return_case")
        .filter(outcome__isnull=True, reminded__isnull=True, due_on__lte=horizon,
                return_case__status__in=REMINDED_STATUSES)
        .order_by("due_on", "id")
    )
    for follow_up in due:
        follow_up.reminded = now
        follow_up.save(update_fields=["reminded"])
        _record(follow_up.return_case, ReturnAction.FOLLOW_UP_REMINDER, months=follow_up.months,
                due_on=follow_up.due_on.isoformat(), outbox=OutboxEventType.RETURN_FOLLOW_UP_DUE)
    return len(due)


# --- receivers of the referrals' signals ---------------------------------------------------------

def returns_cancel_for_withdrawn_consent(*, referral_id, **_) -> None:
    """Consent withdrawn on the referral (or on the one it was referred onward from): its open
    returns end at once. Runs in the withdrawal's transaction."""
    for case in ReturnCase.objects.select_for_update().filter(referral_id=referral_id).exclude(
        status__in=FINAL_STATUSES
    ):
        previous, case.status = case.status, ReturnStatus.CANCELLED
        case.save(update_fields=["status", "updated"])
        _record(case, ReturnAction.STATUS_CHANGED, from_status=previous, reason="consent_withdrawn",
                outbox=OutboxEventType.RETURN_STATUS_CHANGED)


def returns_erase_notes(*, referral_id, **_) -> None:
    """The referral's free text is erased (consent withdrawn, retention): so are its returns' notes."""
    ReturnEvent.objects.filter(return_case__referral_id=referral_id).exclude(note="").update(note="")
    FollowUp.objects.filter(return_case__referral_id=referral_id).exclude(note="").update(note="")
