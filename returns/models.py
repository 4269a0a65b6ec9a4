"""A return across a border: a referral's person goes home to another member state, handed over
between the origin and the destination's national focal points, and is followed up for a year."""

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.codes import validate_country_code
from organisations.models import Organisation
from referrals.models import ConsentBasis, Referral
from referrals.screening import no_personal_data


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSESSING = "assessing", _("assessing (family tracing and a home assessment)")
    TRAVEL_ARRANGED = "travel_arranged", _("Travel Arranged")
    HANDED_OVER = "handed_over", _("Handed Over")
    REINTEGRATION = "reintegration", _("Reintegration")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATUSES = (ReturnStatus.CLOSED, ReturnStatus.CANCELLED)
# The one way forward through the lifecycle; `cancelled` is reachable from every status not final.
NEXT_STATUS = {
    ReturnStatus.REQUESTED: ReturnStatus.ASSESSING,
    ReturnStatus.ASSESSING: ReturnStatus.TRAVEL_ARRANGED,
    ReturnStatus.TRAVEL_ARRANGED: ReturnStatus.HANDED_OVER,
    ReturnStatus.HANDED_OVER: ReturnStatus.REINTEGRATION,
    ReturnStatus.REINTEGRATION: ReturnStatus.CLOSED,
}
# Follow-ups exist from the hand-over on.
AFTER_HAND_OVER = (ReturnStatus.HANDED_OVER, ReturnStatus.REINTEGRATION, ReturnStatus.CLOSED)
FOLLOW_UP_MONTHS = (3, 6, 12)


class ReturnCaseQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ReturnCaseQuerySet":
        from .permissions import restrict_returns

        return restrict_returns(self, user, action)


class ReturnCase(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="returns")
    origin_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="returns_opened",
        help_text="The organisation that opened the return (the referral's submitter or acceptor).",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin_country = models.CharField(max_length=2, validators=[validate_country_code])
    destination_country = models.CharField(max_length=2, validators=[validate_country_code])
    services_requested = ArrayField(models.SlugField(max_length=40), default=list, blank=True)
    consent_given = models.BooleanField()
    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    status = models.CharField(max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    handed_over_on = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ReturnCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["destination_country", "status"], name="return_destination_idx"),
            models.Index(fields=["origin_organisation", "status"], name="return_origin_idx"),
        ]

    def __str__(self):
        return f"return {self.pk} to {self.destination_country} ({self.status})"


class ReturnAction(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    STATUS_CHANGED = "status_changed", _("Status Changed")
    FOLLOW_UP_RECORDED = "follow_up_recorded", _("Follow Up Recorded")
    FOLLOW_UP_REMINDER = "follow_up_reminder", _("Follow Up Reminder")


@pgtrigger.register(
    pgtrigger.Protect(name="append_only_delete", operation=pgtrigger.Delete),
    # Only erasure may touch a row, and only to empty its note (consent withdrawn, retention).
    pgtrigger.Protect(name="append_only_update", operation=pgtrigger.Update,
                      condition=pgtrigger.AnyChange(exclude=["note"])),
    pgtrigger.Protect(name="note_only_erased", operation=pgtrigger.Update,
                      condition=pgtrigger.Q(new__note__df="")),
)
class ReturnEvent(models.Model):
    """The return's own timeline: each step, who took it, when. The database refuses to change or
    delete a row, but for emptying its note."""

    return_case = models.ForeignKey(ReturnCase, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20, choices=ReturnAction.choices)
    from_status = models.CharField(max_length=16, choices=ReturnStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReturnStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, max_length=2000, validators=[no_personal_data])
    detail = models.JSONField(default=dict, blank=True, help_text="Codes only, never free text.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.action} {self.return_case_id}"


class FollowUpOutcome(models.TextChoices):
    REINTEGRATED = "reintegrated", _("Reintegrated")
    NEEDS_SUPPORT = "needs_support", _("Needs Support")
    LOST_CONTACT = "lost_contact", _("Lost Contact")
    RE_TRAFFICKED = "re_trafficked", _("Re Trafficked")


class FollowUp(models.Model):
    return_case = models.ForeignKey(ReturnCase, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(help_text="Months after the hand-over: 3, 6 or 12.")
    due_on = models.DateField()
    # null until recorded: "not known yet" is no outcome, unlike any of the four
    outcome = models.CharField(max_length=16, choices=FollowUpOutcome.choices, null=True, blank=True)  # noqa: DJ001
    note = models.TextField(blank=True, max_length=2000, validators=[no_personal_data])
    recorded_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded = models.DateTimeField(null=True, blank=True, help_text="When its reminder was recorded (once).")

    class Meta:
        ordering = ["months"]
        constraints = [models.UniqueConstraint(fields=["return_case", "months"], name="one_follow_up_per_month")]
        indexes = [models.Index(fields=["due_on"], condition=models.Q(outcome__isnull=True, reminded__isnull=True),
                                name="follow_up_reminder_due_idx")]

    def __str__(self):
        return f"{self.months}-month follow-up of {self.return_case_id}"
