"""Writes: taking the outbox in, reminding of offers about to expire, sending, the digest.

Intake: pending outbox events (those without an OutboxIntake row) are taken with SELECT ... FOR
UPDATE SKIP LOCKED under an advisory lock, each becomes one Notification per recipient, keyed by
event and recipient, and is marked taken in the same transaction: a crash repeats the batch, the
keys make the repeat a no-op.

Sending: the notification's row is locked while its message is sent, so two workers never send
it twice; the recipient's access is checked again first. A temporary failure (server down, 4xx)
is retried with exponential backoff; a refusal of the address (5xx, SMTPRecipientsRefused) fails
it for good. Logs name the notification and the error class or code, never the text."""

import logging
import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.selectors import profile_of
from referrals.models import EventAction, Offer, OfferStatus, OutboxEvent, OutboxEventType, ReferralEvent, Urgency
from referrals.services import offer_ttl

from . import messages
from .mechanism import mechanism_addressees
from .models import Delivery, Notification, NotificationKind, NotificationPreference, NotificationStatus, OutboxIntake
from .permissions import may_receive
from .selectors import delivery_for, digest_items_pending, members_notified

logger = logging.getLogger(__name__)

INTAKE_LOCK_ID = 0x5EF3_0013  # pg advisory lock: one intake at a time
INTAKE_BATCH = 200

TO_SUBMITTER = {
    OutboxEventType.ACCEPTED: NotificationKind.OFFER_ACCEPTED,
    OutboxEventType.DECLINED: NotificationKind.OFFER_DECLINED,
    OutboxEventType.OFFER_EXPIRED: NotificationKind.OFFER_EXPIRED,
    OutboxEventType.OUTCOME_RECORDED: NotificationKind.OUTCOME_RECORDED,
    OutboxEventType.CLOSED: NotificationKind.REFERRAL_CLOSED,
}


# --- intake -------------------------------------------------------------------------------------

def _is_consent_withdrawal(event: OutboxEvent) -> bool:
    """The outbox tells partners a consent withdrawal as `referral.closed`; the audit trail,
    written in the same transaction just before it, says which close it was."""
    return ReferralEvent.objects.filter(
        referral_id=event.referral_id, action=EventAction.CONSENT_WITHDRAWN,
        created__lte=event.created, created__gte=event.created - timedelta(seconds=5),
    ).exists()


def _addressees(event: OutboxEvent) -> tuple[str, object, Offer | None]:
    """(kind, organisation told, offer concerned) of an event, or kind "" for events nobody is
    e-mailed about (submitted, withdrawn)."""
    referral = event.referral
    offer = None
    if event.subject_organisation_id:
        offer = Offer.objects.filter(referral=referral, organisation_id=event.subject_organisation_id).first()
    if event.type == OutboxEventType.OFFERED:
        return NotificationKind.OFFER_RECEIVED, event.subject_organisation_id, offer
    if event.type == OutboxEventType.CLOSED and _is_consent_withdrawal(event):
        return NotificationKind.CONSENT_WITHDRAWN, referral.accepted_by_id, None
    if event.type in TO_SUBMITTER:
        return TO_SUBMITTER[event.type], referral.submitting_organisation_id, offer
    return "", None, None


def notifications_for(*, kind: str, organisation_id, referral, offer=None, event=None, key_part: str,
                      return_case=None) -> list:
    """Unsaved notifications of one event for the organisation's notified members, as each chose
    (nothing for those who turned the kind off)."""
    if not kind or organisation_id is None:
        return []
    built = []
    for membership in members_notified(organisation_id):
        user = membership.user
        delivery = delivery_for(user, kind)
        if delivery == Delivery.OFF:
            continue
        built.append(Notification(
            key=f"{kind}:{key_part}:{user.pk}", kind=kind, recipient=user, organisation_id=organisation_id,
            referral=referral, offer=offer, return_case=return_case, event=event, delivery=delivery,
        ))
    return built


def outbox_intake() -> tuple[int, list[int]]:
    """Take one batch of the outbox in; returns (events taken, ids of notifications to send now)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [INTAKE_LOCK_ID])
            if not cursor.fetchone()[0]:
                return 0, []
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(~Exists(OutboxIntake.objects.filter(event_id=OuterRef("pk"))))
            .select_related("referral")
            .order_by("id")[:INTAKE_BATCH]
        )
        if not events:
            return 0, []
        built = []
        for event in events:
            for addressee in mechanism_addressees(event):
                built += notifications_for(kind=addressee.kind, organisation_id=addressee.organisation_id,
                                           referral=event.referral, return_case=addressee.return_case,
                                           event=event, key_part=str(event.public_id))
            kind, organisation_id, offer = _addressees(event)
            key_part = str(offer.pk) if kind == NotificationKind.OFFER_RECEIVED and offer else str(event.public_id)
            built += notifications_for(kind=kind, organisation_id=organisation_id, referral=event.referral,
                                       offer=offer, event=event, key_part=key_part)
        Notification.objects.bulk_create(built, ignore_conflicts=True)
        OutboxIntake.objects.bulk_create([OutboxIntake(event=event) for event in events], ignore_conflicts=True)
        keys = [n.key for n in built if n.delivery == Delivery.IMMEDIATE]
        due = list(Notification.objects.filter(key__in=keys, status=NotificationStatus.PENDING).values_list(
            "pk", flat=True))
        return len(events), due


def offers_expiring_remind(now: datetime | None = None) -> list[int]:
    """Reminders, once per offer and recipient, of pending offers that expire within
    NOTIFY_BEFORE_EXPIRY; returns the ids of those to send now."""
    now = now or timezone.now()
    built = []
    for urgency in Urgency.values:
        ttl = offer_ttl(urgency)
        offers = (
            Offer.objects.filter(
                status=OfferStatus.PENDING, referral__urgency=urgency,
                created__lte=now - ttl + settings.NOTIFY_BEFORE_EXPIRY, created__gt=now - ttl,
            )
            .exclude(Exists(Notification.objects.filter(offer=OuterRef("pk"), kind=NotificationKind.OFFER_EXPIRING)))
            .select_related("referral")
        )
        for offer in offers:
            built += notifications_for(kind=NotificationKind.OFFER_EXPIRING, organisation_id=offer.organisation_id,
                                       referral=offer.referral, offer=offer, key_part=str(offer.pk))
    with transaction.atomic():
        Notification.objects.bulk_create(built, ignore_conflicts=True)
    keys = [n.key for n in built if n.delivery == Delivery.IMMEDIATE]
    return list(Notification.objects.filter(key__in=keys, status=NotificationStatus.PENDING).values_list(
        "pk", flat=True))


# --- sending ------------------------------------------------------------------------------------

class Refused(Exception):
    """The mail server refused the address for good: retrying cannot help."""


def _send(user, message: messages.Message) -> None:
    email = EmailMultiAlternatives(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [user.email])
    if message.html:
        email.attach_alternative(message.html, "text/html")
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _reply in error.recipients.values()})
        raise Refused(f"SMTPRecipientsRefused {codes}") from None
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPSenderRefused):
            raise Refused(f"{type(error).__name__} {error.smtp_code}") from None
        raise


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def _failed(notification: Notification, error: str) -> None:
    notification.status = NotificationStatus.FAILED
    notification.error = error[:80]
    notification.next_attempt = None
    # The id and the error class or code: neither the address nor a word of the message.
    logger.warning("notification %s to user %s failed for good: %s", notification.pk,
                   notification.recipient_id, notification.error)


def notification_send(notification_id) -> timedelta | None:
    """Send one immediate notification; returns when to try again after a temporary failure."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "referral__submitting_organisation", "referral__accepted_by",
                            "offer__organisation", "return_case__origin_organisation")
            .filter(pk=notification_id, status=NotificationStatus.PENDING, delivery=Delivery.IMMEDIATE)
            .first()
        )
        if notification is None:
            return None  # sent, cancelled, or another worker is sending it
        now = timezone.now()
        if notification.next_attempt and notification.next_attempt > now:
            return None  # a retry is already scheduled (and the sweep resumes it if that is lost)
        if not may_receive(notification):
            notification.status = NotificationStatus.CANCELLED
            notification.save(update_fields=["status"])
            return None
        notification.attempts += 1
        retry_in = None
        try:
            _send(notification.recipient, messages.render_notification(notification, now))
        except Refused as refused:
            _failed(notification, str(refused))
        except (smtplib.SMTPException, OSError) as error:
            notification.error = type(error).__name__
            if notification.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                _failed(notification, notification.error)
            else:
                retry_in = retry_delay(notification.attempts)
                notification.next_attempt = now + retry_in
                logger.info("notification %s: %s, retrying in %ss", notification.pk, notification.error,
                            retry_in.total_seconds())
        else:
            notification.status = NotificationStatus.SENT
            notification.sent = timezone.now()
            notification.next_attempt = None
            notification.error = ""
        notification.save(update_fields=["attempts", "status", "sent", "next_attempt", "error"])
        return retry_in


def notifications_due(now: datetime | None = None) -> list[int]:
    """Immediate notifications the sweep should (re)enqueue: a retry whose time has come, or one
    whose first task was lost (a broker outage) and that has waited a while."""
    now = now or timezone.now()
    return list(
        Notification.objects.filter(status=NotificationStatus.PENDING, delivery=Delivery.IMMEDIATE)
        .filter(Q(next_attempt__lte=now) | Q(next_attempt__isnull=True, created__lte=now - timedelta(seconds=5)))
        .order_by("id").values_list("pk", flat=True)[:1000]
    )


# --- the daily digest ---------------------------------------------------------------------------

def last_digest_moment(digest_time, time_zone: str, now: datetime) -> datetime:
    """The latest moment, at or before `now`, when the user's local clock showed `digest_time`."""
    local_now = now.astimezone(ZoneInfo(time_zone))
    moment = datetime.combine(local_now.date(), digest_time, tzinfo=local_now.tzinfo)
    if moment > local_now:
        moment = datetime.combine(local_now.date() - timedelta(days=1), digest_time, tzinfo=local_now.tzinfo)
    return moment


def digest_send(user, now: datetime | None = None) -> int:
    """Send the user's digest if its time has come today and it was not sent yet: the items that
    were pending at that moment and that the user may still see. Returns how many it carried."""
    now = now or timezone.now()
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        moment = last_digest_moment(preference.digest_time, profile_of(user).time_zone, now)
        if preference.last_digest_on is not None and preference.last_digest_on >= moment.date():
            return 0
        items = list(digest_items_pending(user).filter(created__lte=moment).select_for_update(of=("self",)))
        if not items:
            return 0
        visible = [item for item in items if may_receive(item)]
        Notification.objects.filter(pk__in=[i.pk for i in items if i not in visible]).update(
            status=NotificationStatus.CANCELLED)
        sent = Notification.objects.filter(pk__in=[i.pk for i in visible])
        if visible:
            try:
                _send(user, messages.render_digest(user, visible, now))
            except Refused as refused:
                logger.warning("digest to user %s failed for good: %s", user.pk, refused)
                sent.update(status=NotificationStatus.FAILED, error=str(refused)[:80], attempts=1)
                preference.last_digest_on = moment.date()
                preference.save(update_fields=["last_digest_on"])
                return 0
            except (smtplib.SMTPException, OSError) as error:
                # Left pending: the next run of the digest task tries again.
                logger.info("digest to user %s: %s, trying again later", user.pk, type(error).__name__)
                return 0
            sent.update(status=NotificationStatus.SENT, sent=timezone.now(), attempts=1)
        preference.last_digest_on = moment.date()
        preference.save(update_fields=["last_digest_on"])
        return len(visible)


# --- preferences --------------------------------------------------------------------------------

@transaction.atomic
def preferences_set(*, user, choices: dict, digest_time) -> NotificationPreference:
    """Replace the user's choices (a full map: every kind, each immediate, digest or off)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    kinds, deliveries = set(NotificationKind.values), set(Delivery.values)
    errors = {}
    for kind, value in choices.items():
        if kind not in kinds:
            errors[kind] = _("Unknown kind of notification %(kind)r; the kinds are: %(kinds)s.") % {
                "kind": kind, "kinds": ", ".join(NotificationKind.values)}
        elif value not in deliveries:
            errors[kind] = _("%(value)r is not one of: %(deliveries)s.") % {
                "value": value, "deliveries": ", ".join(Delivery.values)}
    for kind in sorted(kinds - set(choices)):
        errors[kind] = _("Missing: the map names every kind.")
    if errors:
        raise ValidationError({f"choices.{kind}": message for kind, message in errors.items()})
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    preference.choices = dict(choices)
    preference.digest_time = digest_time
    preference.save(update_fields=["choices", "digest_time"])
    return preference
