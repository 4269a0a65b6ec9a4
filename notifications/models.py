"""What the notifications app keeps: one row per (event, recipient), the outbox events it has
taken in, and each person's preferences.

A notification's `key` names the event and the recipient (`offer_received:<offer>:<user>`), and is
unique: taking the same event in twice, or two workers doing it at once, cannot make a second
message. Rows hold ids and codes only, never the message text (it is rendered when sent, in the
recipient's language, from what they may still see)."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from referrals.models import Offer, OutboxEvent, Referral


class NotificationKind(models.TextChoices):
    OFFER_RECEIVED = "offer_received", _("An offer was received")
    OFFER_EXPIRING = "offer_expiring", _("An offer is about to expire")
    OFFER_ACCEPTED = "offer_accepted", _("An offer was accepted")
    OFFER_DECLINED = "offer_declined", _("An offer was declined")
    OFFER_EXPIRED = "offer_expired", _("An offer expired")
    OUTCOME_RECORDED = "outcome_recorded", _("An outcome was recorded")
    REFERRAL_CLOSED = "referral_closed", _("A referral was closed")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent was withdrawn")
    # The national referral mechanism's steps (issue 14)
    IDENTIFICATION_DECIDED = "identification_decided", _("An identification decision was taken")
    REFLECTION_ENDING = "reflection_ending", _("A reflection and recovery period ends soon")
    RETURN_REQUESTED = "return_requested", _("A return was requested")
    RETURN_STATUS_CHANGED = "return_status_changed", _("A return moved to another step")
    FOLLOW_UP_DUE = "follow_up_due", _("A follow-up of a return is due")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In the daily digest")
    OFF = "off", _("Off")


# Offers and expiries cannot wait for tomorrow's digest; the rest can.
DEFAULT_DELIVERY = {
    NotificationKind.OFFER_RECEIVED: Delivery.IMMEDIATE,
    NotificationKind.OFFER_EXPIRING: Delivery.IMMEDIATE,
    NotificationKind.OFFER_EXPIRED: Delivery.IMMEDIATE,
    NotificationKind.OFFER_ACCEPTED: Delivery.DIGEST,
    NotificationKind.OFFER_DECLINED: Delivery.DIGEST,
    NotificationKind.OUTCOME_RECORDED: Delivery.DIGEST,
    NotificationKind.REFERRAL_CLOSED: Delivery.DIGEST,
    NotificationKind.CONSENT_WITHDRAWN: Delivery.DIGEST,
    # A return waits for its destination, and a period's end or a follow-up has a date: at once.
    NotificationKind.IDENTIFICATION_DECIDED: Delivery.DIGEST,
    NotificationKind.REFLECTION_ENDING: Delivery.IMMEDIATE,
    NotificationKind.RETURN_REQUESTED: Delivery.IMMEDIATE,
    NotificationKind.RETURN_STATUS_CHANGED: Delivery.DIGEST,
    NotificationKind.FOLLOW_UP_DUE: Delivery.IMMEDIATE,
}
DEFAULT_DIGEST_TIME = datetime.time(8, 0)


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (refused by the mail server, or retries exhausted)")
    CANCELLED = "cancelled", _("Cancelled (the recipient lost access, or turned it off)")


class Notification(models.Model):
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The organisation the recipient was notified as a member of: a move to another one ends it.
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # A return's notification: access is the return's (its destination never reads the referral).
    return_case = models.ForeignKey("returns.ReturnCase", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+")
    # No database constraint (here and on OutboxIntake): the partitioned outbox's key is (id, created),
    # which no foreign key on id alone can reference; on_delete stays Django's, and dropping an
    # outbox month applies it first (referrals.partitions).
    event = models.ForeignKey(OutboxEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              db_constraint=False)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=80, blank=True, help_text=_("An error class or SMTP code, never text."))
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [
            models.Index(fields=["delivery", "recipient"], condition=models.Q(status="pending"),
                         name="notification_pending_idx"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id} ({self.status})"


class OutboxIntake(models.Model):
    """An outbox event the notifications app has turned into notifications. The webhook relay
    marks events `relayed` on the event itself; this app keeps its own mark, so that neither
    consumer waits for or hides events from the other."""

    event = models.OneToOneField(OutboxEvent, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                 db_constraint=False)
    taken = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"outbox event {self.event_id} taken in"


class NotificationPreference(models.Model):
    """A person's choice per kind (missing kinds take DEFAULT_DELIVERY) and the local time of
    their daily digest (in their profile's time zone)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    choices = models.JSONField(default=dict, blank=True, help_text=_("{kind: immediate | digest | off}"))
    digest_time = models.TimeField(default=DEFAULT_DIGEST_TIME)
    last_digest_on = models.DateField(null=True, blank=True, help_text=_("Local date of the last digest sent."))

    def __str__(self):
        return f"notification preferences of {self.user_id}"
