import uuid

import pgtrigger
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from geo.models import AdministrativeArea
from organisations.codes import validate_country_code, validate_language_code
from organisations.models import Organisation

from .screening import no_personal_data


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AgeBand(models.TextChoices):
    """The Counter Trafficking Data Collaborative's age bands."""

    AGE_0_8 = "0-8", _("0 to 8 years")
    AGE_9_17 = "9-17", _("9 to 17 years")
    AGE_18_20 = "18-20", _("18 to 20 years")
    AGE_21_23 = "21-23", _("21 to 23 years")
    AGE_24_26 = "24-26", _("24 to 26 years")
    AGE_27_29 = "27-29", _("27 to 29 years")
    AGE_30_38 = "30-38", _("30 to 38 years")
    AGE_39_47 = "39-47", _("39 to 47 years")
    AGE_48_PLUS = "48+", _("48 years or older")
    UNKNOWN = "unknown", _("Unknown age")


CHILD_AGE_BANDS = {AgeBand.AGE_0_8, AgeBand.AGE_9_17}


class ProfileGender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    TRANSGENDER = "transgender", _("Transgender")
    UNKNOWN = "unknown", _("Unknown")


class ExploitationType(models.TextChoices):
    LABOUR = "labour", _("Forced labour")
    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    BEGGING = "begging", _("Forced begging")
    OTHER = "other", _("Other")


class Indicator(models.TextChoices):
    """The ILO indicators of forced labour, the common vocabulary for identification."""

    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability", _("Abuse of vulnerability")
    DECEPTION = "deception", _("Deception")
    RESTRICTION_OF_MOVEMENT = "restriction_of_movement", _("Restriction of movement")
    ISOLATION = "isolation", _("Isolation")
    PHYSICAL_SEXUAL_VIOLENCE = "physical_sexual_violence", _("Physical and sexual violence")
    INTIMIDATION_THREATS = "intimidation_threats", _("Intimidation and threats")
    RETENTION_OF_IDENTITY_DOCUMENTS = "retention_of_identity_documents", _("Retention of identity documents")
    WITHHOLDING_OF_WAGES = "withholding_of_wages", _("Withholding of wages")
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    ABUSIVE_CONDITIONS = "abusive_working_and_living_conditions", _("Abusive working and living conditions")
    EXCESSIVE_OVERTIME = "excessive_overtime", _("Excessive overtime")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class ConsentBasis(models.TextChoices):
    INFORMED_CONSENT = "informed_consent", _("Informed consent")
    VITAL_INTEREST = "vital_interest", _("Vital interest")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")


class ReferralQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "ReferralQuerySet":
        """The referrals on which the user may `action` (referrals.permissions.restrict_referrals)."""
        from .permissions import restrict_referrals

        return restrict_referrals(self, user, action)


class Referral(models.Model):
    """An anonymised referral. It never holds a name, contact, document number, exact address or
    exact coordinates: the submitter's case id is kept only as a keyed hash, and the location only
    as an administrative area and a point on a coarse grid."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submitting_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submitted_referrals"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_hash = models.CharField(max_length=64, blank=True, help_text="HMAC of the submitter's case id.")
    age_band = models.CharField(max_length=8, choices=AgeBand.choices)
    gender = models.CharField(max_length=12, choices=ProfileGender.choices)
    nationality = models.CharField(max_length=2, validators=[validate_country_code], blank=True)
    # Optional in the API (none observed, or not known): an empty list is a valid answer.
    languages = ArrayField(
        models.CharField(max_length=2, validators=[validate_language_code]), default=list, blank=True
    )
    exploitation_types = ArrayField(models.CharField(max_length=24, choices=ExploitationType.choices))
    indicators = ArrayField(models.CharField(max_length=40, choices=Indicator.choices), default=list, blank=True)
    needs = ArrayField(models.SlugField(max_length=40))
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    area = models.ForeignKey(
        AdministrativeArea, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Smallest administrative area containing the location.",
    )
    location = models.PointField(srid=4326, help_text="The location rounded to the coarse grid.")
    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    # Free text is screened for personal data on the field itself, so every path that validates
    # the model (the services' full_clean, the admin's forms, anything later) refuses it.
    notes = models.TextField(blank=True, max_length=4000, validators=[no_personal_data])
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    auto_route = models.BooleanField(default=False, help_text="Offer to the next match when an offer ends.")
    accepted_by = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="accepted_referrals"
    )
    close_reason = models.TextField(blank=True, max_length=2000, validators=[no_personal_data])
    consent_withdrawn = models.DateTimeField(
        null=True, blank=True, help_text="When the person withdrew consent: content erased, others cut off."
    )
    reduced = models.DateTimeField(
        null=True, blank=True, help_text="When retention reduced it to what statistics need."
    )
    # An onward referral (issue 14): the accepting organisation of `parent` referred the same person
    # on for other needs. PROTECT: a referral with children is never deleted from under them.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        help_text="The referral this one was referred onward from.",
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        permissions = [
            ("manage_referral", "Route, change and withdraw the referral (submitter)"),
            ("respond_to_offer", "Accept or decline the offer of the referral"),
            ("record_outcome", "Record outcomes of and close the referral (accepting organisation)"),
            ("view_all_statistics", "Read statistics over every referral (platform analysts)"),
        ]
        indexes = [
            models.Index(fields=["submitting_organisation", "subject_hash"], name="referral_subject_idx"),
            models.Index(fields=["status"], name="referral_status_idx"),
            GinIndex(fields=["needs"], name="referral_needs_gin"),
            GinIndex(fields=["exploitation_types"], name="referral_exploitation_gin"),
        ]

    def __str__(self):
        return f"referral {self.pk} ({self.status})"


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key table for referrals. Each grant also keeps the referral's
    creation time, so that "the newest referrals this group may see" is one walk down an index
    on (group, permission, created) instead of a filter over every referral."""

    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)
    referral_created = models.DateTimeField()
    # Both the unique (group, permission, referral) index and the newest-first one lead with the
    # group, so indexes of their own on the group and on the permission would only add to every
    # grant and revocation (and to the benchmark's 94M-row load at 10M referrals). Deleting a
    # permission, which nothing does while referrals stand, scans the table instead.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE, db_index=False)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [
            models.Index(fields=["group", "permission", "-referral_created"], name="referral_grant_newest_idx"),
        ]


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LAPSED = "lapsed", _("Lapsed (another organisation accepted, or the referral was withdrawn)")
    EXPIRED = "expired", _("Expired")


class Offer(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="offers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    reason = models.TextField(
        blank=True, max_length=2000, validators=[no_personal_data], help_text="Why it was declined."
    )
    created = models.DateTimeField(auto_now_add=True)
    responded = models.DateTimeField(null=True)
    # The shelter holding a bed for the person since this offer was accepted, until the referral is
    # closed or withdrawn (bed_released).
    facility = models.ForeignKey(
        "organisations.Facility", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The accepting organisation's shelter where a bed is held.",
    )
    bed_released = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            # An organisation is offered a referral once: a declined offer is not offered again.
            models.UniqueConstraint(fields=["referral", "organisation"], name="one_offer_per_organisation"),
        ]

    def __str__(self):
        return f"offer of {self.referral_id} to {self.organisation_id} ({self.status})"


class OutcomeType(models.TextChoices):
    SAFE_ACCOMMODATION = "safe_accommodation", _("Safe accommodation")
    MEDICAL_CARE = "medical_care", _("Medical care")
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    REPATRIATION = "repatriation", _("Repatriation or return")
    REINTEGRATION = "reintegration", _("Reintegration and livelihood")
    COMPENSATION_CLAIMED = "compensation_claimed", _("Compensation claimed")
    COMPENSATION_AWARDED = "compensation_awarded", _("Compensation awarded")
    WITNESS_PARTICIPATION = "witness_participation", _("Participation as a witness")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    DECLINED_ASSISTANCE = "declined_assistance", _("Declined assistance")


class Outcome(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="outcomes")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=24, choices=OutcomeType.choices)
    date = models.DateField()
    note = models.TextField(blank=True, max_length=2000, validators=[no_personal_data])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "created", "id"]

    def __str__(self):
        return f"{self.type} on {self.date}"


class EventAction(models.TextChoices):
    SUBMITTED = "submitted"
    VIEWED = "viewed"
    LISTED = "listed"
    MATCHES_VIEWED = "matches_viewed"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LAPSED = "lapsed"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    OUTCOME_RECORDED = "outcome_recorded"
    CLOSED = "closed"
    UPDATED = "updated"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    REDUCED = "reduced"
    NO_FREE_BEDS = "no_free_beds"
    # the mechanism (issue 14: screening and identification)
    SCREENED = "screened"
    IDENTIFICATION_DECIDED = "identification_decided"
    REFLECTION_PERIOD_ENDING = "reflection_period_ending"
    REFERRED_ONWARD = "referred_onward"


@pgtrigger.register(
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class ReferralEvent(models.Model):
    """The audit trail: who did or read what to a referral, when. The database itself refuses to
    update or delete a row (trigger), whatever the code above it does."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=32, choices=EventAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.PROTECT, related_name="+")
    # Organisation the event concerns (the one offered, declining...): the submitter sees it,
    # other organisations see it only when it is themselves.
    subject_organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True, help_text="Codes only, never free text.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["referral", "created"], name="event_referral_created_idx")]

    def __str__(self):
        return f"{self.action} {self.referral_id}"


class OutboxEventType(models.TextChoices):
    SUBMITTED = "referral.submitted"
    OFFERED = "referral.offered"
    ACCEPTED = "referral.accepted"
    DECLINED = "referral.declined"
    WITHDRAWN = "referral.withdrawn"
    OUTCOME_RECORDED = "referral.outcome_recorded"
    CLOSED = "referral.closed"
    OFFER_EXPIRED = "offer.expired"
    SCREENED = "referral.screened"
    IDENTIFICATION_DECIDED = "referral.identification_decided"
    REFLECTION_ENDING = "referral.reflection_ending"
    REFERRED_ONWARD = "referral.referred_onward"
    # A return case's steps (the returns app writes them; its parties hear of them, not the referral's)
    RETURN_REQUESTED = "return.requested"
    RETURN_STATUS_CHANGED = "return.status_changed"
    RETURN_FOLLOW_UP_DUE = "return.follow_up_due"
    RETURN_FOLLOW_UP_RECORDED = "return.follow_up_recorded"


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change that causes it (the
    transactional outbox). The webhook relay reads it later; a broker outage only delays it."""

    id = models.BigAutoField(primary_key=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=32, choices=OutboxEventType.choices)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    subject_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The organisation the event is about (offered, declining, accepting, expired).",
    )
    audience = ArrayField(
        models.UUIDField(), default=list,
        help_text="Organisations that could see the referral when the event happened: only they hear of it.",
    )
    # Set on the events of a return case (returns.ReturnCase, an app above this one, hence no
    # foreign key): the relay then judges and shows the return, not the referral.
    return_case_id = models.UUIDField(null=True, blank=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    relayed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(relayed__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self):
        return f"{self.type} {self.referral_id}"


# --- differentially private statistics (referrals.privacy) --------------------------------------


class StatisticsRelease(models.Model):
    """One noisy answer to one network-wide statistics query, kept for the calendar month it was
    released in. Asking the same query again that month (anyone, with the same normalised
    parameters) returns this row and spends nothing, so fresh noise cannot be averaged away; new
    data arriving during the month does not make a new release either (the key has no data
    fingerprint), only a new month does, and that is paid from the new month's budget."""

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of kind, parameters and month.")
    kind = models.CharField(max_length=32)
    parameters = models.JSONField(help_text="The normalised query the release answers.")
    month = models.DateField(help_text="First day (UTC) of the month the release is valid for.")
    body = models.JSONField()
    mechanism = models.CharField(max_length=80)
    epsilon = models.DecimalField(max_digits=12, decimal_places=6)
    delta = models.FloatField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)


class PrivacyBudget(models.Model):
    """A reader's budget for one calendar month: the row locked while a spend is decided, so that
    two concurrent queries cannot both see the same remainder."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="First day (UTC) of the month.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "month"], name="privacy_budget_user_month")]


@pgtrigger.register(
    pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
)
class PrivacySpend(models.Model):
    """The ledger: one row per release a reader paid for. The database refuses to change or
    delete a row, so what was spent stays spent."""

    budget = models.ForeignKey(PrivacyBudget, on_delete=models.PROTECT, related_name="spends")
    release = models.OneToOneField(StatisticsRelease, on_delete=models.PROTECT, related_name="spend")
    epsilon = models.DecimalField(max_digits=12, decimal_places=6)
    delta = models.FloatField()
    created = models.DateTimeField(auto_now_add=True)
